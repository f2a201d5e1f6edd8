"""Schemas as the consultancy's product, through a real imsd: who sees the schema repository,
consultants creating tenants in the sectors granted to them, and the fourth system (SMS,
ISO/IEC 20000-1) generated from the it-services-sms schema with the shared risk process."""
import unittest

import grpc
from imstest import (Daemon, code_of, imsd_token, load_pb2, psql, tenants_pb2, unary,
                     unique)

assessments_pb2 = load_pb2("assessments")
catalog_pb2 = load_pb2("catalog")

DENIED = grpc.StatusCode.PERMISSION_DENIED


class SchemaTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = Daemon()
        cls.channel = cls.daemon.channel()
        cls.op = imsd_token("operator")

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        cls.daemon.stop()

    def call(self, service, method, request, response_cls, token=None):
        return unary(self.channel, "/ims.v1.%s/%s" % (service, method), request, response_cls,
                     token=token or self.op)

    def code(self, service, method, request, response_cls, token=None):
        return code_of(lambda: self.call(service, method, request, response_cls, token))

    def create_tenant(self, token=None, sector="retail", size="micro", schema="", version=0):
        return self.call("Tenants", "CreateTenant",
                         tenants_pb2.CreateTenantRequest(slug=unique("s"), display_name="Client",
                                                         sector=sector, size_band=size,
                                                         schema_id=schema,
                                                         schema_version=version),
                         tenants_pb2.Tenant, token)

    def token(self, role, tenants=(), sectors=()):
        r = self.call("Tenants", "CreateToken",
                      tenants_pb2.CreateTokenRequest(role=role, tenants=list(tenants),
                                                     sectors=list(sectors), label=unique(role)),
                      tenants_pb2.CreateTokenResponse)
        return r.secret, r.token.id

    # --- who sees the schema repository ---

    def test_tenant_roles_never_see_schemas(self):
        t = self.create_tenant()
        for role in ("tenant_admin", "viewer", "auditor"):
            secret, _ = self.token(role, [t.id])
            self.assertEqual(self.code("Tenants", "ListSchemas", tenants_pb2.ListSchemasRequest(),
                                       tenants_pb2.ListSchemasResponse, secret)[0], DENIED, role)
            self.assertEqual(self.code("Tenants", "GetSchema",
                                       tenants_pb2.GetSchemaRequest(id=t.schema_id),
                                       tenants_pb2.Schema, secret)[0], DENIED, role)
            # The tenant itself stays readable, with the id of the schema it came from.
            got = self.call("Tenants", "GetTenant", tenants_pb2.GetTenantRequest(tenant=t.id),
                            tenants_pb2.Tenant, secret)
            self.assertEqual(got.schema_id, t.schema_id)
        consultant, _ = self.token("consultant", [t.id])
        listed = self.call("Tenants", "ListSchemas", tenants_pb2.ListSchemasRequest(),
                           tenants_pb2.ListSchemasResponse, consultant)
        ids = {(s.id, s.version): s.status for s in listed.schemas}
        self.assertEqual(ids[("it-services-sms", 1)], "published")
        self.assertIn(("base", 2), ids)

    # --- consultants create tenants in their scope ---

    def test_consultant_creates_tenants_in_granted_sectors_only(self):
        secret, token_id = self.token("consultant", sectors=["retail", "it-services"])
        t = self.create_tenant(secret, sector="retail", size="micro")
        self.assertEqual(t.sector, "retail")
        # It joined the consultant's scope: the consultant reads and assesses it at once.
        got = self.call("Tenants", "GetTenant", tenants_pb2.GetTenantRequest(tenant=t.slug),
                        tenants_pb2.Tenant, secret)
        self.assertEqual(got.id, t.id)
        self.call("Assessments", "SetAnswers",
                  assessments_pb2.SetAnswersRequest(
                      tenant=t.id, answers=[assessments_pb2.Answer(subcontrol="RK.6.4.2-1",
                                                                   answer="yes")]),
                  assessments_pb2.SetAnswersResponse, secret)
        self.assertEqual(psql("SELECT count(*) FROM token_tenants WHERE token_id = '%s'"
                              % token_id), [["1"]])
        # Out of scope: another sector is refused and nothing is written.
        before = psql("SELECT count(*) FROM tenants")
        code, detail = self.code("Tenants", "CreateTenant",
                                 tenants_pb2.CreateTenantRequest(slug=unique("s"),
                                                                 display_name="Clinic",
                                                                 sector="health",
                                                                 size_band="small"),
                                 tenants_pb2.Tenant, secret)
        self.assertEqual(code, DENIED)
        self.assertIn("sector", detail)
        self.assertEqual(psql("SELECT count(*) FROM tenants"), before)
        # A consultant without granted sectors creates nothing.
        plain, _ = self.token("consultant", [t.id])
        self.assertEqual(self.code("Tenants", "CreateTenant",
                                   tenants_pb2.CreateTenantRequest(slug=unique("s"),
                                                                   display_name="X",
                                                                   sector="retail",
                                                                   size_band="micro"),
                                   tenants_pb2.Tenant, plain)[0], DENIED)
        # Only an operator grants sectors, and only to consultant tokens.
        self.assertEqual(self.code("Tenants", "CreateToken",
                                   tenants_pb2.CreateTokenRequest(role="consultant",
                                                                  sectors=["retail"]),
                                   tenants_pb2.CreateTokenResponse, secret)[0], DENIED)
        code, detail = self.code("Tenants", "CreateToken",
                                 tenants_pb2.CreateTokenRequest(role="auditor", tenants=[t.id],
                                                                sectors=["retail"]),
                                 tenants_pb2.CreateTokenResponse)
        self.assertEqual(code, grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("sectors", detail)
        code, detail = self.code("Tenants", "CreateToken",
                                 tenants_pb2.CreateTokenRequest(role="consultant",
                                                                sectors=["no-such-sector"]),
                                 tenants_pb2.CreateTokenResponse)
        self.assertEqual(code, grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("sectors", detail)

    # --- the fourth system ---

    def test_sms_schema_generates_service_management(self):
        t = self.create_tenant(sector="it-services", size="medium", schema="it-services-sms")
        self.assertEqual((t.schema_id, t.schema_version), ("it-services-sms", 1))
        s = self.call("Tenants", "GetSchema", tenants_pb2.GetSchemaRequest(id="it-services-sms"),
                      tenants_pb2.Schema)
        self.assertEqual(sorted(s.systems), ["BCMS", "ISMS", "RMS", "SMS"])
        soa = self.call("Assessments", "ListSoA",
                        assessments_pb2.ListSoARequest(tenant=t.id, framework="iso20000-1-2018",
                                                       page_size=1000),
                        assessments_pb2.ListSoAResponse)
        self.assertEqual(len(soa.entries), 44)
        # One answer of the shared risk process serves 27001, 22301 and 31000 at once.
        d = self.call("Catalog", "GetControl", catalog_pb2.GetControlRequest(id="31000-6.4.2"),
                      catalog_pb2.ControlDetail)
        shared = [x for x in d.subcontrols if x.id == "RK.6.4.2-1"][0]
        self.assertEqual(sorted(shared.controls),
                         ["22301-8.2.3", "27001-6.1.2", "27001-8.2", "31000-6.4.2"])
        r = self.call("Assessments", "SetAnswers",
                      assessments_pb2.SetAnswersRequest(
                          tenant=t.id, answers=[assessments_pb2.Answer(subcontrol="RK.6.4.2-1",
                                                                       answer="yes")]),
                      assessments_pb2.SetAnswersResponse)
        self.assertGreater(r.security_level, 0)
        p = self.call("Assessments", "GetProgress",
                      assessments_pb2.GetProgressRequest(tenant=t.id),
                      assessments_pb2.GetProgressResponse)
        fw = {f.key: f for f in p.frameworks}
        for f in ("iso27001-2022", "iso22301-2019", "iso31000-2018"):
            self.assertEqual(fw[f].assessed, 1, f)
        # A tenant from a release-1 schema version keeps the retired items until rebased.
        old = self.create_tenant(sector="retail", size="micro", schema="retail-micro", version=1)
        self.assertEqual(psql("SELECT count(*) FROM tenant_subcontrols WHERE tenant_id = '%s' "
                              "AND subcontrol_id IN ('31000-6.4.2-1', 'RK.6.4.2-1')" % old.id),
                         [["1"]])


if __name__ == "__main__":
    unittest.main()
