/**
 * SQLite migrations of inference and evaluation: metered usage events, evaluation runs, workflows (files,
 * batches, pipelines) and inference endpoints.
 * They run in the order of the list in src/store/sqlite-migrations.ts.
 * Never edit a migration that has shipped: add a new one.
 */

export const USAGE_EVENTS = `
  -- Metering: one row per inference request (local runtime), for usage, budgets and cost.
  CREATE TABLE usage_events (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    model TEXT NOT NULL,
    revision TEXT,
    task TEXT,
    api TEXT NOT NULL,
    caller TEXT,
    input_units INTEGER NOT NULL DEFAULT 0,
    output_units INTEGER NOT NULL DEFAULT 0,
    unit TEXT NOT NULL DEFAULT 'characters',
    input_bytes INTEGER NOT NULL DEFAULT 0,
    output_bytes INTEGER NOT NULL DEFAULT 0,
    latency_ms REAL NOT NULL DEFAULT 0,
    status INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    error_code TEXT,
    batch_size INTEGER NOT NULL DEFAULT 1
  );
  CREATE INDEX usage_events_at ON usage_events(at);
  CREATE INDEX usage_events_model_at ON usage_events(model, at);
  CREATE INDEX usage_events_caller_at ON usage_events(caller, at);
  `;

export const EVALUATION_RUNS = `
  -- Evaluations Hangar ran itself (src/evaluation): a model at a commit on a labelled file of a dataset repo
  -- at a commit, with one score row per metric. Ids are read through repos, so a moved repo keeps its runs.
  CREATE TABLE evaluation_runs (
    id INTEGER PRIMARY KEY,
    model_repo_pk INTEGER NOT NULL REFERENCES repos(pk) ON DELETE CASCADE,
    model_commit TEXT NOT NULL,
    dataset_repo_pk INTEGER NOT NULL REFERENCES repos(pk) ON DELETE CASCADE,
    dataset_commit TEXT NOT NULL,
    dataset_file TEXT NOT NULL,
    task TEXT NOT NULL,
    text_column TEXT NOT NULL,
    label_column TEXT NOT NULL,
    examples INTEGER NOT NULL,
    skipped_rows INTEGER NOT NULL DEFAULT 0,
    example_limit INTEGER,
    details TEXT NOT NULL DEFAULT '{}',
    duration_ms REAL NOT NULL,
    created_at TEXT NOT NULL,
    measured_by TEXT NOT NULL,
    hangar_version TEXT NOT NULL
  );
  CREATE INDEX evaluation_runs_model ON evaluation_runs(model_repo_pk, created_at);
  CREATE INDEX evaluation_runs_dataset ON evaluation_runs(dataset_repo_pk, created_at);
  CREATE TABLE evaluation_scores (
    run_id INTEGER NOT NULL REFERENCES evaluation_runs(id) ON DELETE CASCADE,
    metric TEXT NOT NULL,
    value REAL NOT NULL,
    PRIMARY KEY (run_id, metric)
  ) WITHOUT ROWID;
  `;

export const USAGE_OUTPUT_UNIT = `
  -- Output units in the task's own unit (labels, vectors, tokens...). Rows metered before counted generated
  -- tokens for text generation and the characters of the JSON answer for every other task.
  ALTER TABLE usage_events ADD COLUMN output_unit TEXT NOT NULL DEFAULT 'characters';
  UPDATE usage_events SET output_unit = 'tokens' WHERE task = 'text-generation';
  `;

export const WORKFLOWS = `
  -- Workflows (issue 18). Files of the OpenAI-compatible Files API: bytes in the blob store (gc keeps the
  -- blobs these rows name), readable by their owner only. Times are ms since the epoch.
  CREATE TABLE batch_files (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    filename TEXT NOT NULL,
    purpose TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    expires_ms INTEGER
  ) WITHOUT ROWID;
  CREATE INDEX batch_files_owner ON batch_files(owner, created_ms, id);
  CREATE INDEX batch_files_sha256 ON batch_files(sha256);
  -- Batch jobs: one row each, with its lifecycle times, the node holding it (lease) and its estimate.
  CREATE TABLE batches (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    token_id INTEGER,
    endpoint TEXT NOT NULL,
    input_file_id TEXT NOT NULL,
    completion_window TEXT NOT NULL,
    status TEXT NOT NULL,
    metadata TEXT,
    created_ms INTEGER NOT NULL,
    in_progress_ms INTEGER,
    finalizing_ms INTEGER,
    completed_ms INTEGER,
    failed_ms INTEGER,
    cancelling_ms INTEGER,
    cancelled_ms INTEGER,
    expires_ms INTEGER NOT NULL,
    expired_ms INTEGER,
    output_file_id TEXT,
    error_file_id TEXT,
    errors TEXT,
    total INTEGER NOT NULL DEFAULT 0,
    estimate TEXT,
    lease_owner TEXT,
    lease_expires_ms INTEGER NOT NULL DEFAULT 0
  ) WITHOUT ROWID;
  CREATE INDEX batches_owner ON batches(owner, created_ms, id);
  CREATE INDEX batches_status ON batches(status);
  -- Each input line's result, recorded once (the key) in the transaction that counts it: the checkpoint a
  -- restarted job resumes from. The record is the line of the output or error file.
  CREATE TABLE batch_results (
    batch_id TEXT NOT NULL,
    line INTEGER NOT NULL,
    ok INTEGER NOT NULL,
    record TEXT NOT NULL,
    input_units INTEGER NOT NULL DEFAULT 0,
    output_units INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (batch_id, line)
  ) WITHOUT ROWID;
  -- Pipelines registered over the API, per owner; their runs with each step's trace; step results by input hash.
  CREATE TABLE pipelines (
    owner TEXT NOT NULL,
    name TEXT NOT NULL,
    definition TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL,
    PRIMARY KEY (owner, name)
  ) WITHOUT ROWID;
  CREATE TABLE pipeline_runs (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    pipeline TEXT NOT NULL,
    status TEXT NOT NULL,
    started_ms INTEGER NOT NULL,
    finished_ms INTEGER,
    record TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX pipeline_runs_owner ON pipeline_runs(owner, pipeline, started_ms);
  CREATE TABLE pipeline_step_cache (
    key TEXT PRIMARY KEY,
    output TEXT NOT NULL,
    created_ms INTEGER NOT NULL
  ) WITHOUT ROWID;
  `;

/**
 * Inference endpoints (src/inference/endpoints): each one's settings as JSON and the state it is in, so an
 * endpoint comes back in its state after a restart.
 */
export const INFERENCE_ENDPOINTS = `
  CREATE TABLE inference_endpoints (
    namespace TEXT NOT NULL COLLATE NOCASE REFERENCES namespaces(name) ON DELETE CASCADE,
    name TEXT NOT NULL,
    spec TEXT NOT NULL,
    state TEXT NOT NULL,
    message TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (namespace, name)
  ) WITHOUT ROWID;
  `;
