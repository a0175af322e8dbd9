/**
 * SQLite migrations of the hub (src/hub) and its accounts: the first schema (namespaces, tokens, repos,
 * commits, trees, refs, blobs), blob leases, LFS uploads, multipart sessions, discussions and pull requests,
 * webhooks, collections, likes and follows.
 * They run in the order of the list in src/store/sqlite-migrations.ts.
 * Never edit a migration that has shipped: add a new one.
 */

/**
 * The first schema: settings, namespaces and their members and tokens, repos and their tags, commits,
 * trees, refs, blobs.
 */
export const CORE_SCHEMA = `
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
  `;

export const BLOB_LEASES = `
  -- Blob leases: claims gc must respect, from any process on this instance (ms since the epoch).
  CREATE TABLE blob_leases (
    sha256 TEXT NOT NULL,
    lease_id TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (sha256, lease_id)
  ) WITHOUT ROWID;
  CREATE INDEX blob_leases_by_lease ON blob_leases(lease_id);
  `;

export const LFS_UPLOADS = `
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
  `;

export const MULTIPART_SESSIONS = `
  -- Multipart upload sessions begun in the blob store and not yet completed or aborted (gc aborts expired ones).
  CREATE TABLE multipart_sessions (
    upload_id TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX multipart_sessions_expiry ON multipart_sessions(expires_at);
  `;

export const DISCUSSIONS = `
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
  `;

export const HUB_SOCIAL = `
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
  `;
