"""Risk treatment: the decision recorded per pair of the register, shown with it, and moving
the level: a transfer shares the impact, an avoided pair leaves the risk reduction."""
import json
import math
import os
import subprocess
import tempfile
import unittest

import grpc

import imstest
from imstest import tenants_pb2

risk_pb2 = imstest.load_pb2("risk")
level_pb2 = imstest.load_pb2("level")


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

    def level(self):
        return imstest.unary(self.channel, "/ims.v1.Level/GetSecurityLevel",
                             level_pb2.GetSecurityLevelRequest(tenant=self.tenant.id),
                             level_pb2.SecurityLevel, token=self.token)

    def put_asset(self, asset_id):
        imstest.unary(self.channel, "/ims.v1.Risk/PutAsset", risk_pb2.PutAssetRequest(
            tenant=self.tenant.id, asset=risk_pb2.Asset(id=asset_id, name=asset_id, type="server",
                                                        confidentiality=4, integrity=4,
                                                        availability=4)),
            risk_pb2.PutAssetResponse, token=self.token)

    def pairs_of(self, asset_id):
        return [p for p in self.register().pairs if p.asset == asset_id]

    def assert_rho_of_register(self, reg):
        """rho = 1 - sum R / sum R0 over the pairs that are not avoided."""
        kept = [p for p in reg.pairs
                if not (p.HasField("treatment") and p.treatment.option == "avoid")]
        r0 = sum(p.inherent for p in kept)
        r = sum(p.residual for p in kept)
        self.assertTrue(kept and r0 > 0)
        self.assertAlmostEqual(reg.rho, 1 - r / r0, delta=1e-9)

    def test_decisions_move_the_level(self):
        self.put_asset("db-1")
        pair = max(self.pairs_of("db-1"), key=lambda p: p.inherent)
        before = self.level()
        # Transferring all of it: no residual impact, no residual risk, a higher level.
        t = self.treat(asset=pair.asset, threat=pair.threat, option="transfer", owner="CFO",
                       share=1.0, share_given=True, note="insured")
        self.assertTrue(t.share_given)
        self.assertAlmostEqual(t.share, 1.0)
        self.assertGreater(t.revision, before.revision)
        self.assertGreater(t.security_level, before.security_level)
        now = self.level()
        self.assertEqual(now.revision, t.revision)
        self.assertAlmostEqual(now.security_level, t.security_level, delta=1e-12)
        reg = self.register()
        shown = [p for p in reg.pairs if (p.asset, p.threat) == (pair.asset, pair.threat)][0]
        self.assertAlmostEqual(shown.impact, pair.impact)
        self.assertAlmostEqual(shown.residual_impact, 0)
        self.assertAlmostEqual(shown.residual, 0)
        # The level is read at (residual likelihood, residual impact): impact column 1.
        column1 = [1, 1, 2, 2, 3]
        row = min(5, max(1, math.ceil(shown.residual_likelihood - 1e-9)))
        self.assertEqual(shown.level, column1[row - 1])
        self.assertAlmostEqual(shown.treatment.share, 1.0)
        self.assert_rho_of_register(reg)
        # The default share is a half.
        t = self.treat(asset=pair.asset, threat=pair.threat, option="transfer", owner="CFO")
        self.assertAlmostEqual(t.share, 0.5)
        shown = [p for p in self.register().pairs
                 if (p.asset, p.threat) == (pair.asset, pair.threat)][0]
        self.assertAlmostEqual(shown.residual_impact, pair.impact * 0.5)
        # Avoided: the pair is still listed, with its figures, but leaves rho's sums.
        t = self.treat(asset=pair.asset, threat=pair.threat, option="avoid", owner="CEO",
                       note="the service is retired")
        self.assertEqual(t.option, "avoid")
        self.assertFalse(t.share_given)
        reg = self.register()
        shown = [p for p in reg.pairs if (p.asset, p.threat) == (pair.asset, pair.threat)][0]
        self.assertAlmostEqual(shown.residual_impact, pair.impact)
        self.assert_rho_of_register(reg)
        # A mitigation names the controls it relies on; the figures are the controls'.
        controls = [c.control for c in imstest.unary(
            self.channel, "/ims.v1.Level/GetSecurityLevel",
            level_pb2.GetSecurityLevelRequest(tenant=self.tenant.id, controls=True),
            level_pb2.SecurityLevel, token=self.token).controls][:2]
        t = self.treat(asset=pair.asset, threat=pair.threat, option="mitigate", owner="IT",
                       controls=controls)
        self.assertEqual(list(t.controls), controls)
        reg = self.register()
        shown = [p for p in reg.pairs if (p.asset, p.threat) == (pair.asset, pair.threat)][0]
        self.assertEqual(list(shown.treatment.controls), controls)
        self.assertAlmostEqual(shown.residual, pair.residual, delta=1e-9)
        self.assert_rho_of_register(reg)

    def test_share_and_controls_are_checked(self):
        self.put_asset("db-2")
        pair = self.pairs_of("db-2")[0]
        cases = [
            (dict(option="mitigate", share=0.2, share_given=True), "treatment.share"),
            (dict(option="transfer", share=1.5, share_given=True), "treatment.share"),
            (dict(option="transfer", share=-0.1, share_given=True), "treatment.share"),
            (dict(option="accept", controls=["A.5.1"], note="fine"), "treatment.controls"),
            (dict(option="mitigate", controls=["A.99.99"]), "treatment.controls[0]"),
            (dict(option="mitigate", controls=["A.5.1", "A.5.1"]), "treatment.controls[1]"),
        ]
        before = imstest.psql("SELECT set_config('ims.tenant_id', '%s', false), count(*) FROM "
                              "audit_log WHERE tenant_id = '%s'" % (self.tenant.id, self.tenant.id))
        for kw, field in cases:
            code, details = imstest.code_of(lambda: self.treat(asset=pair.asset,
                                                               threat=pair.threat, owner="x",
                                                               **kw))
            self.assertEqual(code, grpc.StatusCode.INVALID_ARGUMENT, kw)
            self.assertIn(field, details)
        after = imstest.psql("SELECT set_config('ims.tenant_id', '%s', false), count(*) FROM "
                             "audit_log WHERE tenant_id = '%s'" % (self.tenant.id, self.tenant.id))
        self.assertEqual(before, after)
        self.assertFalse([p for p in self.pairs_of("db-2") if p.HasField("treatment")])

    def imsctl(self, *args):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "token")
            with open(path, "w") as f:
                f.write(self.token + "\n")
            return subprocess.run([imstest.IMSCTL, "--server", self.daemon.addr, "--token-file",
                                   path, *args], capture_output=True, text=True, timeout=30)

    def test_imsctl_treats_with_a_share(self):
        self.put_asset("db-3")
        pair = self.pairs_of("db-3")[0]
        out = self.imsctl("--json", "risk", "treat", self.tenant.id, pair.asset, pair.threat,
                          "--decision", "transfer", "--share", "0.25", "--owner", "CFO")
        self.assertEqual(out.returncode, 0, out.stderr)
        answer = json.loads(out.stdout)
        self.assertEqual(answer["option"], "transfer")
        self.assertAlmostEqual(answer["share"], 0.25)
        shown = [p for p in self.pairs_of("db-3") if p.threat == pair.threat][0]
        self.assertAlmostEqual(shown.residual_impact, pair.impact * 0.75)
        out = self.imsctl("risk", "show", self.tenant.id)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("transfer 25%", out.stdout)
        out = self.imsctl("risk", "treat", self.tenant.id, pair.asset, pair.threat,
                          "--decision", "transfer", "--share", "2", "--owner", "CFO")
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("--share", out.stderr)
        out = self.imsctl("risk", "treat", self.tenant.id, pair.asset, pair.threat,
                          "--decision", "accept", "--control", "A.5.1", "--owner", "CEO",
                          "--note", "fine")
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("treatment.controls", out.stderr)

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
