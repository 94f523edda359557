-- 005_state_check: the instances table again, its state CHECK written
-- as equalities.  SQLite evaluates "state IN (list)" through an
-- ephemeral b-tree built for every statement that writes the row (every
-- lease and every end: about 20k instructions and two zeroed pages
-- each); four equalities say the same at no cost.  Rows, ids and names
-- are kept as they are.
CREATE TABLE instances_v3 (
	id		INTEGER PRIMARY KEY,
	name		TEXT NOT NULL UNIQUE,
	product		TEXT NOT NULL,
	offset		INTEGER NOT NULL CHECK (offset BETWEEN 0 AND 65535),
	state		TEXT NOT NULL CHECK (state = 'active' OR
			    state = 'released' OR state = 'expired' OR
			    state = 'reclaimed'),
	owner_uid	INTEGER NOT NULL,
	pid		INTEGER,
	pid_start	INTEGER,
	created		INTEGER NOT NULL,
	renewed		INTEGER NOT NULL,
	expires		INTEGER,
	labels		TEXT NOT NULL DEFAULT '{}',
	note		TEXT,
	home		TEXT,
	ports		TEXT
);
INSERT INTO instances_v3 (id, name, product, offset, state, owner_uid, pid,
    pid_start, created, renewed, expires, labels, note, home, ports)
    SELECT id, name, product, offset, state, owner_uid, pid, pid_start,
    created, renewed, expires, labels, note, home, ports FROM instances
    ORDER BY id;
DROP TABLE instances;
ALTER TABLE instances_v3 RENAME TO instances;
CREATE INDEX instances_state ON instances (state, product);
