-- Every change to a selection run NOTIFYs its dataset version's id on "stratum_run_changes" (sent on
-- commit; PostgreSQL folds repeats within a transaction). API processes cache run lists per version and
-- drop them on this signal, whichever process or code path wrote the row (the Prisma schema cannot
-- express triggers, hence plain SQL here).
CREATE FUNCTION stratum_notify_run_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    PERFORM pg_notify('stratum_run_changes', OLD."datasetVersionId"::text);
  END IF;
  IF TG_OP <> 'DELETE' THEN
    PERFORM pg_notify('stratum_run_changes', NEW."datasetVersionId"::text);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER "SelectionRun_notify_change"
  AFTER INSERT OR UPDATE OR DELETE ON "SelectionRun"
  FOR EACH ROW EXECUTE FUNCTION stratum_notify_run_change();

-- TRUNCATE fires no row triggers: it says "*", every version.
CREATE FUNCTION stratum_notify_runs_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('stratum_run_changes', '*');
  RETURN NULL;
END
$$;

CREATE TRIGGER "SelectionRun_notify_truncate"
  AFTER TRUNCATE ON "SelectionRun"
  FOR EACH STATEMENT EXECUTE FUNCTION stratum_notify_runs_truncated();
