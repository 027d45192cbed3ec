-- The app's database role: reads and writes the data, cannot change the schema or the audit log.
-- Run as the owner role (the one that runs `parsurvey db upgrade`) after each upgrade, with psql:
--   psql "$OWNER_URL" -v app_role=parsurvey_app -f docs/production/app-role.sql
-- Create the role first (once): CREATE ROLE parsurvey_app LOGIN PASSWORD '...';
-- tests/server/test_database_role.py runs this file on PostgreSQL.
GRANT USAGE ON SCHEMA public TO :"app_role";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app_role";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"app_role";
-- The audit log: read and append; UPDATE only of the chain columns, which sealing fills in once (the
-- audit_log_append_only trigger refuses any other change, and it belongs to the owner, so the app role
-- can neither drop nor disable it); no DELETE, no TRUNCATE.
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM :"app_role";
GRANT UPDATE (position, prev_hash, hash) ON audit_log TO :"app_role";
-- Alembic's bookkeeping is the owner's alone.
REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM :"app_role";
