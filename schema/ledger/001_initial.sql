-- 001_initial: instances, their active ports, and the event history.

-- One row per instance name.  A released instance keeps its row and its
-- last offset, so the same name gets the same offset back (sticky).
CREATE TABLE instances (
	id		INTEGER PRIMARY KEY,
	name		TEXT NOT NULL UNIQUE,
	product		TEXT NOT NULL,
	offset		INTEGER NOT NULL CHECK (offset BETWEEN 0 AND 65535),
	state		TEXT NOT NULL CHECK (state IN
			    ('active', 'released', 'expired', 'reclaimed')),
	owner_uid	INTEGER NOT NULL,
	pid		INTEGER,
	pid_start	INTEGER,
	created		INTEGER NOT NULL,
	renewed		INTEGER NOT NULL,
	expires		INTEGER,
	labels		TEXT NOT NULL DEFAULT '{}',
	note		TEXT
);
CREATE INDEX instances_state ON instances (state, product);

-- The ports of ACTIVE leases only: rows go when a lease ends, so the
-- UNIQUE constraint is exactly "no two active instances share a port".
CREATE TABLE leased_ports (
	instance_id	INTEGER NOT NULL
			    REFERENCES instances (id) ON DELETE CASCADE,
	port		INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
	proto		TEXT NOT NULL CHECK (proto IN ('tcp', 'udp')),
	name		TEXT NOT NULL,
	UNIQUE (proto, port)
);
CREATE INDEX leased_ports_instance ON leased_ports (instance_id);

-- Append-only history.
CREATE TABLE events (
	id		INTEGER PRIMARY KEY,
	time		INTEGER NOT NULL,
	kind		TEXT NOT NULL CHECK (kind IN ('leased', 'renewed',
			    'released', 'expired', 'reclaimed', 'adopted',
			    'refused', 'attached')),
	instance	TEXT,
	product		TEXT,
	offset		INTEGER,
	uid		INTEGER,
	pid		INTEGER,
	detail		TEXT
);

CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN
	SELECT RAISE(ABORT, 'events are append-only');
END;
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
BEGIN
	SELECT RAISE(ABORT, 'events are append-only');
END;
