-- 004_v2: ledger v2, shaped for the write path.  Port uniqueness stays
-- in the database, in a table keyed (proto, port) that is only written
-- and deleted by key; a lease reads its ports from its own row; an event
-- names its instance by id.  Every lease, port and event is kept.

-- An active lease's ports: "name=port/proto" entries joined by ',', a
-- name's '%', ',' and '=' written %25, %2C and %3D.  NULL once it ends.
ALTER TABLE instances ADD COLUMN ports TEXT;
UPDATE instances SET ports = (SELECT group_concat(entry, ',') FROM
    (SELECT replace(replace(replace(p.name, '%', '%25'), ',', '%2C'),
    '=', '%3D') || '=' || p.port || '/' || p.proto AS entry
    FROM leased_ports p WHERE p.instance_id = instances.id
    ORDER BY p.port, p.proto))
WHERE state = 'active';

-- The ports of active leases, one b-tree: its key is the constraint "no
-- two active leases share a port".  No index by instance: a lease's ports
-- are deleted by key, from its row or from the daemon's memory.
CREATE TABLE leased_ports_v2 (
	proto		TEXT NOT NULL CHECK (proto IN ('tcp', 'udp')),
	port		INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
	instance_id	INTEGER NOT NULL,
	PRIMARY KEY (proto, port)
) WITHOUT ROWID;
INSERT INTO leased_ports_v2 (proto, port, instance_id)
    SELECT proto, port, instance_id FROM leased_ports;
DROP TABLE leased_ports;
ALTER TABLE leased_ports_v2 RENAME TO leased_ports;

-- Events: kind as the number of enum wa_event_kind (0 leased, 1 renewed,
-- 2 released, 3 expired, 4 reclaimed, 5 adopted, 6 refused, 7 attached);
-- the instance as its row's id, or as name when the name had no row
-- when the event was written (a refused new name).
CREATE TABLE events_v2 (
	id		INTEGER PRIMARY KEY,
	time		INTEGER NOT NULL,
	kind		INTEGER NOT NULL CHECK (kind BETWEEN 0 AND 7),
	instance_id	INTEGER,
	name		TEXT,
	product		TEXT,
	offset		INTEGER,
	uid		INTEGER,
	pid		INTEGER,
	detail		TEXT,
	repeats		INTEGER NOT NULL DEFAULT 1,
	last_time	INTEGER,
	reason		TEXT
);
INSERT INTO events_v2 (id, time, kind, instance_id, name, product, offset,
    uid, pid, detail, repeats, last_time, reason)
    SELECT e.id, e.time, CASE e.kind WHEN 'leased' THEN 0
    WHEN 'renewed' THEN 1 WHEN 'released' THEN 2 WHEN 'expired' THEN 3
    WHEN 'reclaimed' THEN 4 WHEN 'adopted' THEN 5 WHEN 'refused' THEN 6
    WHEN 'attached' THEN 7 END, i.id, CASE WHEN i.id IS NULL THEN
    e.instance END, e.product, e.offset, e.uid, e.pid, e.detail,
    e.repeats, e.last_time, e.reason
    FROM events e LEFT JOIN instances i ON i.name = e.instance
    ORDER BY e.id;
DROP TABLE events;
ALTER TABLE events_v2 RENAME TO events;
CREATE INDEX events_instance ON events (instance_id, id);
CREATE INDEX events_name ON events (name, id) WHERE name IS NOT NULL;
CREATE INDEX events_refused ON events (uid, product, reason, id)
    WHERE kind = 6;
CREATE TRIGGER events_append_only_update
BEFORE UPDATE OF id, time, kind, instance_id, name, product, offset, uid,
    pid, detail, reason ON events
BEGIN
	SELECT RAISE(ABORT, 'events are append-only');
END;
