-- Real-time latency (bench/README.md "Real-time latency"). ims_rfc3339 (0051) and
-- ims_audit_hash (0001) are SQL functions declared IMMUTABLE whose bodies call to_char,
-- which is STABLE. PostgreSQL does not inline a SQL function whose body is more volatile
-- than its declaration, so each call went through the SQL-function executor, which parses
-- and plans the body again in every statement that calls it: an event's write paid that
-- four times in the INSERT ... RETURNING of the incident and once in the audit row's hash.
-- Declared STABLE (what they are), the planner inlines them into the statement's cached
-- plan: same expressions, same text and hashes, byte for byte. No index, constraint or
-- generated column uses either (views do, and accept STABLE).
ALTER FUNCTION ims_rfc3339(timestamptz) STABLE;
ALTER FUNCTION ims_audit_hash(bytea, uuid, bigint, timestamptz, uuid, text, text, text) STABLE;
