-- Series mappings of the Prometheus remote_write receiver: the label matchers that make a
-- series one of the tenant's ims metrics. A series takes the first mapping (lowest seq, over
-- every tenant) whose matchers all match; see server/ops/series_map.h for the syntax.
CREATE TABLE metric_series_maps (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    map_id      uuid NOT NULL,
    seq         bigint GENERATED ALWAYS AS IDENTITY,
    metric_id   text NOT NULL,
    matchers    text[] NOT NULL CHECK (cardinality(matchers) BETWEEN 1 AND 16),
    created_by  text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, map_id),
    FOREIGN KEY (tenant_id, metric_id) REFERENCES tenant_metrics (tenant_id, metric_id)
);
CREATE UNIQUE INDEX metric_series_maps_seq ON metric_series_maps (seq);
ALTER TABLE metric_series_maps ENABLE ROW LEVEL SECURITY;
ALTER TABLE metric_series_maps FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON metric_series_maps
    USING (tenant_id = ims_current_tenant())
    WITH CHECK (tenant_id = ims_current_tenant());
-- The receiver does not know the tenant before it has matched the series: it reads every
-- mapping (and nothing else) with ims.all_tenants set.
CREATE POLICY receiver_reads_all ON metric_series_maps FOR SELECT USING (ims_all_tenants());
GRANT SELECT, INSERT, DELETE ON metric_series_maps TO ims_app;
