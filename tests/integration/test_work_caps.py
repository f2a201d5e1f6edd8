"""Caps on heavy work (docs/security.md): the steps of a plan worked out on the thread pool
(lower for viewer and agent tokens), the snapshot text ImportTenant parses on the thread
pool, and the rows and time VerifyAuditLog's hashing may take in PostgreSQL. Each refusal
names the limit's configuration key."""
import unittest

import grpc

import imstest
from imstest import level_pb2, tenants_pb2


class WorkCaps(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = imstest.Daemon("--plan-max-steps", "30", "--plan-max-steps-viewer", "5",
                                    "--import-max-snapshot-bytes", "2048",
                                    "--audit-verify-max-rows", "8")
        cls.channel = cls.daemon.channel()
        cls.op = imstest.imsd_token()
        cls.tenant = imstest.unary(
            cls.channel, "/ims.v1.Tenants/CreateTenant",
            tenants_pb2.CreateTenantRequest(slug=imstest.unique("caps"), display_name="Caps Ltd",
                                            sector="it-services", size_band="small"),
            tenants_pb2.Tenant, token=cls.op).id
        cls.viewer = imstest.imsd_token(role="viewer", tenants=[cls.tenant])

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        cls.daemon.stop()

    def plan(self, token, steps):
        return imstest.code_of(lambda: imstest.unary(
            self.channel, "/ims.v1.Level/GetImprovementPlan",
            level_pb2.GetImprovementPlanRequest(tenant=self.tenant, steps=steps),
            level_pb2.ImprovementPlan, token=token))

    def verify(self):
        return imstest.code_of(lambda: imstest.unary(
            self.channel, "/ims.v1.Tenants/VerifyAuditLog",
            tenants_pb2.AuditVerifyRequest(tenant=self.tenant),
            tenants_pb2.AuditVerifyResponse, token=self.op))

    def test_plan_steps_are_capped_lower_for_viewers(self):
        self.assertEqual(self.plan(self.viewer, 5)[0], grpc.StatusCode.OK)
        code, details = self.plan(self.viewer, 6)
        self.assertEqual(code, grpc.StatusCode.INVALID_ARGUMENT, details)
        self.assertIn("plan_max_steps_viewer", details)
        self.assertIn("steps", details)
        self.assertEqual(self.plan(self.op, 30)[0], grpc.StatusCode.OK)
        code, details = self.plan(self.op, 31)
        self.assertEqual(code, grpc.StatusCode.INVALID_ARGUMENT, details)
        self.assertIn("plan_max_steps", details)
        self.assertNotIn("plan_max_steps_viewer", details)

    def test_import_snapshot_size_is_capped(self):
        code, details = imstest.code_of(lambda: imstest.unary(
            self.channel, "/ims.v1.Tenants/ImportTenant",
            tenants_pb2.ImportTenantRequest(slug=imstest.unique("capsimp"),
                                            display_name="Caps Import", sector="it-services",
                                            size_band="small", snapshot="{" + " " * 3000 + "}"),
            tenants_pb2.Tenant, token=self.op))
        self.assertEqual(code, grpc.StatusCode.INVALID_ARGUMENT, details)
        self.assertIn("import_max_snapshot_bytes", details)
        self.assertIn("2048", details)

    def append_audit(self, tenant, n):
        imstest.psql("SELECT set_config('ims.tenant_id', '%s', false); "
                     "SELECT count(ims_audit_append(NULL, 'operator', 'load', 'x')) "
                     "FROM generate_series(1, %d)" % (tenant, n))

    def audit_rows(self, tenant):
        return int(imstest.psql("SELECT count(*) FROM audit_log WHERE tenant_id = '%s'"
                                % tenant)[0][0])

    def test_audit_verify_refuses_a_chain_over_its_row_cap(self):
        # The creation wrote the first audit rows; the chain is brought to the cap exactly.
        rows = self.audit_rows(self.tenant)
        self.assertLessEqual(rows, 8)
        self.append_audit(self.tenant, 8 - rows)
        code, details = self.verify()
        self.assertEqual(code, grpc.StatusCode.OK, details)
        self.append_audit(self.tenant, 1)
        code, details = self.verify()
        self.assertEqual(code, grpc.StatusCode.RESOURCE_EXHAUSTED, details)
        self.assertIn("audit_verify_max_rows (8)", details)

    def test_audit_verify_stops_at_its_time_cap(self):
        # A tenant with a long chain (appended in SQL, as the daemon would) and the smallest
        # time budget: the hashing stops and names the limit.
        tenant = imstest.unary(
            self.channel, "/ims.v1.Tenants/CreateTenant",
            tenants_pb2.CreateTenantRequest(slug=imstest.unique("capslong"),
                                            display_name="Caps Long", sector="it-services",
                                            size_band="small"),
            tenants_pb2.Tenant, token=self.op).id
        self.append_audit(tenant, 60000)
        daemon = imstest.Daemon("--audit-verify-timeout-ms", "100")
        try:
            channel = daemon.channel()
            code, details = imstest.code_of(lambda: imstest.unary(
                channel, "/ims.v1.Tenants/VerifyAuditLog",
                tenants_pb2.AuditVerifyRequest(tenant=tenant),
                tenants_pb2.AuditVerifyResponse, token=self.op, timeout=60))
            self.assertEqual(code, grpc.StatusCode.RESOURCE_EXHAUSTED, details)
            self.assertIn("audit_verify_timeout_ms (100 ms)", details)
            channel.close()
        finally:
            daemon.stop()


if __name__ == "__main__":
    unittest.main()
