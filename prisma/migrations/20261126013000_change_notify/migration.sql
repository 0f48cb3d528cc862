-- Row changes that in-process caches depend on, NOTIFYed on "stratum_changes" (sent on commit;
-- PostgreSQL folds repeats within a transaction), whichever process or code path wrote the row:
--   runs:<datasetVersionId>  a selection run of that version was inserted, updated or deleted;
--   version:<id>             a dataset version was updated or deleted;
--   user:<id>                what authenticates or authorises that user changed: a membership, a session
--                            or an API token ended or changed, or the user row itself;
--   *                        a TRUNCATE (no row triggers fire): everything.
-- The API keeps run-list pages, version rows and auth lookups in memory and drops them on these
-- (apps/server/src/cache, apps/server/src/auth/auth-cache.ts).
-- The Prisma schema cannot express triggers, hence plain SQL here.

-- TG_ARGV[0] is the kind, TG_ARGV[1] the column holding the id it names. An update notifies the old and
-- the new id (the same one, folded, unless the row moved).
CREATE FUNCTION stratum_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    PERFORM pg_notify('stratum_changes', TG_ARGV[0] || ':' || (to_jsonb(OLD) ->> TG_ARGV[1]));
  END IF;
  IF TG_OP <> 'DELETE' THEN
    PERFORM pg_notify('stratum_changes', TG_ARGV[0] || ':' || (to_jsonb(NEW) ->> TG_ARGV[1]));
  END IF;
  RETURN NULL;
END
$$;

CREATE FUNCTION stratum_notify_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('stratum_changes', '*');
  RETURN NULL;
END
$$;

CREATE TRIGGER "SelectionRun_notify_change" AFTER INSERT OR UPDATE OR DELETE ON "SelectionRun"
  FOR EACH ROW EXECUTE FUNCTION stratum_notify_change('runs', 'datasetVersionId');
CREATE TRIGGER "DatasetVersion_notify_change" AFTER UPDATE OR DELETE ON "DatasetVersion"
  FOR EACH ROW EXECUTE FUNCTION stratum_notify_change('version', 'id');
CREATE TRIGGER "Membership_notify_change" AFTER INSERT OR UPDATE OR DELETE ON "Membership"
  FOR EACH ROW EXECUTE FUNCTION stratum_notify_change('user', 'userId');
CREATE TRIGGER "Session_notify_change" AFTER UPDATE OR DELETE ON "Session"
  FOR EACH ROW EXECUTE FUNCTION stratum_notify_change('user', 'userId');
-- Not on lastUsedAt, which authentication itself writes.
CREATE TRIGGER "ApiToken_notify_change"
  AFTER UPDATE OF "userId", "consortiumId", role, "expiresAt", "revokedAt", "tokenHash" OR DELETE ON "ApiToken"
  FOR EACH ROW EXECUTE FUNCTION stratum_notify_change('user', 'userId');
CREATE TRIGGER "User_notify_change" AFTER UPDATE OR DELETE ON "User"
  FOR EACH ROW EXECUTE FUNCTION stratum_notify_change('user', 'id');

CREATE TRIGGER "SelectionRun_notify_truncate" AFTER TRUNCATE ON "SelectionRun"
  FOR EACH STATEMENT EXECUTE FUNCTION stratum_notify_truncated();
CREATE TRIGGER "DatasetVersion_notify_truncate" AFTER TRUNCATE ON "DatasetVersion"
  FOR EACH STATEMENT EXECUTE FUNCTION stratum_notify_truncated();
CREATE TRIGGER "Membership_notify_truncate" AFTER TRUNCATE ON "Membership"
  FOR EACH STATEMENT EXECUTE FUNCTION stratum_notify_truncated();
CREATE TRIGGER "Session_notify_truncate" AFTER TRUNCATE ON "Session"
  FOR EACH STATEMENT EXECUTE FUNCTION stratum_notify_truncated();
CREATE TRIGGER "ApiToken_notify_truncate" AFTER TRUNCATE ON "ApiToken"
  FOR EACH STATEMENT EXECUTE FUNCTION stratum_notify_truncated();
