-- 0041_dashboard_search: full-text search of one tenant's calls.
--
-- The call log always filters on tenant_id and searches with
-- search @@ websearch_to_tsquery(...).  A GIN index over both columns
-- (btree_gin, a trusted extension the database owner may create) answers
-- the two together, so a rare term costs a few index pages instead of a
-- scan of the tenant's calls.  Under row-level security PostgreSQL uses it
-- only when the @@ function is marked LEAKPROOF (done by the database
-- superuser: see docs/operations.md); without that the planner falls back
-- to calls_tenant_started_idx and filters row by row.
CREATE EXTENSION IF NOT EXISTS btree_gin;

CREATE INDEX calls_tenant_search_idx ON calls USING gin (tenant_id, search);
