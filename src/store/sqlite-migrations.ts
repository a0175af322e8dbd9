import { rewriteCommitIds } from "./rewrite-commit-ids.ts";
import type { Migration } from "./sql/sql-database.ts";

/**
 * Schema migrations, applied in order; `PRAGMA user_version` records how many ran. A function migration does its work through the
 * executor it is given, not through the table classes, which follow the latest schema. Never edit a
 * migration that has shipped: add a new one.
 */
export const SQLITE_MIGRATIONS: readonly Migration[] = [
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

  CREATE TABLE namespaces (
    name TEXT PRIMARY KEY COLLATE NOCASE,
    kind TEXT NOT NULL CHECK (kind IN ('user', 'org')),
    fullname TEXT NOT NULL DEFAULT '',
    email TEXT,
    is_admin INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
  );
  CREATE TABLE org_members (
    org TEXT NOT NULL COLLATE NOCASE REFERENCES namespaces(name) ON DELETE CASCADE,
    user TEXT NOT NULL COLLATE NOCASE REFERENCES namespaces(name) ON DELETE CASCADE,
    role TEXT NOT NULL DEFAULT 'write' CHECK (role IN ('read', 'write', 'admin')),
    PRIMARY KEY (org, user)
  ) WITHOUT ROWID;
  CREATE TABLE tokens (
    id INTEGER PRIMARY KEY,
    user TEXT NOT NULL COLLATE NOCASE REFERENCES namespaces(name) ON DELETE CASCADE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('read', 'write', 'admin')),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    last_used_at TEXT
  );

  CREATE TABLE repos (
    pk INTEGER PRIMARY KEY,
    type TEXT NOT NULL CHECK (type IN ('model', 'dataset', 'space')),
    namespace TEXT NOT NULL COLLATE NOCASE,
    name TEXT NOT NULL COLLATE NOCASE,
    private INTEGER NOT NULL DEFAULT 0,
    gated TEXT NOT NULL DEFAULT 'false' CHECK (gated IN ('false', 'auto', 'manual')),
    disabled INTEGER NOT NULL DEFAULT 0,
    origin TEXT NOT NULL DEFAULT 'local' CHECK (origin IN ('local', 'upstream')),
    created_at TEXT NOT NULL,
    last_modified TEXT NOT NULL,
    sha TEXT,
    downloads INTEGER NOT NULL DEFAULT 0,
    likes INTEGER NOT NULL DEFAULT 0,
    trending_score REAL NOT NULL DEFAULT 0,
    pipeline_tag TEXT,
    library_name TEXT,
    tags TEXT NOT NULL DEFAULT '[]',
    used_storage INTEGER NOT NULL DEFAULT 0,
    UNIQUE (type, namespace, name)
  );
  CREATE INDEX repos_type_namespace ON repos(type, namespace);
  CREATE INDEX repos_type_downloads ON repos(type, downloads);
  CREATE INDEX repos_type_modified ON repos(type, last_modified);
  CREATE TABLE repo_tags (
    repo_pk INTEGER NOT NULL REFERENCES repos(pk) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (repo_pk, tag)
  ) WITHOUT ROWID;
  CREATE INDEX repo_tags_tag ON repo_tags(tag, repo_pk);

  CREATE TABLE commits (
    pk INTEGER PRIMARY KEY,
    repo_pk INTEGER NOT NULL REFERENCES repos(pk) ON DELETE CASCADE,
    oid TEXT NOT NULL,
    parents TEXT NOT NULL DEFAULT '[]',
    author TEXT NOT NULL,
    date TEXT NOT NULL,
    title TEXT NOT NULL,
    message TEXT NOT NULL,
    metadata TEXT NOT NULL DEFAULT '{}',
    UNIQUE (repo_pk, oid)
  );
  CREATE TABLE tree_entries (
    commit_pk INTEGER NOT NULL REFERENCES commits(pk) ON DELETE CASCADE,
    path TEXT NOT NULL,
    git_oid TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    lfs INTEGER NOT NULL,
    last_commit TEXT NOT NULL,
    PRIMARY KEY (commit_pk, path)
  ) WITHOUT ROWID;
  CREATE INDEX tree_entries_sha256 ON tree_entries(sha256);
  CREATE TABLE refs (
    repo_pk INTEGER NOT NULL REFERENCES repos(pk) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('branch', 'tag', 'pr')),
    name TEXT NOT NULL,
    commit_oid TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (repo_pk, kind, name)
  ) WITHOUT ROWID;

  CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    created_at TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  `
  -- Facts about a model that do not come from one of its commits: the offline catalog snapshot, synthetic
  -- catalogs and upstream metadata. Lists live in side tables so search can filter on them by index.
  CREATE TABLE repo_facts (
    repo_pk INTEGER PRIMARY KEY REFERENCES repos(pk) ON DELETE CASCADE,
    description TEXT,
    license TEXT,
    languages TEXT NOT NULL DEFAULT '[]',
    parameters INTEGER,
    base_models TEXT NOT NULL DEFAULT '[]',
    base_relation TEXT CHECK (base_relation IN ('finetune', 'adapter', 'quantized', 'merge')),
    library TEXT,
    pipeline_tag TEXT,
    eval_results TEXT NOT NULL DEFAULT '[]',
    snapshot_date TEXT,
    snapshot_source TEXT,
    sources TEXT NOT NULL DEFAULT '[]'
  );
  CREATE INDEX repo_facts_license ON repo_facts(license);
  CREATE INDEX repo_facts_library ON repo_facts(library);
  CREATE INDEX repo_facts_pipeline_tag ON repo_facts(pipeline_tag);
  CREATE INDEX repo_facts_parameters ON repo_facts(parameters);
  CREATE TABLE repo_languages (
    repo_pk INTEGER NOT NULL REFERENCES repos(pk) ON DELETE CASCADE,
    language TEXT NOT NULL,
    PRIMARY KEY (language, repo_pk)
  ) WITHOUT ROWID;
  CREATE INDEX repo_languages_repo ON repo_languages(repo_pk);
  CREATE TABLE repo_base_models (
    repo_pk INTEGER NOT NULL REFERENCES repos(pk) ON DELETE CASCADE,
    base_model TEXT NOT NULL COLLATE NOCASE,
    PRIMARY KEY (base_model, repo_pk)
  ) WITHOUT ROWID;
  CREATE INDEX repo_base_models_repo ON repo_base_models(repo_pk);
  `,
  `
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
  `,
  `
  -- Every write to a repo row or its facts appends the repo's pk here, in the writing transaction, so an
  -- in-memory search index (src/discovery) can tell it is stale with one read and patch only what changed.
  -- AUTOINCREMENT keeps sequence numbers from being reused after old rows are pruned.
  CREATE TABLE catalog_changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, repo_pk INTEGER NOT NULL);
  CREATE TRIGGER catalog_changes_repo_insert AFTER INSERT ON repos
    BEGIN INSERT INTO catalog_changes (repo_pk) VALUES (NEW.pk); END;
  CREATE TRIGGER catalog_changes_repo_update AFTER UPDATE ON repos
    BEGIN INSERT INTO catalog_changes (repo_pk) VALUES (NEW.pk); END;
  CREATE TRIGGER catalog_changes_repo_delete AFTER DELETE ON repos
    BEGIN INSERT INTO catalog_changes (repo_pk) VALUES (OLD.pk); END;
  CREATE TRIGGER catalog_changes_facts_insert AFTER INSERT ON repo_facts
    BEGIN INSERT INTO catalog_changes (repo_pk) VALUES (NEW.repo_pk); END;
  CREATE TRIGGER catalog_changes_facts_update AFTER UPDATE ON repo_facts
    BEGIN INSERT INTO catalog_changes (repo_pk) VALUES (NEW.repo_pk); END;
  `,
  `
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
  `,
  `
  -- Blob leases: claims gc must respect, from any process on this instance (ms since the epoch).
  CREATE TABLE blob_leases (
    sha256 TEXT NOT NULL,
    lease_id TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (sha256, lease_id)
  ) WITHOUT ROWID;
  CREATE INDEX blob_leases_by_lease ON blob_leases(lease_id);
  `,
  // Commits made here get git's ids, with their tree and commit objects stored (issue 20).
  rewriteCommitIds,
  `
  -- LFS objects each repo received whole on its own upload URLs (bytes hashed against the sha256). With the
  -- objects its commits reference, they are the only ones a client may name in that repo's commits without
  -- sending the bytes: blobs are stored once for all repos, so knowing a sha256 must not be enough.
  CREATE TABLE lfs_uploads (
    repo_pk INTEGER NOT NULL REFERENCES repos(pk) ON DELETE CASCADE,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    uploaded_at TEXT NOT NULL,
    PRIMARY KEY (repo_pk, sha256)
  ) WITHOUT ROWID;
  CREATE INDEX lfs_uploads_sha256 ON lfs_uploads(sha256);
  `,
  `
  -- Output units in the task's own unit (labels, vectors, tokens...). Rows metered before counted generated
  -- tokens for text generation and the characters of the JSON answer for every other task.
  ALTER TABLE usage_events ADD COLUMN output_unit TEXT NOT NULL DEFAULT 'characters';
  UPDATE usage_events SET output_unit = 'tokens' WHERE task = 'text-generation';
  `,
  `
  -- Multipart upload sessions begun in the blob store and not yet completed or aborted (gc aborts expired ones).
  CREATE TABLE multipart_sessions (
    upload_id TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX multipart_sessions_expiry ON multipart_sessions(expires_at);
  `,
  `
  -- Scan verdicts per blob and scanner rules version (src/governance/scan): a blob shared by many repos is
  -- scanned once; a new rules version leaves the old rows behind and every blob is scanned again.
  CREATE TABLE scan_results (
    sha256 TEXT NOT NULL,
    rules_version TEXT NOT NULL,
    format TEXT NOT NULL,
    verdict TEXT NOT NULL CHECK (verdict IN ('safe', 'suspicious', 'invalid', 'unsafe')),
    findings TEXT NOT NULL DEFAULT '[]',
    scanned_at TEXT NOT NULL,
    PRIMARY KEY (sha256, rules_version)
  ) WITHOUT ROWID;
  CREATE INDEX scan_results_version ON scan_results(rules_version, sha256);
  -- A repo's head as search sees it: safe, suspicious or unsafe once every file has a verdict (NULL before).
  ALTER TABLE repos ADD COLUMN scan_status TEXT;
  `,
  `
  -- The model registry (src/governance/registry): registered models named like repos, their versions pinned to
  -- a repo and a commit, approvals, aliases and every alias move.
  CREATE TABLE registered_models (
    id INTEGER PRIMARY KEY,
    namespace TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    gates TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
  );
  CREATE UNIQUE INDEX registered_models_name ON registered_models(lower(namespace), lower(name));
  CREATE TABLE model_versions (
    model_id INTEGER NOT NULL REFERENCES registered_models(id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    repo_pk INTEGER NOT NULL,
    repo_id TEXT NOT NULL,
    commit_oid TEXT NOT NULL,
    revision TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    tags TEXT NOT NULL DEFAULT '{}',
    evidence TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (model_id, version)
  ) WITHOUT ROWID;
  CREATE TABLE model_version_approvals (
    model_id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    approver TEXT NOT NULL,
    role TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    PRIMARY KEY (model_id, version, approver),
    FOREIGN KEY (model_id, version) REFERENCES model_versions(model_id, version) ON DELETE CASCADE
  ) WITHOUT ROWID;
  CREATE TABLE model_aliases (
    model_id INTEGER NOT NULL REFERENCES registered_models(id) ON DELETE CASCADE,
    alias TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (model_id, alias)
  ) WITHOUT ROWID;
  CREATE TABLE model_alias_events (
    id INTEGER PRIMARY KEY,
    model_id INTEGER NOT NULL REFERENCES registered_models(id) ON DELETE CASCADE,
    alias TEXT NOT NULL,
    action TEXT NOT NULL,
    from_version INTEGER,
    to_version INTEGER NOT NULL,
    actor TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
  );
  CREATE INDEX model_alias_events_model ON model_alias_events(model_id, alias, id);
  -- The audit log (src/governance/audit): one hash chain, appended after the head row, never changed.
  CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,
    time TEXT NOT NULL,
    actor_user TEXT,
    actor_token_id INTEGER,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    outcome TEXT NOT NULL,
    request_id TEXT,
    client_address TEXT,
    details TEXT NOT NULL DEFAULT '{}',
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
  );
  CREATE INDEX audit_log_time ON audit_log(time);
  CREATE INDEX audit_log_actor ON audit_log(actor_user, seq);
  CREATE INDEX audit_log_target ON audit_log(target, seq);
  CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
  );
  INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '${"0".repeat(64)}');
  CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
  CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
  `,
  `
  -- Licence policies (src/governance/licences): the instance's (kind 'instance', name '') and each
  -- organisation's (kind 'org', name = the organisation); rules as JSON, validated by the service.
  CREATE TABLE license_policies (
    kind TEXT NOT NULL CHECK (kind IN ('instance', 'org')),
    name TEXT NOT NULL COLLATE NOCASE,
    rules TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (kind, name)
  ) WITHOUT ROWID;
  `,
  `
  -- Discussions and pull requests (issue 21): one numbering per repo, shared with refs/pr/N. Events are the
  -- timeline (comments, commits pushed to a pull request, status and title changes); data is their JSON.
  CREATE TABLE discussions (
    pk INTEGER PRIMARY KEY,
    repo_pk INTEGER NOT NULL REFERENCES repos(pk) ON DELETE CASCADE,
    num INTEGER NOT NULL,
    title TEXT NOT NULL,
    author TEXT NOT NULL,
    is_pull_request INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'closed', 'merged', 'draft')),
    target_branch TEXT,
    merge_commit_oid TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (repo_pk, num)
  );
  CREATE TABLE discussion_events (
    pk INTEGER PRIMARY KEY,
    discussion_pk INTEGER NOT NULL REFERENCES discussions(pk) ON DELETE CASCADE,
    event_id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL CHECK (type IN ('comment', 'status-change', 'commit', 'title-change')),
    author TEXT NOT NULL,
    created_at TEXT NOT NULL,
    data TEXT NOT NULL
  );
  CREATE INDEX discussion_events_discussion ON discussion_events(discussion_pk, pk);
  -- Pull requests opened before discussions existed (create_commit with create_pr) get their row.
  INSERT INTO discussions (repo_pk, num, title, author, is_pull_request, status, target_branch, created_at)
    SELECT r.repo_pk, CAST(r.name AS INTEGER), COALESCE(c.title, 'Pull request ' || r.name),
           COALESCE(c.author, 'deleted'), 1, 'open', 'main', r.updated_at
    FROM refs r LEFT JOIN commits c ON c.repo_pk = r.repo_pk AND c.oid = r.commit_oid
    WHERE r.kind = 'pr';
  `,
  `
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
  `,
  `
  -- Webhooks (src/hub/webhooks): what a namespace watches and where it is told; deliveries are queued here so
  -- a restart or another node still delivers them, and each attempt's outcome is kept as the webhook's log.
  CREATE TABLE webhooks (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL COLLATE NOCASE REFERENCES namespaces(name) ON DELETE CASCADE,
    url TEXT NOT NULL,
    secret TEXT,
    domains TEXT NOT NULL,
    watched TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    disabled_reason TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX webhooks_owner ON webhooks(owner);
  CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY,
    webhook_id TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    event TEXT NOT NULL,
    payload TEXT NOT NULL,
    repo_pk INTEGER,
    repo_namespace TEXT NOT NULL COLLATE NOCASE,
    repo_private INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'skipped')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    claimed_until INTEGER NOT NULL DEFAULT 0,
    response_status INTEGER,
    error TEXT,
    created_at TEXT NOT NULL,
    finished_at TEXT
  );
  CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at);
  CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries(webhook_id, id);

  -- Collections (src/hub/collections) and their items, in their owner's order.
  CREATE TABLE collections (
    slug TEXT PRIMARY KEY,
    object_id TEXT NOT NULL UNIQUE,
    owner TEXT NOT NULL COLLATE NOCASE REFERENCES namespaces(name) ON DELETE CASCADE,
    title TEXT NOT NULL,
    description TEXT,
    private INTEGER NOT NULL DEFAULT 0,
    theme TEXT NOT NULL DEFAULT 'orange',
    position INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    last_updated TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX collections_owner ON collections(owner, position);
  CREATE TABLE collection_items (
    object_id TEXT PRIMARY KEY,
    collection_slug TEXT NOT NULL REFERENCES collections(slug) ON DELETE CASCADE ON UPDATE CASCADE,
    item_type TEXT NOT NULL CHECK (item_type IN ('model', 'dataset', 'space', 'paper', 'collection')),
    item_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    note TEXT,
    added_at TEXT NOT NULL,
    UNIQUE (collection_slug, item_type, item_id)
  ) WITHOUT ROWID;
  CREATE INDEX collection_items_order ON collection_items(collection_slug, position);
  CREATE INDEX collection_items_item ON collection_items(item_type, item_id);

  -- Likes, followers and the dated popularity figures trending scores are computed from (src/hub/social).
  CREATE TABLE repo_likes (
    repo_pk INTEGER NOT NULL REFERENCES repos(pk) ON DELETE CASCADE,
    user TEXT NOT NULL COLLATE NOCASE REFERENCES namespaces(name) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (repo_pk, user)
  ) WITHOUT ROWID;
  CREATE INDEX repo_likes_user ON repo_likes(user, created_at);
  CREATE TABLE repo_daily_stats (
    repo_pk INTEGER NOT NULL REFERENCES repos(pk) ON DELETE CASCADE,
    day TEXT NOT NULL,
    downloads INTEGER NOT NULL DEFAULT 0,
    likes INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (repo_pk, day)
  ) WITHOUT ROWID;
  CREATE TABLE download_sessions (
    repo_pk INTEGER NOT NULL REFERENCES repos(pk) ON DELETE CASCADE,
    session TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (repo_pk, session)
  ) WITHOUT ROWID;
  CREATE INDEX download_sessions_expiry ON download_sessions(expires_at);
  CREATE TABLE follows (
    follower TEXT NOT NULL COLLATE NOCASE REFERENCES namespaces(name) ON DELETE CASCADE,
    followee TEXT NOT NULL COLLATE NOCASE REFERENCES namespaces(name) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (follower, followee)
  ) WITHOUT ROWID;
  CREATE INDEX follows_followee ON follows(followee, follower);
  `,
  `
  -- What the upstream hub reported of a repo's downloads and likes at the last \`hangar sync\` or pull, with
  -- when and from where, kept apart from Hangar's own counts; repos.downloads and repos.likes hold both summed.
  CREATE TABLE repo_upstream_popularity (
    repo_pk INTEGER PRIMARY KEY REFERENCES repos(pk) ON DELETE CASCADE,
    downloads INTEGER,
    likes INTEGER,
    taken_at TEXT NOT NULL,
    source TEXT NOT NULL
  );
  `,
  `
  -- Usage, cost and budgets (src/governance/pricing, src/governance/budgets). Costs are whole nano-dollars
  -- (1e-9 USD), so sums are exact; token ids, never token secrets.
  ALTER TABLE usage_events ADD COLUMN cost_nanos INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE usage_events ADD COLUMN tokens INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE usage_events ADD COLUMN token_id INTEGER;
  ALTER TABLE usage_events ADD COLUMN org TEXT;
  ALTER TABLE usage_events ADD COLUMN route TEXT;
  ALTER TABLE usage_events ADD COLUMN price_source TEXT;
  CREATE INDEX usage_events_org_at ON usage_events(org, at);
  CREATE INDEX usage_events_route_at ON usage_events(route, at);
  CREATE TABLE budgets (
    id TEXT PRIMARY KEY,
    scope_kind TEXT NOT NULL CHECK (scope_kind IN ('user', 'org', 'token', 'model', 'route')),
    scope_name TEXT NOT NULL COLLATE NOCASE,
    unit TEXT NOT NULL CHECK (unit IN ('usd', 'requests', 'tokens')),
    period TEXT NOT NULL CHECK (period IN ('day', 'month', 'total')),
    limit_amount INTEGER NOT NULL,
    thresholds TEXT NOT NULL,
    webhook_url TEXT,
    webhook_secret TEXT,
    created_by TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (scope_kind, scope_name, unit, period)
  ) WITHOUT ROWID;
  CREATE TABLE budget_spend (
    budget_id TEXT NOT NULL REFERENCES budgets(id) ON DELETE CASCADE,
    period_key TEXT NOT NULL,
    spent INTEGER NOT NULL DEFAULT 0,
    reserved INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (budget_id, period_key)
  ) WITHOUT ROWID;
  CREATE TABLE budget_alerts (
    budget_id TEXT NOT NULL REFERENCES budgets(id) ON DELETE CASCADE,
    period_key TEXT NOT NULL,
    threshold INTEGER NOT NULL,
    fired_at TEXT NOT NULL,
    PRIMARY KEY (budget_id, period_key, threshold)
  ) WITHOUT ROWID;
  CREATE TABLE prices (
    scope_kind TEXT NOT NULL CHECK (scope_kind IN ('model', 'route', 'backend', 'local', 'replica')),
    scope_name TEXT NOT NULL,
    input_per_million REAL,
    output_per_million REAL,
    per_hour REAL,
    updated_by TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (scope_kind, scope_name)
  ) WITHOUT ROWID;
  CREATE TABLE token_rate_limits (
    scope_kind TEXT NOT NULL CHECK (scope_kind IN ('user', 'token')),
    scope_name TEXT NOT NULL COLLATE NOCASE,
    tokens_per_minute INTEGER NOT NULL,
    updated_by TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (scope_kind, scope_name)
  ) WITHOUT ROWID;
  `,
  // Inference endpoints (src/inference/endpoints): each one's settings as JSON and the state it is in, so an
  // endpoint comes back in its state after a restart.
  `
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
  `,
  // A row per call and budget it reserves in, with the time it was taken (ms since the epoch), so that the
  // reservations of a process that died before settling expire (src/governance/budgets). Amounts reserved
  // before this have no row and could never be given back: they are dropped.
  `
  CREATE TABLE budget_reservations (
    id TEXT NOT NULL,
    budget_id TEXT NOT NULL REFERENCES budgets(id) ON DELETE CASCADE,
    period_key TEXT NOT NULL,
    amount INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (id, budget_id)
  ) WITHOUT ROWID;
  CREATE INDEX budget_reservations_created_at ON budget_reservations(created_at);
  UPDATE budget_spend SET reserved = 0;
  `,
  // Budgets are looked up by scope kind and name without regard to case (`lower(scope_name) = lower(?)`) on
  // every inference call: an index on that expression.
  `
  CREATE INDEX budgets_scope_lower ON budgets(scope_kind, lower(scope_name));
  `,
  // Budget alerts go out through the webhook delivery queue (durable, retried, on any node): a delivery is
  // for a webhook or for a budget's alert, never both. SQLite cannot drop a NOT NULL: the table is rebuilt.
  `
  CREATE TABLE webhook_deliveries_next (
    id INTEGER PRIMARY KEY,
    webhook_id TEXT REFERENCES webhooks(id) ON DELETE CASCADE,
    event TEXT NOT NULL,
    payload TEXT NOT NULL,
    repo_pk INTEGER,
    repo_namespace TEXT NOT NULL COLLATE NOCASE,
    repo_private INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'skipped')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    claimed_until INTEGER NOT NULL DEFAULT 0,
    response_status INTEGER,
    error TEXT,
    created_at TEXT NOT NULL,
    finished_at TEXT,
    budget_id TEXT REFERENCES budgets(id) ON DELETE CASCADE,
    CHECK ((webhook_id IS NULL) <> (budget_id IS NULL))
  );
  INSERT INTO webhook_deliveries_next (id, webhook_id, event, payload, repo_pk, repo_namespace, repo_private,
    status, attempts, next_attempt_at, claimed_until, response_status, error, created_at, finished_at)
  SELECT id, webhook_id, event, payload, repo_pk, repo_namespace, repo_private, status, attempts,
    next_attempt_at, claimed_until, response_status, error, created_at, finished_at FROM webhook_deliveries;
  DROP TABLE webhook_deliveries;
  ALTER TABLE webhook_deliveries_next RENAME TO webhook_deliveries;
  CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at);
  CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries(webhook_id, id);
  `,
];
