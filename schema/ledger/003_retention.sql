-- 003_retention: a history that the daemon prunes (wso2-allocd
-- --history-max-age, --history-max-events), and refusals repeated by one
-- uid counted on one row instead of one row each.

-- Pruning deletes the oldest events; nothing else deletes any.
DROP TRIGGER events_append_only_delete;

-- A refusal's count and the time of its last repeat are the only
-- columns an event may change.
DROP TRIGGER events_append_only_update;
ALTER TABLE events ADD COLUMN repeats INTEGER NOT NULL DEFAULT 1;
ALTER TABLE events ADD COLUMN last_time INTEGER;
-- What refusals coalesce on: the error code and the kind of holder.
ALTER TABLE events ADD COLUMN reason TEXT;
CREATE TRIGGER events_append_only_update
BEFORE UPDATE OF id, time, kind, instance, product, offset, uid, pid,
    detail, reason ON events
BEGIN
	SELECT RAISE(ABORT, 'events are append-only');
END;

-- The newest refusal of a uid, product and reason, found in one seek.
CREATE INDEX events_refused ON events (uid, product, reason, id)
    WHERE kind = 'refused';
