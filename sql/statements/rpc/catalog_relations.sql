-- Statements of the catalog's relations between controls: predecessors of an earlier
-- edition and related controls of another framework (server/rpc/catalog.c, legacy.c).

-- name: CATALOG_CONTROL_PREDECESSORS
-- $1 control id
-- -> edition, predecessor id, title, relation
SELECT edition, predecessor, title, relation
FROM control_predecessors
WHERE control_id = $1
ORDER BY edition, predecessor;

-- name: CATALOG_CONTROL_RELATIONS
-- $1 control id
-- -> the other control, relation, note (in either direction)
SELECT CASE WHEN control_id = $1 THEN related_id ELSE control_id END, relation, note
FROM control_relations
WHERE control_id = $1 OR related_id = $1
ORDER BY 1;

-- name: TRANSLATE_CONTROLS
-- $1 edition
-- $2 ids (text array literal)
-- -> index, id, 2022 controls (csv), the tenant's applicable sub-controls of them (csv)
SELECT idx, id, controls, subcontrols FROM ims_translate_controls($1, $2::text[]);
