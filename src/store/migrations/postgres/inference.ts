/**
 * PostgreSQL migrations of inference: workflows (files, batches, pipelines) and inference endpoints.
 * They run in the order of the list in src/store/postgres-migrations.ts.
 * Never edit a migration that has shipped: add a new one.
 */

export const WORKFLOWS = `
CREATE TABLE batch_files (
  id text COLLATE "C" PRIMARY KEY,
  owner text COLLATE "C" NOT NULL,
  filename text COLLATE "C" NOT NULL,
  purpose text COLLATE "C" NOT NULL,
  bytes bigint NOT NULL,
  sha256 text COLLATE "C" NOT NULL,
  created_ms bigint NOT NULL,
  expires_ms bigint
);
CREATE INDEX batch_files_owner ON batch_files(owner, created_ms, id);
CREATE INDEX batch_files_sha256 ON batch_files(sha256);
CREATE TABLE batches (
  id text COLLATE "C" PRIMARY KEY,
  owner text COLLATE "C" NOT NULL,
  token_id bigint,
  endpoint text COLLATE "C" NOT NULL,
  input_file_id text COLLATE "C" NOT NULL,
  completion_window text COLLATE "C" NOT NULL,
  status text COLLATE "C" NOT NULL,
  metadata text COLLATE "C",
  created_ms bigint NOT NULL,
  in_progress_ms bigint,
  finalizing_ms bigint,
  completed_ms bigint,
  failed_ms bigint,
  cancelling_ms bigint,
  cancelled_ms bigint,
  expires_ms bigint NOT NULL,
  expired_ms bigint,
  output_file_id text COLLATE "C",
  error_file_id text COLLATE "C",
  errors text COLLATE "C",
  total bigint NOT NULL DEFAULT 0,
  estimate text COLLATE "C",
  lease_owner text COLLATE "C",
  lease_expires_ms bigint NOT NULL DEFAULT 0
);
CREATE INDEX batches_owner ON batches(owner, created_ms, id);
CREATE INDEX batches_status ON batches(status);
CREATE TABLE batch_results (
  batch_id text COLLATE "C" NOT NULL,
  line bigint NOT NULL,
  ok bigint NOT NULL,
  record text COLLATE "C" NOT NULL,
  input_units bigint NOT NULL DEFAULT 0,
  output_units bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (batch_id, line)
);
CREATE TABLE pipelines (
  owner text COLLATE "C" NOT NULL,
  name text COLLATE "C" NOT NULL,
  definition text COLLATE "C" NOT NULL,
  created_ms bigint NOT NULL,
  updated_ms bigint NOT NULL,
  PRIMARY KEY (owner, name)
);
CREATE TABLE pipeline_runs (
  id text COLLATE "C" PRIMARY KEY,
  owner text COLLATE "C" NOT NULL,
  pipeline text COLLATE "C" NOT NULL,
  status text COLLATE "C" NOT NULL,
  started_ms bigint NOT NULL,
  finished_ms bigint,
  record text COLLATE "C" NOT NULL
);
CREATE INDEX pipeline_runs_owner ON pipeline_runs(owner, pipeline, started_ms);
CREATE TABLE pipeline_step_cache (
  key text COLLATE "C" PRIMARY KEY,
  output text COLLATE "C" NOT NULL,
  created_ms bigint NOT NULL
);
`;

export const INFERENCE_ENDPOINTS = `
CREATE TABLE inference_endpoints (
  namespace citext COLLATE "C" NOT NULL REFERENCES namespaces(name) ON DELETE CASCADE,
  name text COLLATE "C" NOT NULL,
  spec text COLLATE "C" NOT NULL,
  state text COLLATE "C" NOT NULL,
  message text COLLATE "C" NOT NULL DEFAULT '',
  created_at text COLLATE "C" NOT NULL,
  updated_at text COLLATE "C" NOT NULL,
  created_by text COLLATE "C" NOT NULL,
  updated_by text COLLATE "C" NOT NULL,
  PRIMARY KEY (namespace, name)
);
`;
