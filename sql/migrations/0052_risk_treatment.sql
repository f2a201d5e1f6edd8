-- Risk treatment (ISO 31000 6.5 / ISO/IEC 27005): the decision taken for one asset x threat
-- pair of the register. It records who answers for the risk and by when; the risk itself
-- moves through the controls it names (their effective scores lower the residual likelihood).
CREATE TABLE risk_treatments (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    asset_id    text NOT NULL,
    threat_id   text NOT NULL,
    option      text NOT NULL CHECK (option IN ('mitigate', 'accept', 'transfer', 'avoid')),
    owner       text NOT NULL CHECK (length(owner) BETWEEN 1 AND 200),
    due         timestamptz,
    note        text NOT NULL DEFAULT '' CHECK (length(note) <= 4000),
    updated_by  text NOT NULL DEFAULT '',
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, asset_id, threat_id),
    FOREIGN KEY (tenant_id, asset_id) REFERENCES assets (tenant_id, asset_id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, threat_id) REFERENCES tenant_threats (tenant_id, threat_id)
);
ALTER TABLE risk_treatments ENABLE ROW LEVEL SECURITY;
ALTER TABLE risk_treatments FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON risk_treatments
    USING (tenant_id = ims_current_tenant())
    WITH CHECK (tenant_id = ims_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON risk_treatments TO ims_app;
