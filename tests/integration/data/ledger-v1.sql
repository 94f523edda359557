PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
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
, home TEXT);
INSERT INTO instances VALUES(1,'alpha','mi-4',0,'active',0,NULL,NULL,1796022218717,1796022218717,NULL,'{"env":"dev","team":"a"}',NULL,NULL);
INSERT INTO instances VALUES(2,'beta','apim-4',1,'active',0,NULL,NULL,1796022218724,1796022218724,NULL,'{}',NULL,NULL);
INSERT INTO instances VALUES(3,'gamma','is-7',30,'active',0,NULL,NULL,1796022219933,1796022219933,NULL,'{}',NULL,NULL);
INSERT INTO instances VALUES(4,'mi-4-1','mi-4',2,'active',0,NULL,NULL,1796022218748,1796022218748,NULL,'{}',NULL,NULL);
INSERT INTO instances VALUES(5,'kappa','is-7',0,'active',4242,NULL,NULL,1796022218757,1796022218757,NULL,'{"owner":"4242"}',NULL,NULL);
INSERT INTO instances VALUES(6,'delta','mi-4',3,'expired',0,NULL,NULL,1796022218764,1796022219765,1796022219764,'{}',NULL,NULL);
INSERT INTO instances VALUES(7,'eps','mi-4',3,'reclaimed',0,17143,1108510,1796022219848,1796022219854,NULL,'{}',NULL,NULL);
INSERT INTO instances VALUES(8,'zeta','apim-4',3,'released',0,17164,1108515,1796022219860,1796022219895,1796029419877,'{}',NULL,NULL);
INSERT INTO instances VALUES(9,'theta','mi-4',40,'active',0,NULL,NULL,1796022219926,1796022219926,NULL,'{}',NULL,NULL);
CREATE TABLE leased_ports (
	instance_id	INTEGER NOT NULL
			    REFERENCES instances (id) ON DELETE CASCADE,
	port		INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
	proto		TEXT NOT NULL CHECK (proto IN ('tcp', 'udp')),
	name		TEXT NOT NULL,
	UNIQUE (proto, port)
);
INSERT INTO leased_ports VALUES(1,8280,'tcp','passthrough-http');
INSERT INTO leased_ports VALUES(1,8243,'tcp','passthrough-https');
INSERT INTO leased_ports VALUES(1,9191,'tcp','mgmt-api-http');
INSERT INTO leased_ports VALUES(1,9154,'tcp','mgmt-api-https');
INSERT INTO leased_ports VALUES(2,9444,'tcp','servlet-https');
INSERT INTO leased_ports VALUES(2,9764,'tcp','servlet-http');
INSERT INTO leased_ports VALUES(2,10000,'tcp','jmx-rmi-registry');
INSERT INTO leased_ports VALUES(2,11112,'tcp','jmx-rmi-server');
INSERT INTO leased_ports VALUES(2,8281,'tcp','passthrough-http');
INSERT INTO leased_ports VALUES(2,8244,'tcp','passthrough-https');
INSERT INTO leased_ports VALUES(2,5673,'tcp','jms-amqp');
INSERT INTO leased_ports VALUES(2,8673,'tcp','jms-amqp-ssl');
INSERT INTO leased_ports VALUES(2,9612,'tcp','databridge-binary-tcp');
INSERT INTO leased_ports VALUES(2,9712,'tcp','databridge-binary-ssl');
INSERT INTO leased_ports VALUES(2,9100,'tcp','websocket-ws');
INSERT INTO leased_ports VALUES(2,8100,'tcp','websocket-wss');
INSERT INTO leased_ports VALUES(2,9022,'tcp','websub-http');
INSERT INTO leased_ports VALUES(2,8022,'tcp','websub-https');
INSERT INTO leased_ports VALUES(2,10712,'tcp','thrift-auth-ssl');
INSERT INTO leased_ports VALUES(2,8001,'udp','kdc');
INSERT INTO leased_ports VALUES(4,8282,'tcp','passthrough-http');
INSERT INTO leased_ports VALUES(4,8245,'tcp','passthrough-https');
INSERT INTO leased_ports VALUES(4,9193,'tcp','mgmt-api-http');
INSERT INTO leased_ports VALUES(4,9156,'tcp','mgmt-api-https');
INSERT INTO leased_ports VALUES(5,9443,'tcp','servlet-https');
INSERT INTO leased_ports VALUES(5,9763,'tcp','servlet-http');
INSERT INTO leased_ports VALUES(5,9999,'tcp','jmx-rmi-registry');
INSERT INTO leased_ports VALUES(5,11111,'tcp','jmx-rmi-server');
INSERT INTO leased_ports VALUES(5,10711,'tcp','thrift-auth-ssl');
INSERT INTO leased_ports VALUES(9,8320,'tcp','passthrough-http');
INSERT INTO leased_ports VALUES(9,8283,'tcp','passthrough-https');
INSERT INTO leased_ports VALUES(9,9231,'tcp','mgmt-api-http');
INSERT INTO leased_ports VALUES(9,9194,'tcp','mgmt-api-https');
INSERT INTO leased_ports VALUES(3,9473,'tcp','servlet-https');
INSERT INTO leased_ports VALUES(3,9793,'tcp','servlet-http');
INSERT INTO leased_ports VALUES(3,10029,'tcp','jmx-rmi-registry');
INSERT INTO leased_ports VALUES(3,11141,'tcp','jmx-rmi-server');
INSERT INTO leased_ports VALUES(3,10741,'tcp','thrift-auth-ssl');
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
, repeats INTEGER NOT NULL DEFAULT 1, last_time INTEGER, reason TEXT);
INSERT INTO events VALUES(1,1796022218717,'leased','alpha','mi-4',0,0,NULL,NULL,1,NULL,NULL);
INSERT INTO events VALUES(2,1796022218724,'leased','beta','apim-4',1,0,NULL,NULL,1,NULL,NULL);
INSERT INTO events VALUES(3,1796022218733,'leased','gamma','is-7',30,0,NULL,NULL,1,NULL,NULL);
INSERT INTO events VALUES(4,1796022218741,'released','gamma','is-7',30,0,17057,NULL,1,NULL,NULL);
INSERT INTO events VALUES(5,1796022218748,'leased','mi-4-1','mi-4',2,0,NULL,NULL,1,NULL,NULL);
INSERT INTO events VALUES(6,1796022218758,'leased','kappa','is-7',0,4242,NULL,NULL,1,NULL,NULL);
INSERT INTO events VALUES(7,1796022218764,'leased','delta','mi-4',3,0,NULL,NULL,1,NULL,NULL);
INSERT INTO events VALUES(8,1796022219765,'expired','delta','mi-4',3,0,NULL,'{"reason": "ttl elapsed"}',1,NULL,NULL);
INSERT INTO events VALUES(9,1796022219848,'leased','eps','mi-4',3,0,17143,NULL,1,NULL,NULL);
INSERT INTO events VALUES(10,1796022219854,'reclaimed','eps','mi-4',3,0,NULL,'{"reason": "process exited"}',1,NULL,NULL);
INSERT INTO events VALUES(11,1796022219860,'leased','zeta','apim-4',3,0,NULL,NULL,1,NULL,NULL);
INSERT INTO events VALUES(12,1796022219869,'renewed','zeta','apim-4',3,0,17158,NULL,1,NULL,NULL);
INSERT INTO events VALUES(13,1796022219877,'renewed','zeta','apim-4',3,0,17162,NULL,1,NULL,NULL);
INSERT INTO events VALUES(14,1796022219887,'attached','zeta','apim-4',3,0,17167,'{"pid": 17164}',1,NULL,NULL);
INSERT INTO events VALUES(15,1796022219895,'released','zeta','apim-4',3,0,17171,NULL,1,NULL,NULL);
INSERT INTO events VALUES(16,1796022219904,'refused','alpha','is-7',NULL,0,17174,'{"holder":"alpha","holder_kind":"name","home":null,"message":"name alpha is taken: leased by uid 0 for mi-4 at offset 0, no home; this request''s product differs: use another --name","mismatch":["product"],"offset":0,"owner_uid":0,"product":"mi-4"}',3,1796022219909,'name');
INSERT INTO events VALUES(17,1796022219914,'refused','iota','is-7',0,4242,17180,'{"holder":"kappa","holder_kind":"lease","holder_port":"servlet-https","message":"port 9443/tcp (servlet-https) of is-7 is held by kappa as its servlet-https","port":9443,"port_name":"servlet-https","proto":"tcp"}',2,1796022219920,'lease');
INSERT INTO events VALUES(18,1796022219922,'refused','theta','mi-4',0,0,17184,'{"holder":"alpha","holder_kind":"lease","holder_port":"passthrough-http","message":"port 8280/tcp (passthrough-http) of mi-4 is held by alpha as its passthrough-http","port":8280,"port_name":"passthrough-http","proto":"tcp"}',1,NULL,'lease');
INSERT INTO events VALUES(19,1796022219926,'leased','theta','mi-4',40,0,NULL,NULL,1,NULL,NULL);
INSERT INTO events VALUES(20,1796022219933,'leased','gamma','is-7',30,0,NULL,NULL,1,NULL,NULL);
CREATE INDEX instances_state ON instances (state, product);
CREATE INDEX leased_ports_instance ON leased_ports (instance_id);
CREATE INDEX events_instance ON events (instance, id);
CREATE TRIGGER events_append_only_update
BEFORE UPDATE OF id, time, kind, instance, product, offset, uid, pid,
    detail, reason ON events
BEGIN
	SELECT RAISE(ABORT, 'events are append-only');
END;
CREATE INDEX events_refused ON events (uid, product, reason, id)
    WHERE kind = 'refused';
COMMIT;
PRAGMA user_version = 3;
