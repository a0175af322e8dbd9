/**
 * PostgreSQL migrations of discovery (src/discovery): the catalog change feed the search index follows,
 * and the upstream popularity figures search ranks by.
 * They run in the order of the list in src/store/postgres-migrations.ts.
 * Never edit a migration that has shipped: add a new one.
 */

/**
 * The change feed (as SQLite's catalog_changes): every write to a repo row or its facts appends the repo's
 * pk, in the writing transaction, for followers that read `seq > last seen`.
 *
 * A sequence or identity would not do: its numbers are handed out at INSERT, not at COMMIT, so a
 * transaction holding seq 7 may commit after another's seq 8, and a follower that already read 8 would
 * skip 7 for ever. Here seq comes from the one row of catalog_change_counter, updated in the trigger: the
 * row stays locked until the writing transaction ends, so the next writer of the feed gets its seq only
 * after this one committed (or rolled back), and seqs become visible in increasing order. The price is that
 * writers of repos and repo_facts serialise from their first such write to their commit (a deadlock this
 * can cause is retried by the engine's transactions). A rolled-back transaction returns its numbers.
 */
export const CHANGE_FEED = `
CREATE TABLE catalog_changes (seq bigint PRIMARY KEY, repo_pk bigint NOT NULL);
CREATE TABLE catalog_change_counter (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  seq bigint NOT NULL
);
INSERT INTO catalog_change_counter (seq) VALUES (0);

CREATE FUNCTION catalog_changes_append(changed_repo bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  next_seq bigint;
BEGIN
  UPDATE catalog_change_counter SET seq = seq + 1 RETURNING seq INTO next_seq;
  INSERT INTO catalog_changes (seq, repo_pk) VALUES (next_seq, changed_repo);
END;
$$;
CREATE FUNCTION catalog_changes_repo() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM catalog_changes_append(OLD.pk);
  ELSE
    PERFORM catalog_changes_append(NEW.pk);
  END IF;
  RETURN NULL;
END;
$$;
CREATE FUNCTION catalog_changes_facts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM catalog_changes_append(NEW.repo_pk);
  RETURN NULL;
END;
$$;
CREATE FUNCTION catalog_changes_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('hangar_catalog_changes', (SELECT seq FROM catalog_change_counter)::text);
  RETURN NULL;
END;
$$;

CREATE TRIGGER catalog_changes_repo AFTER INSERT OR UPDATE OR DELETE ON repos
  FOR EACH ROW EXECUTE FUNCTION catalog_changes_repo();
CREATE TRIGGER catalog_changes_facts AFTER INSERT OR UPDATE ON repo_facts
  FOR EACH ROW EXECUTE FUNCTION catalog_changes_facts();
CREATE TRIGGER catalog_changes_repo_notify AFTER INSERT OR UPDATE OR DELETE ON repos
  FOR EACH STATEMENT EXECUTE FUNCTION catalog_changes_notify();
CREATE TRIGGER catalog_changes_facts_notify AFTER INSERT OR UPDATE ON repo_facts
  FOR EACH STATEMENT EXECUTE FUNCTION catalog_changes_notify();
`;

/**
 * The first schema also sent NOTIFY hangar_catalog_changes after each statement, for followers to LISTEN.
 * None does: the search index reads the change sequence before every query (one indexed read), which is what
 * keeps a query from ever seeing a repo's old visibility, so the notifications were work for nobody.
 */
export const DROP_CHANGE_NOTIFY = `
DROP TRIGGER catalog_changes_repo_notify ON repos;
DROP TRIGGER catalog_changes_facts_notify ON repo_facts;
DROP FUNCTION catalog_changes_notify();
`;

/**
 * What the upstream hub reported of a repo's downloads and likes at the last `hangar sync` or pull, with when
 * and from where, kept apart from Hangar's own counts; repos.downloads and repos.likes hold both summed.
 */
export const UPSTREAM_POPULARITY = `
CREATE TABLE repo_upstream_popularity (
  repo_pk bigint PRIMARY KEY REFERENCES repos(pk) ON DELETE CASCADE,
  downloads bigint,
  likes bigint,
  taken_at text COLLATE "C" NOT NULL,
  source text COLLATE "C" NOT NULL
);
`;
