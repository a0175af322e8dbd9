/**
 * SQLite migrations of governance (src/governance): scan verdicts, the model registry and the audit log,
 * licence policies, usage cost, prices and budgets.
 * They run in the order of the list in src/store/sqlite-migrations.ts.
 * Never edit a migration that has shipped: add a new one.
 */

export const SCAN_RESULTS = `
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
  `;

export const REGISTRY_AND_AUDIT = `
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
  `;

export const LICENSE_POLICIES = `
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
  `;

export const USAGE_COST_BUDGETS = `
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
  `;

/**
 * A row per call and budget it reserves in, with the time it was taken (ms since the epoch), so that the
 * reservations of a process that died before settling expire (src/governance/budgets). Amounts reserved
 * before this have no row and could never be given back: they are dropped.
 */
export const BUDGET_RESERVATIONS = `
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
  `;

/**
 * Budgets are looked up by scope kind and name without regard to case (`lower(scope_name) = lower(?)`) on
 * every inference call: an index on that expression.
 */
export const BUDGET_SCOPE_INDEX = `
  CREATE INDEX budgets_scope_lower ON budgets(scope_kind, lower(scope_name));
  `;

/**
 * Budget alerts go out through the webhook delivery queue (durable, retried, on any node): a delivery is
 * for a webhook or for a budget's alert, never both. SQLite cannot drop a NOT NULL: the table is rebuilt.
 */
export const BUDGET_ALERT_DELIVERIES = `
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
  `;
