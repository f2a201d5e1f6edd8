"""Evidence in the live level: the artefacts a tenant keeps are part of the model the daemon
loads, so a control whose required documents are missing scores less, and approving them
(here in the database, as the documents area's write path does, with the revision bump that
makes the daemon reload) raises it."""
import json
import time
import unittest

import imstest
from imstest import tenants_pb2

level_pb2 = imstest.load_pb2("level")
assessments_pb2 = imstest.load_pb2("assessments")


class Evidence(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = imstest.Daemon()
        cls.channel = cls.daemon.channel()
        cls.token = imstest.imsd_token()

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        assert cls.daemon.stop() == 0

    def new_tenant(self):
        return imstest.unary(
            self.channel, "/ims.v1.Tenants/CreateTenant",
            tenants_pb2.CreateTenantRequest(slug=imstest.unique("ev"), display_name="Evidence",
                                            sector="it-services", size_band="small"),
            tenants_pb2.Tenant, token=self.token)

    def level(self, tenant):
        return imstest.unary(self.channel, "/ims.v1.Level/GetSecurityLevel",
                             level_pb2.GetSecurityLevelRequest(tenant=tenant, controls=True,
                                                               explain=100),
                             level_pb2.SecurityLevel, token=self.token)

    def set_artefacts(self, tenant, status, review_due="NULL"):
        """Every required artefact of the tenant to status, then the revision bump a write
        commits with (its NOTIFY tells the daemon its model is stale)."""
        imstest.psql(
            "UPDATE tenant_artefacts SET status = '%s', review_due = %s WHERE tenant_id = '%s' "
            "AND required; SELECT ims_commit_level(id, revision, coalesce(security_level, 0), "
            "coalesce(maturity, 0), 'artefact') FROM tenants WHERE id = '%s'"
            % (status, review_due, tenant, tenant))

    def wait_revision(self, tenant, revision):
        """The level once the daemon has reloaded the tenant at that revision (or later)."""
        deadline = time.monotonic() + 20
        while True:
            lv = self.level(tenant)
            if lv.revision >= revision or time.monotonic() > deadline:
                return lv
            time.sleep(0.1)

    def test_documents_move_the_level(self):
        t = self.new_tenant()
        req = assessments_pb2.SetAnswersRequest(tenant=t.id)
        for sub in ("A.5.1-1", "A.5.1-2"):
            req.answers.add(subcontrol=sub, answer="yes")
        imstest.unary(self.channel, "/ims.v1.Assessments/SetAnswers", req,
                      assessments_pb2.SetAnswersResponse, token=self.token)
        missing = self.level(t.id)
        # A fresh tenant keeps no document: every control that requires one has v = 0.
        required = {c.control: c for c in missing.controls if c.v < 1}
        self.assertTrue(required, "the base schema requires documents")
        for c in required.values():
            self.assertAlmostEqual(c.v, 0)
            self.assertAlmostEqual(c.e, min(c.cap, c.b * (1 - c.p) * 0.8), delta=1e-12)
        # A.5.1 (the security policy) is answered: part of what it loses is evidence drag.
        self.assertIn("A.5.1", required)
        self.assertGreater(required["A.5.1"].b, 0)

        self.set_artefacts(t.id, "approved")
        approved = self.wait_revision(t.id, missing.revision + 1)
        self.assertGreater(approved.revision, missing.revision)
        for c in approved.controls:
            if c.control in required:
                self.assertAlmostEqual(c.v, 1)
        self.assertGreater(approved.security_level, missing.security_level)
        self.assertFalse([x for x in approved.explanation if x.evidence_drag > 1e-12])

        # Approved but overdue for review: as good as missing.
        self.set_artefacts(t.id, "approved", "'2020-01-01T00:00:00Z'")
        overdue = self.wait_revision(t.id, approved.revision + 1)
        self.assertAlmostEqual(overdue.security_level, missing.security_level, delta=1e-12)

    def test_computed_metrics_are_marked(self):
        """A metric registered in computed_metrics (SECURITY-LEVEL.md section 12) comes with
        "source": "computed" in the snapshot; the registration is tried in a transaction
        that is rolled back, so no other test sees it."""
        t = self.new_tenant()
        metrics = [r[0] for r in imstest.psql(
            "SELECT metric_id FROM tenant_metrics WHERE tenant_id = '%s' AND enabled "
            "AND metric_id IN (SELECT id FROM metrics WHERE source = 'pushed') "
            "ORDER BY 1" % t.id)]
        self.assertGreaterEqual(len(metrics), 2)
        rows = imstest.psql(
            "BEGIN; CREATE TABLE IF NOT EXISTS computed_metrics (metric_id text PRIMARY KEY "
            "REFERENCES metrics, fn regprocedure NOT NULL, triggers text[] NOT NULL); "
            "INSERT INTO computed_metrics (metric_id, fn, triggers) VALUES "
            "('%s', 'ims_rfc3339(timestamptz)', '{time}') ON CONFLICT DO NOTHING; "
            "SELECT ims_tenant_snapshot('%s', true); ROLLBACK"
            % (metrics[0], t.id))
        doc = json.loads([r[0] for r in rows if r[0].startswith("{")][0])
        source = {m["id"]: m.get("source") for m in doc["metrics"]}
        self.assertEqual(source[metrics[0]], "computed")
        self.assertIsNone(source[metrics[1]])


if __name__ == "__main__":
    unittest.main()
