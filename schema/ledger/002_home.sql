-- 002_home: the carbon home of an instance, and history by instance.
ALTER TABLE instances ADD COLUMN home TEXT;
CREATE INDEX events_instance ON events (instance, id);
