/**
 * SQLite migrations of discovery (src/discovery): the facts search filters on, the catalog change feed the
 * search index follows, and the upstream popularity figures search ranks by.
 * They run in the order of the list in src/store/sqlite-migrations.ts.
 * Never edit a migration that has shipped: add a new one.
 */

export const REPO_FACTS = `
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
  `;

export const CATALOG_CHANGES = `
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
  `;

export const UPSTREAM_POPULARITY = `
  -- What the upstream hub reported of a repo's downloads and likes at the last \`hangar sync\` or pull, with
  -- when and from where, kept apart from Hangar's own counts; repos.downloads and repos.likes hold both summed.
  CREATE TABLE repo_upstream_popularity (
    repo_pk INTEGER PRIMARY KEY REFERENCES repos(pk) ON DELETE CASCADE,
    downloads INTEGER,
    likes INTEGER,
    taken_at TEXT NOT NULL,
    source TEXT NOT NULL
  );
  `;
