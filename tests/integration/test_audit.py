"""The audit trail: who changed what, in a hash chain that imsctl and the RPC verify."""
import os
import subprocess
import tempfile
import unittest

import grpc

import imstest
from imstest import events_pb2, tenants_pb2


class Audit(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = imstest.Daemon()
        cls.channel = cls.daemon.channel()
        cls.op = imstest.imsd_token("operator")
        cls.dir = tempfile.mkdtemp(prefix="ims-audit-")

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        code = cls.daemon.stop()
        assert code == 0, "imsd exited with %s" % code
        for name in os.listdir(cls.dir):
            os.unlink(os.path.join(cls.dir, name))
        os.rmdir(cls.dir)

    def new_tenant(self):
        t = imstest.unary(self.channel, "/ims.v1.Tenants/CreateTenant",
                          tenants_pb2.CreateTenantRequest(slug=imstest.unique("audit"),
                                                          display_name="Audit Ltd",
                                                          sector="retail", size_band="micro"),
                          tenants_pb2.Tenant, token=self.op)
        admin = imstest.imsd_token("tenant_admin", [t.id])
        admin_id = imstest.psql("SELECT id FROM tokens WHERE secret_hash = sha256('%s'::bytea)"
                                % admin)[0][0]
        return t, admin, admin_id

    def verify(self, tenant, token):
        return imstest.unary(self.channel, "/ims.v1.Tenants/VerifyAuditLog",
                             tenants_pb2.AuditVerifyRequest(tenant=tenant),
                             tenants_pb2.AuditVerifyResponse, token=token)

    def imsctl_verify(self, tenant, token):
        path = os.path.join(self.dir, "token")
        with open(path, "w") as f:
            f.write(token + "\n")
        return subprocess.run([imstest.IMSCTL, "--server", self.daemon.addr, "--token-file", path,
                               "audit", "verify", tenant], capture_output=True, text=True,
                              timeout=30)

    def rows(self, tenant_id):
        return imstest.psql("SELECT seq, token_id, role, method, object_id FROM audit_log "
                            "WHERE tenant_id = '%s' ORDER BY seq" % tenant_id)

    def changes(self, t, admin):
        control = imstest.psql("SELECT min(control_id) FROM tenant_controls WHERE tenant_id = '%s'"
                               % t.id)[0][0]
        inc = imstest.unary(self.channel, "/ims.v1.Events/SubmitIncident",
                            events_pb2.SubmitIncidentRequest(
                                tenant=t.slug, incident=events_pb2.Incident(severity=3,
                                                                            description="x")),
                            events_pb2.IncidentResult, token=admin)
        imstest.unary(self.channel, "/ims.v1.Events/UpdateIncident",
                      events_pb2.UpdateIncidentRequest(tenant=t.slug, id=inc.incident.id,
                                                       status="contained"),
                      events_pb2.IncidentResult, token=admin)
        fnd = imstest.unary(self.channel, "/ims.v1.Events/SubmitFinding",
                            events_pb2.SubmitFindingRequest(
                                tenant=t.slug, finding=events_pb2.Finding(type="observation",
                                                                          controls=[control],
                                                                          description="y")),
                            events_pb2.FindingResult, token=admin)
        return inc.incident.id, fnd.finding.id

    def test_changes_are_recorded_with_who_and_what(self):
        t, admin, admin_id = self.new_tenant()
        before = len(self.rows(t.id))
        incident, finding = self.changes(t, admin)
        # Reads leave no trace in the chain.
        imstest.unary(self.channel, "/ims.v1.Events/ListIncidents",
                      events_pb2.ListIncidentsRequest(tenant=t.slug),
                      events_pb2.ListIncidentsResponse, token=admin)
        rows = self.rows(t.id)[before:]
        self.assertEqual([r[1:] for r in rows], [
            [admin_id, "tenant_admin", "/ims.v1.Events/SubmitIncident", incident],
            [admin_id, "tenant_admin", "/ims.v1.Events/UpdateIncident", incident],
            [admin_id, "tenant_admin", "/ims.v1.Events/SubmitFinding", finding],
        ])
        seqs = [int(r[0]) for r in self.rows(t.id)]
        self.assertEqual(seqs, list(range(1, len(seqs) + 1)))

    def test_token_changes_are_recorded(self):
        t, admin, admin_id = self.new_tenant()
        r = imstest.unary(self.channel, "/ims.v1.Tenants/CreateToken",
                          tenants_pb2.CreateTokenRequest(role="agent", tenants=[t.id]),
                          tenants_pb2.CreateTokenResponse, token=admin)
        imstest.unary(self.channel, "/ims.v1.Tenants/RevokeToken",
                      tenants_pb2.RevokeTokenRequest(id=r.token.id),
                      tenants_pb2.RevokeTokenResponse, token=admin)
        got = imstest.psql("SELECT token_id, role, method FROM audit_log WHERE object_id = '%s' "
                           "ORDER BY at" % r.token.id)
        self.assertEqual(got, [[admin_id, "tenant_admin", "/ims.v1.Tenants/CreateToken"],
                               [admin_id, "tenant_admin", "/ims.v1.Tenants/RevokeToken"]])

    def test_runtime_role_cannot_rewrite_the_trail(self):
        got = imstest.psql("SELECT has_table_privilege('ims_app', 'audit_log', 'UPDATE'), "
                           "has_table_privilege('ims_app', 'audit_log', 'DELETE'), "
                           "has_table_privilege('ims_app', 'audit_log', 'TRUNCATE')")
        self.assertEqual(got, [["f", "f", "f"]])

    def test_verify_intact_then_tampered(self):
        t, admin, _ = self.new_tenant()
        self.changes(t, admin)
        self.changes(t, admin)
        n = len(self.rows(t.id))
        self.assertGreaterEqual(n, 6)
        for token in (admin, self.op, imstest.imsd_token("auditor", [t.id])):
            r = self.verify(t.slug, token)
            self.assertTrue(r.ok, r.detail)
            self.assertEqual((r.rows, r.first_bad_seq), (n, 0))
        out = self.imsctl_verify(t.slug, admin)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertIn("ok", out.stdout)

        # One field of one row changed behind the daemon's back.
        imstest.psql("UPDATE audit_log SET object_id = 'INC-999' WHERE tenant_id = '%s' AND seq = 3"
                     % t.id)
        r = self.verify(t.slug, admin)
        self.assertFalse(r.ok)
        self.assertEqual((r.rows, r.first_bad_seq), (n, 3))
        self.assertIn("3", r.detail)
        out = self.imsctl_verify(t.slug, admin)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("3", out.stdout)
        self.assertIn("BROKEN", out.stdout)

    def test_verify_finds_a_removed_row(self):
        t, admin, _ = self.new_tenant()
        self.changes(t, admin)
        imstest.psql("DELETE FROM audit_log WHERE tenant_id = '%s' AND seq = 2" % t.id)
        r = self.verify(t.slug, admin)
        self.assertFalse(r.ok)
        self.assertEqual(r.first_bad_seq, 3)
        self.assertNotEqual(self.imsctl_verify(t.slug, admin).returncode, 0)

    def test_verify_is_scoped(self):
        t, _, _ = self.new_tenant()
        other, other_admin, _ = self.new_tenant()
        code, _ = imstest.code_of(lambda: self.verify(t.slug, other_admin))
        self.assertEqual(code, grpc.StatusCode.PERMISSION_DENIED)
        out = self.imsctl_verify(t.slug, other_admin)
        self.assertEqual(out.returncode, 6, out.stderr)


if __name__ == "__main__":
    unittest.main()
