"""Risk treatment: the decision recorded per pair of the register, shown with it."""
import unittest

import grpc

import imstest
from imstest import tenants_pb2

risk_pb2 = imstest.load_pb2("risk")


class RiskTreatment(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = imstest.Daemon()
        cls.channel = cls.daemon.channel()
        cls.token = imstest.imsd_token()
        cls.tenant = imstest.unary(
            cls.channel, "/ims.v1.Tenants/CreateTenant",
            tenants_pb2.CreateTenantRequest(slug=imstest.unique("risk"), display_name="Risk Ltd",
                                            sector="it-services", size_band="small"),
            tenants_pb2.Tenant, token=cls.token)
        imstest.unary(cls.channel, "/ims.v1.Risk/PutAsset", risk_pb2.PutAssetRequest(
            tenant=cls.tenant.id, asset=risk_pb2.Asset(id="srv-1", name="ERP", type="server",
                                                       confidentiality=5, integrity=5,
                                                       availability=5)),
            risk_pb2.PutAssetResponse, token=cls.token)

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        assert cls.daemon.stop() == 0

    def register(self):
        return imstest.unary(self.channel, "/ims.v1.Risk/GetRiskRegister",
                             risk_pb2.GetRiskRegisterRequest(tenant=self.tenant.id),
                             risk_pb2.RiskRegister, token=self.token)

    def treat(self, **kw):
        return imstest.unary(self.channel, "/ims.v1.Risk/SetTreatment",
                             risk_pb2.SetTreatmentRequest(tenant=self.tenant.id,
                                                          treatment=risk_pb2.RiskTreatment(**kw)),
                             risk_pb2.RiskTreatment, token=self.token)

    def test_treatment_is_recorded_and_shown_with_its_pair(self):
        reg = self.register()
        self.assertTrue(reg.has_pairs)
        untreated = [p for p in reg.pairs if not p.HasField("treatment")]
        pair = untreated[-1]
        t = self.treat(asset=pair.asset, threat=pair.threat, option="mitigate", owner="IT lead",
                       due="2027-03-31T00:00:00Z", note="EDR on every server")
        self.assertEqual(t.option, "mitigate")
        self.assertEqual(t.due, "2027-03-31T00:00:00Z")
        shown = [p for p in self.register().pairs if (p.asset, p.threat) == (pair.asset, pair.threat)]
        self.assertEqual(shown[0].treatment.owner, "IT lead")
        # A second decision replaces the first.
        self.treat(asset=pair.asset, threat=pair.threat, option="transfer", owner="CFO")
        shown = [p for p in self.register().pairs if (p.asset, p.threat) == (pair.asset, pair.threat)]
        self.assertEqual(shown[0].treatment.option, "transfer")
        self.assertEqual(shown[0].treatment.due, "")

    def test_accepting_above_appetite_needs_a_justification(self):
        above = [p for p in self.register().pairs if not p.within_appetite]
        self.assertTrue(above, "a 5/5/5 server on a fresh tenant has risks above the appetite")
        p = above[0]
        code, details = imstest.code_of(lambda: self.treat(asset=p.asset, threat=p.threat,
                                                           option="accept", owner="CEO"))
        self.assertEqual(code, grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("treatment.note", details)
        t = self.treat(asset=p.asset, threat=p.threat, option="accept", owner="CEO",
                       note="Insurance covers it until the migration in Q3")
        self.assertEqual(t.option, "accept")

    def test_bad_requests_are_named_and_write_nothing(self):
        pair = self.register().pairs[0]
        cases = [
            (dict(asset=pair.asset, threat=pair.threat, option="ignore", owner="x"),
             grpc.StatusCode.INVALID_ARGUMENT, "treatment.option"),
            (dict(asset=pair.asset, threat=pair.threat, option="avoid", owner=""),
             grpc.StatusCode.INVALID_ARGUMENT, "treatment.owner"),
            (dict(asset=pair.asset, threat=pair.threat, option="avoid", owner="x", due="soon"),
             grpc.StatusCode.INVALID_ARGUMENT, "treatment.due"),
            (dict(asset="no-such-asset", threat=pair.threat, option="avoid", owner="x"),
             grpc.StatusCode.NOT_FOUND, "treatment.asset"),
        ]
        before = imstest.psql("SELECT set_config('ims.tenant_id', '%s', false), count(*) FROM "
                              "audit_log WHERE tenant_id = '%s'" % (self.tenant.id, self.tenant.id))
        for kw, want, field in cases:
            code, details = imstest.code_of(lambda: self.treat(**kw))
            self.assertEqual(code, want, kw)
            self.assertIn(field, details)
        after = imstest.psql("SELECT set_config('ims.tenant_id', '%s', false), count(*) FROM "
                             "audit_log WHERE tenant_id = '%s'" % (self.tenant.id, self.tenant.id))
        self.assertEqual(before, after)


if __name__ == "__main__":
    unittest.main()
