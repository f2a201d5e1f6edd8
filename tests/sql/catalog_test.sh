#!/bin/sh
# Checks of the catalog, the schemas and the tenant-content tables.
#
# Usage: IMS_TEST_DSN='host=/tmp/pg dbname=ims' tests/sql/catalog_test.sh
# The database must have every migration applied, and the DSN's user must be able to
# insert into tenants and SET ROLE ims_app (a superuser or the database owner). Every
# check runs in its own transaction and rolls back, so the database is left unchanged.
# Exits non-zero when a check fails; the last line is "N passed, M failed".

set -u

if [ -z "${IMS_TEST_DSN:-}" ]; then
    echo "IMS_TEST_DSN is not set" >&2
    exit 2
fi

passed=0
failed=0

# check NAME: reads SQL on stdin; passes when psql succeeds and every line it prints is 't'.
check() {
    name=$1
    sql=$(cat)
    out=$(printf 'BEGIN;\n%s\nROLLBACK;\n' "$sql" |
          psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$IMS_TEST_DSN" 2>&1)
    rc=$?
    # every line psql printed must be 't' (each SELECT of a check is one assertion)
    bad=$(printf '%s\n' "$out" | grep -cvx 't')
    if [ $rc -eq 0 ] && [ -n "$out" ] && [ "$bad" -eq 0 ]; then
        passed=$((passed + 1))
        echo "ok   $name"
    else
        failed=$((failed + 1))
        echo "FAIL $name"
        printf '%s\n' "$out" | sed 's/^/     /' | tail -n 5
    fi
}

check "Annex A has 93 controls in 4 themes (37/8/14/34)" <<'SQL'
SELECT count(*) = 93
   AND count(DISTINCT domain_id) = 4
   AND count(*) FILTER (WHERE domain_id = 'A.5') = 37
   AND count(*) FILTER (WHERE domain_id = 'A.6') = 8
   AND count(*) FILTER (WHERE domain_id = 'A.7') = 14
   AND count(*) FILTER (WHERE domain_id = 'A.8') = 34
  FROM controls WHERE id LIKE 'A.%' AND framework_id = 'iso27001-2022';
SQL

check "four frameworks, one per management system (ISMS, BCMS, RMS, SMS), each with controls" <<'SQL'
SELECT (SELECT count(*) FROM frameworks) = 4
   AND (SELECT count(DISTINCT system_id) FROM frameworks) = 4
   AND (SELECT system_id FROM frameworks WHERE id = 'iso20000-1-2018') = 'SMS'
   AND NOT EXISTS (SELECT 1 FROM frameworks f
                    WHERE NOT EXISTS (SELECT 1 FROM controls c WHERE c.framework_id = f.id));
SQL

check "every control's domain belongs to the control's framework" <<'SQL'
SELECT NOT EXISTS (SELECT 1 FROM controls c JOIN domains d ON d.id = c.domain_id
                    WHERE d.framework_id <> c.framework_id);
SQL

check "every control has 2 to 5 sub-controls" <<'SQL'
SELECT NOT EXISTS (
    SELECT 1 FROM controls c
     WHERE (SELECT count(*) FROM subcontrol_controls sc JOIN subcontrols s ON s.id = sc.subcontrol_id
             WHERE sc.control_id = c.id AND s.retired_release IS NULL) NOT BETWEEN 2 AND 5);
SQL

check "every sub-control belongs to a control and has level 1..3, weight and effort 1..5" <<'SQL'
SELECT NOT EXISTS (SELECT 1 FROM subcontrols s
                    WHERE s.level NOT BETWEEN 1 AND 3
                       OR s.weight NOT BETWEEN 1 AND 5
                       OR s.effort NOT BETWEEN 1 AND 5
                       OR NOT EXISTS (SELECT 1 FROM subcontrol_controls sc WHERE sc.subcontrol_id = s.id));
SQL

check "almost every control has a level-1 sub-control (at least 90%)" <<'SQL'
SELECT count(*) FILTER (WHERE EXISTS (
           SELECT 1 FROM subcontrol_controls sc JOIN subcontrols s ON s.id = sc.subcontrol_id
            WHERE sc.control_id = c.id AND s.level = 1)) >= 0.9 * count(*)
  FROM controls c;
SQL

check "every harmonized clause exists in 27001 and 22301 and they share the same sub-controls" <<'SQL'
WITH hs AS (SELECT DISTINCT harmonized FROM controls WHERE harmonized IS NOT NULL),
pairs AS (
    SELECT h.harmonized,
           (SELECT c.id FROM controls c WHERE c.harmonized = h.harmonized AND c.framework_id = 'iso27001-2022') AS isms,
           (SELECT c.id FROM controls c WHERE c.harmonized = h.harmonized AND c.framework_id = 'iso22301-2019') AS bcms
      FROM hs h)
SELECT count(*) >= 20
   AND bool_and(isms IS NOT NULL AND bcms IS NOT NULL)
   AND bool_and(NOT EXISTS (
          (SELECT subcontrol_id FROM subcontrol_controls WHERE control_id = isms
           EXCEPT SELECT subcontrol_id FROM subcontrol_controls WHERE control_id = bcms)
          UNION ALL
          (SELECT subcontrol_id FROM subcontrol_controls WHERE control_id = bcms
           EXCEPT SELECT subcontrol_id FROM subcontrol_controls WHERE control_id = isms)))
  FROM pairs;
SQL

check "nonconformity and improvement are matched by topic (27001 10.2 = 22301 10.1)" <<'SQL'
SELECT EXISTS (SELECT 1 FROM subcontrol_controls a JOIN subcontrol_controls b USING (subcontrol_id)
                WHERE a.control_id = '27001-10.2' AND b.control_id = '22301-10.1')
   AND EXISTS (SELECT 1 FROM subcontrol_controls a JOIN subcontrol_controls b USING (subcontrol_id)
                WHERE a.control_id = '27001-10.1' AND b.control_id = '22301-10.2');
SQL

check "ISO/IEC 20000-1: 44 clause controls; its harmonized clauses hold exactly the 27001 items" <<'SQL'
SELECT (SELECT count(*) FROM controls WHERE framework_id = 'iso20000-1-2018') = 44
   AND (SELECT count(*) FROM controls WHERE framework_id = 'iso20000-1-2018' AND harmonized IS NOT NULL) = 20
   AND NOT EXISTS (
       SELECT 1 FROM controls s JOIN controls i ON i.harmonized = s.harmonized AND i.framework_id = 'iso27001-2022'
        WHERE s.framework_id = 'iso20000-1-2018'
          AND EXISTS ((SELECT subcontrol_id FROM subcontrol_controls WHERE control_id = s.id
                       EXCEPT SELECT subcontrol_id FROM subcontrol_controls WHERE control_id = i.id)
                      UNION ALL
                      (SELECT subcontrol_id FROM subcontrol_controls WHERE control_id = i.id
                       EXCEPT SELECT subcontrol_id FROM subcontrol_controls WHERE control_id = s.id)))
   -- 20000 numbers clause 10 like 22301: 10.1 is nonconformity
   AND EXISTS (SELECT 1 FROM subcontrol_controls a JOIN subcontrol_controls b USING (subcontrol_id)
                WHERE a.control_id = '27001-10.2' AND b.control_id = '20000-10.1');
SQL

check "one risk process: 27001 6.1.2/6.1.3/8.2/8.3, 22301 8.2.3 and 31000 6.4-6.5 share the RK items" <<'SQL'
SELECT bool_and((SELECT count(DISTINCT c.framework_id) FROM subcontrol_controls sc
                   JOIN controls c ON c.id = sc.control_id WHERE sc.subcontrol_id = s.id) >= 2)
   AND count(*) = 5
   AND (SELECT count(DISTINCT c.framework_id) FROM subcontrol_controls sc JOIN controls c ON c.id = sc.control_id
         WHERE sc.subcontrol_id = 'RK.6.4.2-1') = 3
   AND NOT EXISTS (SELECT 1 FROM schema_subcontrols ss JOIN subcontrols x ON x.id = ss.subcontrol_id
                    WHERE ss.version = 2 AND x.retired_release IS NOT NULL)
   AND (SELECT count(*) FROM schema_subcontrols WHERE schema_id = 'base' AND version = 2
           AND subcontrol_id LIKE 'RK.%') = 5
  FROM subcontrols s WHERE s.id LIKE 'RK.%';
SQL

check "it-services-sms enables SMS and generates a tenant with ISO/IEC 20000-1 applicable" <<SQL
INSERT INTO tenants (id, slug, display_name, sector, size_band, schema_id, schema_version)
VALUES ('0b0e2a52-0000-4000-8000-0000000000cc', 'catalog-test-sms', 'SMS test', 'it-services', 'medium', 'it-services-sms', 1);
SELECT set_config('ims.tenant_id', '0b0e2a52-0000-4000-8000-0000000000cc', true) IS NOT NULL;
SET LOCAL ROLE ims_app;
SELECT ims_generate_tenant('0b0e2a52-0000-4000-8000-0000000000cc', 'it-services-sms', 1) > 0;
SELECT 'SMS' = ANY (systems) AND 'iso20000-1-2018' = ANY (frameworks) FROM tenant_params;
SELECT count(*) = 44 FROM tenant_controls WHERE control_id LIKE '20000-%' AND applicable;
SELECT count(*) = 5 FROM tenant_subcontrols WHERE subcontrol_id LIKE 'RK.%';
SQL

check "2013 predecessors: 128 rows; the Annex A controls without one are the 2022 novelties and the file's gaps" <<'SQL'
SELECT (SELECT count(*) FROM control_predecessors WHERE edition = '2013') = 128
   AND (WITH missing AS (SELECT array_agg(id) AS ids FROM controls c WHERE id LIKE 'A.%'
                            AND NOT EXISTS (SELECT 1 FROM control_predecessors p
                                             WHERE p.control_id = c.id)),
             want AS (SELECT ARRAY['A.5.5', 'A.5.6', 'A.5.7', 'A.5.14', 'A.5.23', 'A.5.30',
                                   'A.7.4', 'A.8.9', 'A.8.10', 'A.8.11', 'A.8.12', 'A.8.16',
                                   'A.8.23', 'A.8.28', 'A.8.34'] AS ids)
        SELECT missing.ids @> want.ids AND missing.ids <@ want.ids FROM missing, want)
   AND EXISTS (SELECT 1 FROM control_predecessors WHERE predecessor = 'A.12.6.1'
                  AND control_id = 'A.8.8' AND relation = 'equal')
   AND NOT EXISTS (SELECT 1 FROM control_predecessors WHERE predecessor LIKE 'A.13.2.%'
                      AND control_id = 'A.8.14')
   AND (SELECT count(*) FROM control_relations) = 16
   AND NOT EXISTS (SELECT 1 FROM control_relations r JOIN controls c ON c.id = r.related_id
                    WHERE c.framework_id <> 'iso20000-1-2018');
SQL

check "discipline-specific clauses (27001 6.1.2, 22301 8.2.2) share nothing but the risk process items" <<'SQL'
SELECT NOT EXISTS (SELECT 1 FROM subcontrol_controls sc JOIN controls c ON c.id = sc.control_id
                    WHERE c.harmonized IS NULL AND sc.subcontrol_id NOT LIKE 'RK.%'
                      AND (SELECT count(*) FROM subcontrol_controls x WHERE x.subcontrol_id = sc.subcontrol_id) > 1)
   AND EXISTS (SELECT 1 FROM controls WHERE id = '27001-6.1.2')
   AND EXISTS (SELECT 1 FROM controls WHERE id = '22301-8.2.2');
SQL

check "every metric has K <> T in the catalog and in every schema" <<'SQL'
SELECT NOT EXISTS (SELECT 1 FROM metrics WHERE target = threshold)
   AND NOT EXISTS (SELECT 1 FROM schema_metrics WHERE target = threshold)
   AND (SELECT count(*) FROM metrics) >= 15
   AND NOT EXISTS (SELECT 1 FROM metrics m
                    WHERE NOT EXISTS (SELECT 1 FROM metric_controls mc WHERE mc.metric_id = m.id));
SQL

check "risk catalog: threats with dimensions and likelihood, degradation and mitigation rows" <<'SQL'
SELECT (SELECT count(*) FROM threats) >= 30
   AND (SELECT count(*) FROM asset_types) >= 10
   AND (SELECT count(DISTINCT family_id) FROM threats) = 4
   AND NOT EXISTS (SELECT 1 FROM threats t
                    WHERE NOT EXISTS (SELECT 1 FROM asset_type_threats a WHERE a.threat_id = t.id)
                       OR NOT EXISTS (SELECT 1 FROM mitigations m WHERE m.threat_id = t.id))
   AND NOT EXISTS (SELECT 1 FROM mitigations WHERE control_id NOT LIKE 'A.%')
   AND (SELECT count(*) FROM risk_grid) = 25;
SQL

check "the three schemas exist; sector schemas derive from base" <<'SQL'
SELECT (SELECT count(*) FROM schemas WHERE (schema_id, version) IN
           (('base', 1), ('it-services-small', 1), ('retail-micro', 1))) = 3
   AND (SELECT parent_id FROM schemas WHERE schema_id = 'it-services-small' AND version = 1) = 'base'
   AND (SELECT parent_id FROM schemas WHERE schema_id = 'retail-micro' AND version = 1) = 'base'
   AND (SELECT sector || '/' || size_band FROM schemas WHERE schema_id = 'retail-micro' AND version = 1) = 'retail/micro'
   AND (SELECT count(*) FROM schema_controls WHERE schema_id = 'base' AND version = 1)
       = (SELECT count(*) FROM controls WHERE since_release = 1);
SQL

check "retail-micro excludes controls with justifications and weighs ISMS higher" <<'SQL'
SELECT (SELECT count(*) FROM schema_controls WHERE schema_id = 'retail-micro' AND NOT applicable) >= 5
   AND NOT EXISTS (SELECT 1 FROM schema_controls WHERE NOT applicable AND coalesce(justification, '') = '')
   AND (SELECT weight FROM schema_systems WHERE schema_id = 'retail-micro' AND version = 1 AND system_id = 'ISMS')
     > (SELECT weight FROM schema_systems WHERE schema_id = 'base' AND version = 1 AND system_id = 'ISMS');
SQL

# Compares every content table of two schema versions, ignoring the key columns.
same_content_sql() {
    cat <<SQL
SELECT bool_and(same) FROM (
  SELECT NOT EXISTS ((SELECT system_id, enabled, weight FROM schema_systems WHERE schema_id = '$1' AND version = $2
                      EXCEPT SELECT system_id, enabled, weight FROM schema_systems WHERE schema_id = '$3' AND version = $4)
                     UNION ALL
                     (SELECT system_id, enabled, weight FROM schema_systems WHERE schema_id = '$3' AND version = $4
                      EXCEPT SELECT system_id, enabled, weight FROM schema_systems WHERE schema_id = '$1' AND version = $2)) AS same
  UNION ALL
  SELECT NOT EXISTS ((SELECT framework_id, enabled FROM schema_frameworks WHERE schema_id = '$1' AND version = $2
                      EXCEPT SELECT framework_id, enabled FROM schema_frameworks WHERE schema_id = '$3' AND version = $4)
                     UNION ALL
                     (SELECT framework_id, enabled FROM schema_frameworks WHERE schema_id = '$3' AND version = $4
                      EXCEPT SELECT framework_id, enabled FROM schema_frameworks WHERE schema_id = '$1' AND version = $2))
  UNION ALL
  SELECT NOT EXISTS ((SELECT control_id, applicable, justification, weight FROM schema_controls WHERE schema_id = '$1' AND version = $2
                      EXCEPT SELECT control_id, applicable, justification, weight FROM schema_controls WHERE schema_id = '$3' AND version = $4)
                     UNION ALL
                     (SELECT control_id, applicable, justification, weight FROM schema_controls WHERE schema_id = '$3' AND version = $4
                      EXCEPT SELECT control_id, applicable, justification, weight FROM schema_controls WHERE schema_id = '$1' AND version = $2))
  UNION ALL
  SELECT NOT EXISTS ((SELECT subcontrol_id, applicable, justification, weight, effort FROM schema_subcontrols WHERE schema_id = '$1' AND version = $2
                      EXCEPT SELECT subcontrol_id, applicable, justification, weight, effort FROM schema_subcontrols WHERE schema_id = '$3' AND version = $4)
                     UNION ALL
                     (SELECT subcontrol_id, applicable, justification, weight, effort FROM schema_subcontrols WHERE schema_id = '$3' AND version = $4
                      EXCEPT SELECT subcontrol_id, applicable, justification, weight, effort FROM schema_subcontrols WHERE schema_id = '$1' AND version = $2))
  UNION ALL
  SELECT NOT EXISTS ((SELECT threat_id, likelihood, dimensions FROM schema_threats WHERE schema_id = '$1' AND version = $2
                      EXCEPT SELECT threat_id, likelihood, dimensions FROM schema_threats WHERE schema_id = '$3' AND version = $4)
                     UNION ALL
                     (SELECT threat_id, likelihood, dimensions FROM schema_threats WHERE schema_id = '$3' AND version = $4
                      EXCEPT SELECT threat_id, likelihood, dimensions FROM schema_threats WHERE schema_id = '$1' AND version = $2))
  UNION ALL
  SELECT NOT EXISTS ((SELECT asset_type_id, threat_id, degradation FROM schema_asset_type_threats WHERE schema_id = '$1' AND version = $2
                      EXCEPT SELECT asset_type_id, threat_id, degradation FROM schema_asset_type_threats WHERE schema_id = '$3' AND version = $4)
                     UNION ALL
                     (SELECT asset_type_id, threat_id, degradation FROM schema_asset_type_threats WHERE schema_id = '$3' AND version = $4
                      EXCEPT SELECT asset_type_id, threat_id, degradation FROM schema_asset_type_threats WHERE schema_id = '$1' AND version = $2))
  UNION ALL
  SELECT NOT EXISTS ((SELECT threat_id, control_id, effectiveness FROM schema_mitigations WHERE schema_id = '$1' AND version = $2
                      EXCEPT SELECT threat_id, control_id, effectiveness FROM schema_mitigations WHERE schema_id = '$3' AND version = $4)
                     UNION ALL
                     (SELECT threat_id, control_id, effectiveness FROM schema_mitigations WHERE schema_id = '$3' AND version = $4
                      EXCEPT SELECT threat_id, control_id, effectiveness FROM schema_mitigations WHERE schema_id = '$1' AND version = $2))
  UNION ALL
  SELECT NOT EXISTS ((SELECT metric_id, enabled, aggregation, window_s, target, threshold, max_age_s FROM schema_metrics WHERE schema_id = '$1' AND version = $2
                      EXCEPT SELECT metric_id, enabled, aggregation, window_s, target, threshold, max_age_s FROM schema_metrics WHERE schema_id = '$3' AND version = $4)
                     UNION ALL
                     (SELECT metric_id, enabled, aggregation, window_s, target, threshold, max_age_s FROM schema_metrics WHERE schema_id = '$3' AND version = $4
                      EXCEPT SELECT metric_id, enabled, aggregation, window_s, target, threshold, max_age_s FROM schema_metrics WHERE schema_id = '$1' AND version = $2))
  UNION ALL
  SELECT NOT EXISTS ((SELECT metric_id, control_id, weight FROM schema_metric_controls WHERE schema_id = '$1' AND version = $2
                      EXCEPT SELECT metric_id, control_id, weight FROM schema_metric_controls WHERE schema_id = '$3' AND version = $4)
                     UNION ALL
                     (SELECT metric_id, control_id, weight FROM schema_metric_controls WHERE schema_id = '$3' AND version = $4
                      EXCEPT SELECT metric_id, control_id, weight FROM schema_metric_controls WHERE schema_id = '$1' AND version = $2))
  UNION ALL
  SELECT NOT EXISTS ((SELECT artefact_id, required FROM schema_artefacts WHERE schema_id = '$1' AND version = $2
                      EXCEPT SELECT artefact_id, required FROM schema_artefacts WHERE schema_id = '$3' AND version = $4)
                     UNION ALL
                     (SELECT artefact_id, required FROM schema_artefacts WHERE schema_id = '$3' AND version = $4
                      EXCEPT SELECT artefact_id, required FROM schema_artefacts WHERE schema_id = '$1' AND version = $2))
) t;
SQL
}

check "ims_clone_schema makes an identical copy at version 1 (as ims_app)" <<SQL
SET LOCAL ROLE ims_app;
SELECT schema_id = 'test-clone' AND version = 1
  FROM ims_clone_schema('retail-micro', 1, 'test-clone', 'Clone under test');
SELECT parent_id = 'retail-micro' AND parent_version = 1 AND sector = 'retail' AND size_band = 'micro'
  FROM schemas WHERE schema_id = 'test-clone' AND version = 1;
$(same_content_sql retail-micro 1 test-clone 1)
SQL

check "ims_new_schema_version makes version n+1 as a copy of the latest" <<SQL
SET LOCAL ROLE ims_app;
SELECT version = 3 FROM ims_new_schema_version('it-services-small');
SELECT version = 4 FROM ims_new_schema_version('it-services-small');
SELECT parent_id = 'it-services-small' AND parent_version = 3
  FROM schemas WHERE schema_id = 'it-services-small' AND version = 4;
$(same_content_sql it-services-small 2 it-services-small 4)
SQL

check "ims_best_schema picks exact sector+size, then sector, then base, at the latest version" <<'SQL'
SELECT (SELECT schema_id FROM ims_best_schema('retail', 'micro')) = 'retail-micro'
   AND (SELECT schema_id FROM ims_best_schema('it-services', 'small')) = 'it-services-small'
   AND (SELECT schema_id FROM ims_best_schema('retail', 'medium')) = 'base'
   AND (SELECT schema_id FROM ims_best_schema('health', 'small')) = 'base';
INSERT INTO schemas (schema_id, version, name, sector) VALUES ('retail-any', 1, 'Retail, any size', 'retail');
SELECT version = 3 FROM ims_new_schema_version('retail-micro');
SELECT (SELECT schema_id FROM ims_best_schema('retail', 'medium')) = 'retail-any'
   AND (SELECT version FROM ims_best_schema('retail', 'micro')) = 3
   AND (SELECT schema_id FROM ims_best_schema('it-services', 'medium')) = 'it-services-sms';
SQL

# A tenant generated from retail-micro, as the daemon's role.
TENANT_A=0b0e2a52-0000-4000-8000-00000000000a
TENANT_B=0b0e2a52-0000-4000-8000-00000000000b
tenant_setup() {
    cat <<SQL
INSERT INTO tenants (id, slug, display_name, sector, size_band, schema_id, schema_version)
VALUES ('$TENANT_A', 'catalog-test-a', 'Catalog test A', 'retail', 'micro', 'retail-micro', 1),
       ('$TENANT_B', 'catalog-test-b', 'Catalog test B', 'retail', 'micro', 'retail-micro', 1);
SELECT set_config('ims.tenant_id', '$TENANT_A', true) IS NOT NULL;
SET LOCAL ROLE ims_app;
SELECT ims_generate_tenant('$TENANT_A', 'retail-micro', 1) > 0;
SQL
}

check "ims_generate_tenant fills every tenant table from the schema" <<SQL
$(tenant_setup)
SELECT (SELECT count(*) FROM tenant_params) = 1
   AND (SELECT count(*) FROM tenant_controls) = (SELECT count(*) FROM schema_controls WHERE schema_id = 'retail-micro' AND version = 1)
   AND (SELECT count(*) FROM tenant_controls WHERE NOT applicable) = (SELECT count(*) FROM schema_controls WHERE schema_id = 'retail-micro' AND version = 1 AND NOT applicable)
   AND (SELECT count(*) FROM tenant_subcontrols) = (SELECT count(*) FROM subcontrols WHERE since_release = 1)
   AND (SELECT count(*) FROM tenant_threats) = (SELECT count(*) FROM threats)
   AND (SELECT count(*) FROM tenant_asset_type_threats) = (SELECT count(*) FROM asset_type_threats)
   AND (SELECT count(*) FROM tenant_mitigations) = (SELECT count(*) FROM mitigations)
   AND (SELECT count(*) FROM tenant_metrics) = (SELECT count(*) FROM metrics)
   AND (SELECT count(*) FROM tenant_metric_controls) = (SELECT count(*) FROM metric_controls)
   AND (SELECT count(*) FROM tenant_artefacts) = (SELECT count(*) FROM artefacts)
   AND (SELECT systems = ARRAY['BCMS', 'ISMS', 'RMS'] AND weight_isms = 0.6 AND appetite = 2 FROM tenant_params)
   AND (SELECT likelihood = 4 FROM tenant_threats WHERE threat_id = 'T.web_attack');
SQL

check "systems and frameworks are data: a tenant cannot enable one the catalog lacks" <<SQL
$(tenant_setup)
DO \$\$ BEGIN
    UPDATE tenant_params SET systems = systems || 'QMS'::text;
    RAISE EXCEPTION 'accepted';
EXCEPTION WHEN check_violation THEN NULL; END \$\$;
SELECT true;
SQL

check "tenant rows are writable by ims_app for its tenant (answers, history, assets, processes, exercises)" <<SQL
$(tenant_setup)
UPDATE tenant_subcontrols SET answer = 'yes', answered_by = 'test', answered_at = now()
 WHERE subcontrol_id = 'A.8.13-1';
INSERT INTO assessment_history (tenant_id, subcontrol_id, answer, answered_by)
VALUES ('$TENANT_A', 'A.8.13-1', 'yes', 'test');
INSERT INTO assets (tenant_id, asset_id, name, type, c, i, a) VALUES ('$TENANT_A', 'shop', 'Web shop', 'cloud_service', 4, 4, 5);
INSERT INTO processes (tenant_id, process_id, name, criticality, mtpd_min, rto_min, rpo_min)
VALUES ('$TENANT_A', 'orders', 'Order handling', 5, 1440, 240, 60);
INSERT INTO exercises (tenant_id, process_id, at, recovery_min) VALUES ('$TENANT_A', 'orders', now(), 200);
DO \$\$ BEGIN
    INSERT INTO processes (tenant_id, process_id, name, criticality, mtpd_min, rto_min, rpo_min)
    VALUES ('$TENANT_A', 'bad', 'RTO over MTPD', 3, 60, 120, 0);
    RAISE EXCEPTION 'RTO > MTPD was accepted';
EXCEPTION WHEN check_violation THEN NULL;
END \$\$;
DO \$\$ BEGIN
    UPDATE tenant_controls SET applicable = false, justification = NULL WHERE control_id = 'A.5.1';
    RAISE EXCEPTION 'exclusion without justification was accepted';
EXCEPTION WHEN check_violation THEN NULL;
END \$\$;
DO \$\$ BEGIN
    UPDATE assessment_history SET answer = 'no';
    RAISE EXCEPTION 'assessment history was updated';
EXCEPTION WHEN insufficient_privilege THEN NULL;
END \$\$;
SELECT (SELECT count(*) FROM assessment_history) = 1 AND (SELECT count(*) FROM exercises) = 1;
SQL

check "row-level security hides a tenant's rows under another tenant id and rejects foreign rows" <<SQL
$(tenant_setup)
INSERT INTO assets (tenant_id, asset_id, name, type) VALUES ('$TENANT_A', 'pos', 'Till', 'endpoint');
INSERT INTO processes (tenant_id, process_id, name, criticality, mtpd_min, rto_min, rpo_min)
VALUES ('$TENANT_A', 'sales', 'Sales', 4, 480, 60, 15);
SELECT set_config('ims.tenant_id', '$TENANT_B', true) IS NOT NULL;
SELECT (SELECT count(*) FROM tenant_params) + (SELECT count(*) FROM tenant_controls)
     + (SELECT count(*) FROM tenant_subcontrols) + (SELECT count(*) FROM assessment_history)
     + (SELECT count(*) FROM tenant_threats) + (SELECT count(*) FROM tenant_asset_type_threats)
     + (SELECT count(*) FROM tenant_mitigations) + (SELECT count(*) FROM tenant_metrics)
     + (SELECT count(*) FROM tenant_metric_controls) + (SELECT count(*) FROM tenant_artefacts)
     + (SELECT count(*) FROM assets) + (SELECT count(*) FROM processes)
     + (SELECT count(*) FROM exercises) = 0;
DO \$\$ BEGIN
    INSERT INTO assets (tenant_id, asset_id, name, type) VALUES ('$TENANT_A', 'x', 'x', 'endpoint');
    RAISE EXCEPTION 'row for another tenant was accepted';
EXCEPTION WHEN insufficient_privilege THEN NULL;
END \$\$;
DO \$\$ DECLARE n int; BEGIN
    UPDATE tenant_controls SET weight = 5 WHERE tenant_id = '$TENANT_A';
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n <> 0 THEN RAISE EXCEPTION 'updated % rows of another tenant', n; END IF;
END \$\$;
DO \$\$ BEGIN
    PERFORM ims_generate_tenant('$TENANT_A', 'base', 1);
    RAISE EXCEPTION 'generated a tenant other than ims.tenant_id';
EXCEPTION WHEN insufficient_privilege THEN NULL;
END \$\$;
SELECT set_config('ims.tenant_id', '', true) IS NOT NULL;
SELECT (SELECT count(*) FROM tenant_controls) = 0 AND (SELECT count(*) FROM assets) = 0;
SELECT set_config('ims.tenant_id', '$TENANT_A', true) IS NOT NULL;
SELECT (SELECT count(*) FROM assets) = 1 AND (SELECT count(*) FROM tenant_controls) > 0;
SQL

check "every tenant table: tenant_id first in the key, RLS enabled and forced, tenant_isolation policy" <<'SQL'
WITH t AS (
    SELECT c.oid, c.relname, c.relrowsecurity, c.relforcerowsecurity
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema()
       AND c.relname IN ('tenant_params', 'tenant_controls', 'tenant_subcontrols', 'assessment_history',
                         'tenant_threats', 'tenant_asset_type_threats', 'tenant_mitigations',
                         'tenant_metrics', 'tenant_metric_controls', 'tenant_artefacts',
                         'assets', 'processes', 'exercises'))
SELECT count(*) = 13
   AND bool_and(relrowsecurity AND relforcerowsecurity)
   AND bool_and(EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = t.oid AND p.polname = 'tenant_isolation'))
   AND bool_and((SELECT a.attname FROM pg_constraint k
                   JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
                  WHERE k.conrelid = t.oid AND k.contype = 'p') = 'tenant_id')
   AND bool_and(NOT EXISTS (
        SELECT 1 FROM pg_constraint f
         WHERE f.conrelid = t.oid AND f.contype = 'f'
           AND f.confrelid IN (SELECT oid FROM t)
           AND NOT EXISTS (SELECT 1 FROM pg_attribute a
                            WHERE a.attrelid = f.conrelid AND a.attnum = ANY (f.conkey)
                              AND a.attname = 'tenant_id')))
  FROM t;
SQL

check "ims_app reads the catalog but cannot change it" <<'SQL'
SET LOCAL ROLE ims_app;
SELECT count(*) > 0 FROM subcontrols;
DO $$ BEGIN
    UPDATE controls SET title = 'x' WHERE id = 'A.5.1';
    RAISE EXCEPTION 'catalog was writable';
EXCEPTION WHEN insufficient_privilege THEN NULL;
END $$;
SELECT true;
SQL

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
