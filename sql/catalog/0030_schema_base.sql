-- The base schema, version 1: all three management systems and frameworks, every
-- control and sub-control applicable with the catalog weights, the default model
-- parameters, the whole risk catalog, every metric and every artefact.

INSERT INTO schemas (schema_id, version, name, description, sector, size_band)
VALUES ('base', 1, 'Base integrated management system',
        'ISO/IEC 27001:2022, ISO 22301:2019 and ISO 31000:2018 in one system; everything applicable; default parameters. The parent of every sector schema.',
        NULL, NULL);

INSERT INTO schema_systems (schema_id, version, system_id, enabled, weight)
SELECT 'base', 1, m.id, true, m.default_weight FROM management_systems m;

INSERT INTO schema_frameworks (schema_id, version, framework_id, enabled)
SELECT 'base', 1, f.id, true FROM frameworks f WHERE f.retired_release IS NULL;

INSERT INTO schema_controls (schema_id, version, control_id, applicable, weight)
SELECT 'base', 1, c.id, true, 1 FROM controls c WHERE c.retired_release IS NULL;

INSERT INTO schema_subcontrols (schema_id, version, subcontrol_id, applicable, weight, effort)
SELECT 'base', 1, s.id, true, s.weight, s.effort FROM subcontrols s WHERE s.retired_release IS NULL;

INSERT INTO schema_threats (schema_id, version, threat_id, likelihood, dimensions)
SELECT 'base', 1, t.id, t.likelihood, t.dimensions FROM threats t WHERE t.retired_release IS NULL;

INSERT INTO schema_asset_type_threats (schema_id, version, asset_type_id, threat_id, degradation)
SELECT 'base', 1, a.asset_type_id, a.threat_id, a.degradation FROM asset_type_threats a;

INSERT INTO schema_mitigations (schema_id, version, threat_id, control_id, effectiveness)
SELECT 'base', 1, m.threat_id, m.control_id, m.effectiveness FROM mitigations m;

INSERT INTO schema_metrics (schema_id, version, metric_id, enabled, aggregation, window_s, target, threshold, max_age_s)
SELECT 'base', 1, m.id, true, m.aggregation, m.window_s, m.target, m.threshold, m.max_age_s
  FROM metrics m WHERE m.retired_release IS NULL;

INSERT INTO schema_metric_controls (schema_id, version, metric_id, control_id, weight)
SELECT 'base', 1, mc.metric_id, mc.control_id, mc.weight FROM metric_controls mc;

INSERT INTO schema_artefacts (schema_id, version, artefact_id, required)
SELECT 'base', 1, a.id, true FROM artefacts a WHERE a.retired_release IS NULL;
