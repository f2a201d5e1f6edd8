-- The portfolio: every tenant of a scope with its figures (server/rpc/portfolio.c).

-- name: PORTFOLIO_TENANTS
-- Run with all tenants.
-- $1 tenant ids (csv, or NULL for all)
-- $2 days of trend
-- -> id, slug, display name, sector, level, maturity, revision, open nonconformities,
--    overdue actions, trend ("YYYY-MM-DD=level" joined by ",")
WITH scope AS (
    SELECT t.id, t.slug, t.display_name, t.sector, coalesce(t.security_level, 0) AS level,
           coalesce(t.maturity, 0) AS maturity, t.revision
    FROM tenants t
    WHERE $1::text IS NULL OR t.id = ANY (string_to_array($1, ',')::uuid[])
)
SELECT s.id, s.slug, s.display_name, s.sector, s.level, s.maturity, s.revision,
       p.open_nonconformities, p.overdue_actions, p.trend
FROM scope s
JOIN ims_portfolio((SELECT coalesce(array_agg(id), '{}') FROM scope), $2::int) p
  ON p.tenant_id = s.id
ORDER BY s.slug;
