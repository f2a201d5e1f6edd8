"""The permission model, method by method and role by role, against a real imsd.

Every method of the daemon's permission table (server/auth/auth.c) is called with a token of
every role, once for a tenant in the token's scope (A) and once for a tenant outside it (B).
The expected table below is the role model of the product, written down independently of
the daemon's: when the two disagree, the test says where.
"""
import os
import re
import unittest

import grpc

import imstest
from imstest import tenants_pb2

OP, CONSULTANT, AUDITOR, ADMIN, AGENT, VIEWER = ("operator", "consultant", "auditor",
                                                 "tenant_admin", "agent", "viewer")
ROLES = (OP, CONSULTANT, AUDITOR, ADMIN, AGENT, VIEWER)
ALL = set(ROLES)
# Read access: everyone but agents, who push data and read nothing.
READ = {OP, CONSULTANT, AUDITOR, ADMIN, VIEWER}

# The role model:
#   operator      everything, every tenant
#   consultant    create tenants in its granted sectors; read and edit schemas; read its
#                 tenants; answer assessments, edit applicability, assets, processes
#                 (and their plan reviews and exercises), risk treatment
#   auditor       read its tenants; findings and corrective actions
#   tenant_admin  everything inside its tenant, incl. agent and viewer tokens of it
#   agent         push samples, open and update incidents; read nothing
#   viewer        read only
EXPECTED = {
    "/grpc.health.v1.Health/Check": ALL,
    "/grpc.health.v1.Health/Watch": ALL,

    # Consultants create tenants in the sectors an operator granted to their token.
    "/ims.v1.Tenants/CreateTenant": {OP, CONSULTANT},
    "/ims.v1.Tenants/GetTenant": READ,
    "/ims.v1.Tenants/ListTenants": READ,
    "/ims.v1.Tenants/CreateToken": {OP, ADMIN},
    "/ims.v1.Tenants/ListTokens": {OP, ADMIN},
    "/ims.v1.Tenants/RevokeToken": {OP, ADMIN},
    # The schema repository is the consultancy's know-how: operators and consultants only.
    "/ims.v1.Tenants/ListSchemas": {OP, CONSULTANT},
    "/ims.v1.Tenants/GetSchema": {OP, CONSULTANT},
    "/ims.v1.Tenants/CloneSchema": {OP, CONSULTANT},
    # Verifying the audit chain only reads: every role that reads the tenant may do it.
    "/ims.v1.Tenants/VerifyAuditLog": READ,
    "/ims.v1.Tenants/ExportTenant": READ,
    "/ims.v1.Tenants/ImportTenant": {OP},
    "/ims.v1.Tenants/ImportTenantStream": {OP},
    "/ims.v1.Tenants/ExportTenantStream": READ,

    "/ims.v1.Level/GetSecurityLevel": READ,
    "/ims.v1.Level/GetHistory": READ,
    "/ims.v1.Level/GetImprovementPlan": READ,
    "/ims.v1.Level/WatchSecurityLevel": READ,

    "/ims.v1.Events/SubmitIncident": {OP, ADMIN, AGENT},
    "/ims.v1.Events/UpdateIncident": {OP, ADMIN, AGENT},
    "/ims.v1.Events/ListIncidents": READ,
    "/ims.v1.Events/GetIncident": READ,
    "/ims.v1.Events/SubmitFinding": {OP, AUDITOR, ADMIN},
    "/ims.v1.Events/UpdateFinding": {OP, AUDITOR, ADMIN},
    "/ims.v1.Events/ListFindings": READ,
    "/ims.v1.Events/AddAction": {OP, AUDITOR, ADMIN},
    "/ims.v1.Events/UpdateAction": {OP, AUDITOR, ADMIN},
    "/ims.v1.Events/PushMetrics": {OP, ADMIN, AGENT},
    "/ims.v1.Events/StreamMetrics": {OP, ADMIN, AGENT},
    # Which Prometheus series feed the tenant: configuration the operator or the tenant's
    # admin manages; everyone who reads the tenant may see it.
    "/ims.v1.Events/MapSeries": {OP, ADMIN},
    "/ims.v1.Events/ListSeriesMappings": READ,
    "/ims.v1.Events/UnmapSeries": {OP, ADMIN},

    "/ims.v1.Catalog/ListFrameworks": READ,
    "/ims.v1.Catalog/ListControls": READ,
    "/ims.v1.Catalog/GetControl": READ,
    "/ims.v1.Catalog/ListThreats": READ,
    "/ims.v1.Catalog/ListAssetTypes": READ,
    "/ims.v1.Catalog/ListMetrics": READ,

    "/ims.v1.Assessments/SetAnswers": {OP, CONSULTANT, ADMIN},
    "/ims.v1.Assessments/ImportAnswers": {OP, CONSULTANT, ADMIN},
    "/ims.v1.Assessments/GetProgress": READ,
    "/ims.v1.Assessments/ListSoA": READ,
    "/ims.v1.Assessments/SetApplicability": {OP, CONSULTANT, ADMIN},
    "/ims.v1.Assessments/ExportSoA": READ,

    "/ims.v1.Risk/PutAsset": {OP, CONSULTANT, ADMIN},
    "/ims.v1.Risk/ListAssets": READ,
    "/ims.v1.Risk/DeleteAsset": {OP, CONSULTANT, ADMIN},
    "/ims.v1.Risk/GetRiskRegister": READ,
    "/ims.v1.Risk/SetTreatment": {OP, CONSULTANT, ADMIN},

    "/ims.v1.Continuity/PutProcess": {OP, CONSULTANT, ADMIN},
    "/ims.v1.Continuity/ListProcesses": READ,
    "/ims.v1.Continuity/ReviewPlan": {OP, CONSULTANT, ADMIN},
    "/ims.v1.Continuity/RecordExercise": {OP, CONSULTANT, ADMIN},
    "/ims.v1.Continuity/GetBia": READ,

    # Check and Act: actions are everyone's work who writes (an agent's incident response
    # too); verifying one is checked by the handler. Audits are the auditor's (and the
    # tenant's admin, who runs its internal audit programme); awarding a level is the
    # auditor's alone; reviews and objectives are the organisation's.
    "/ims.v1.Improvement/RaiseAction": {OP, CONSULTANT, AUDITOR, ADMIN, AGENT},
    "/ims.v1.Improvement/ProgressAction": {OP, CONSULTANT, AUDITOR, ADMIN, AGENT},
    "/ims.v1.Improvement/ListActions": READ,
    "/ims.v1.Improvement/GetAction": READ,
    "/ims.v1.Improvement/PlanAudit": {OP, AUDITOR, ADMIN},
    "/ims.v1.Improvement/UpdateAudit": {OP, AUDITOR, ADMIN},
    "/ims.v1.Improvement/ListAudits": READ,
    "/ims.v1.Improvement/GetAudit": READ,
    "/ims.v1.Improvement/AwardLevel": {OP, AUDITOR},
    "/ims.v1.Improvement/UpdateAward": {OP, AUDITOR},
    "/ims.v1.Improvement/ListAwards": READ,
    "/ims.v1.Improvement/GetAward": READ,
    "/ims.v1.Improvement/HoldReview": {OP, CONSULTANT, ADMIN},
    "/ims.v1.Improvement/ListReviews": READ,
    "/ims.v1.Improvement/GetReview": READ,
    "/ims.v1.Improvement/PutObjective": {OP, CONSULTANT, ADMIN},
    "/ims.v1.Improvement/ListObjectives": READ,
    "/ims.v1.Improvement/GetScorecard": READ,
    # Those who look after several tenants; each sees the tenants of its scope only.
    "/ims.v1.Portfolio/GetPortfolio": {OP, CONSULTANT, AUDITOR},

    "/ims.v1.People/PutPerson": {OP, CONSULTANT, ADMIN},
    "/ims.v1.People/GetPerson": READ,
    "/ims.v1.People/ListPeople": READ,
    "/ims.v1.People/ListProfiles": READ,
    "/ims.v1.People/LinkToken": {OP, ADMIN},

    "/ims.v1.Culture/IssueCertificate": {OP, CONSULTANT, ADMIN},
    "/ims.v1.Culture/ListCertificates": READ,
    "/ims.v1.Culture/GetCultureSummary": READ,

    # People carry procedures out through their tokens, agents' included (an agent that
    # opens an incident may start its procedure).
    "/ims.v1.Procedures/ListProcedures": READ,
    "/ims.v1.Procedures/StartProcedure": {OP, CONSULTANT, ADMIN, AGENT},
    "/ims.v1.Procedures/AdvanceProcedure": {OP, CONSULTANT, ADMIN, AGENT},
    "/ims.v1.Procedures/AttachRecord": {OP, CONSULTANT, ADMIN, AGENT},
    "/ims.v1.Procedures/GetProcedureInstance": READ,
    "/ims.v1.Procedures/ListProcedureInstances": READ,

    "/ims.v1.Documents/ListDocumentTemplates": READ,
    "/ims.v1.Documents/ListDocuments": READ,
    "/ims.v1.Documents/GetDocument": READ,
    "/ims.v1.Documents/CreateDocument": {OP, CONSULTANT, ADMIN},
    "/ims.v1.Documents/AddDocumentVersion": {OP, CONSULTANT, ADMIN},
    "/ims.v1.Documents/ApproveDocument": {OP, CONSULTANT, ADMIN},
    "/ims.v1.Documents/ObsoleteDocument": {OP, CONSULTANT, ADMIN},

    # The schema repository's editing and statistics: operators and consultants only.
    "/ims.v1.Schemas/CreateSchemaDraft": {OP, CONSULTANT},
    "/ims.v1.Schemas/GetSchemaDocument": {OP, CONSULTANT},
    "/ims.v1.Schemas/PutSchemaDocument": {OP, CONSULTANT},
    "/ims.v1.Schemas/EditSchemaDraft": {OP, CONSULTANT},
    "/ims.v1.Schemas/PublishSchema": {OP, CONSULTANT},
    "/ims.v1.Schemas/DiffSchemas": {OP, CONSULTANT},
    "/ims.v1.Schemas/GetSchemaStats": {OP, CONSULTANT},
    "/ims.v1.Schemas/PreviewRebase": {OP, CONSULTANT},
    "/ims.v1.Schemas/Rebase": {OP, CONSULTANT},
    # A tenant's tuning: readable by its readers, set by whoever runs its system.
    "/ims.v1.Schemas/GetTuning": READ,
    "/ims.v1.Schemas/SetTuning": {OP, CONSULTANT, ADMIN},
    # ISO/IEC 27001:2013 ids into the tenant's 2022 checklist: a read.
    "/ims.v1.Schemas/TranslateControls": READ,

    # The completion matrix: everyone who reads the tenant sees it; the consultant records.
    "/ims.v1.Completion/GetCompletion": READ,
    "/ims.v1.Completion/SetCompletion": {OP, CONSULTANT},
    "/ims.v1.Completion/SetCompletionTarget": {OP, CONSULTANT},
}

ROLE_MACROS = {"OP": {OP}, "CONSULTANT": {CONSULTANT}, "AUDITOR": {AUDITOR}, "ADMIN": {ADMIN},
               "AGENT": {AGENT}, "READERS": READ, "ROLES_READERS": READ, "ROLES_ALL": ALL}


def daemon_table():
    """The permission table as server/auth/auth.c writes it: {method: (roles, scope)}."""
    with open(os.path.join(imstest.TOP, "server", "auth", "auth.c")) as f:
        text = f.read()
    body = text[text.index("permissions[] = {"):]
    body = body[:body.index("};")]
    table = {}
    for method, mask, scope in re.findall(r'\{"(/[^"]+)",\s*([^,]+?),\s*(SCOPE_\w+)\}', body):
        roles = set()
        for part in mask.split("|"):
            roles |= ROLE_MACROS[part.strip()]
        table[method] = (roles, scope)
    return table


# Streaming shapes; every other method is unary.
SERVER_STREAMS = {"/grpc.health.v1.Health/Watch", "/ims.v1.Level/WatchSecurityLevel",
                  "/ims.v1.Tenants/ExportTenantStream"}
CLIENT_STREAMS = {"/ims.v1.Events/StreamMetrics", "/ims.v1.Tenants/ImportTenantStream"}

DENIED = (grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.UNAUTHENTICATED)


class Permissions(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = imstest.Daemon()
        cls.channel = cls.daemon.channel()
        cls.op = imstest.imsd_token(OP)
        cls.tenant = {}
        for name in ("a", "b"):
            slug = imstest.unique("perm-" + name)
            t = imstest.unary(cls.channel, "/ims.v1.Tenants/CreateTenant",
                              tenants_pb2.CreateTenantRequest(slug=slug, display_name="Perm " + name,
                                                              sector="retail", size_band="micro"),
                              tenants_pb2.Tenant, token=cls.op)
            cls.tenant[name] = t
        a = cls.tenant["a"].id
        cls.tokens = {OP: cls.op}
        for role in ROLES[1:]:
            cls.tokens[role] = imstest.imsd_token(role, [a], label="perm-" + role)
        # The consultant may create tenants in the sector the test's tenants use.
        imstest.psql("INSERT INTO token_sectors SELECT id, 'retail' FROM tokens "
                     "WHERE role = 'consultant' AND label = 'perm-consultant' ON CONFLICT DO NOTHING")
        # Tokens the RevokeToken calls aim at: one of each tenant, never the callers'.
        cls.victim = {}
        for name in ("a", "b"):
            r = imstest.unary(cls.channel, "/ims.v1.Tenants/CreateToken",
                              tenants_pb2.CreateTokenRequest(role=VIEWER,
                                                             tenants=[cls.tenant[name].id],
                                                             label="victim"),
                              tenants_pb2.CreateTokenResponse, token=cls.op)
            cls.victim[name] = r.token.id
        cls.subcontrol = imstest.psql(
            "SELECT subcontrol_id FROM tenant_subcontrols WHERE tenant_id = '%s' "
            "ORDER BY subcontrol_id LIMIT 1" % a)[0][0]
        cls.control = imstest.psql(
            "SELECT control_id FROM tenant_controls WHERE tenant_id = '%s' "
            "ORDER BY control_id LIMIT 1" % a)[0][0]
        cls.metric = (imstest.psql(
            "SELECT metric_id FROM tenant_metrics WHERE tenant_id = '%s' ORDER BY 1 LIMIT 1" % a)
            or [["no-metric"]])[0][0]
        cls.asset_type = imstest.psql("SELECT min(id) FROM asset_types")[0][0]
        cls.table = daemon_table()

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        code = cls.daemon.stop()
        assert code == 0, "imsd exited with %s" % code

    # --- requests ---

    def request(self, method, which):
        """A minimal valid-looking request of method for tenant `which` ("a" or "b")."""
        service, name = method[1:].split("/")
        tenant = self.tenant[which]
        tid, slug = tenant.id, tenant.slug
        uniq = imstest.unique("perm")
        if service == "grpc.health.v1.Health":
            return imstest.health_pb2.HealthCheckRequest(), imstest.health_pb2.HealthCheckResponse
        module = imstest.load_pb2(service.split(".")[-1].lower())
        desc = module.DESCRIPTOR.services_by_name[service.split(".")[-1]].methods_by_name[name]
        req_cls = self.message_class(desc.input_type)
        resp_cls = self.message_class(desc.output_type)
        fields = {
            "CreateTenant": dict(slug=uniq, display_name="X", sector="retail", size_band="micro"),
            "CreateToken": dict(role=VIEWER, tenants=[tid], label="perm"),
            "ListTokens": dict(tenant=tid),
            "RevokeToken": dict(id=self.victim[which]),
            "GetSchema": dict(id=tenant.schema_id),
            "CloneSchema": dict(source_id=tenant.schema_id, new_id=uniq, name="X"),
            "ImportTenant": dict(slug=uniq, display_name="X", sector="retail",
                                 size_band="micro", snapshot="{}"),
            "ImportTenantStream": dict(slug=uniq, display_name="X", sector="retail",
                                       size_band="micro", data=b"{}"),
            "SubmitIncident": dict(incident=dict(severity=2, description="perm")),
            "UpdateIncident": dict(id="INC-1", status="contained"),
            "GetIncident": dict(id="INC-1"),
            "SubmitFinding": dict(finding=dict(type="observation", description="perm")),
            "UpdateFinding": dict(id="F-1", description="perm"),
            "AddAction": dict(finding="F-1", description="perm", owner="o",
                              due="2030-01-01T00:00:00Z"),
            "UpdateAction": dict(id="CA-1", status="done"),
            "PushMetrics": dict(samples=[dict(metric=self.metric, value=1.0)]),
            "StreamMetrics": dict(samples=[dict(metric=self.metric, value=1.0)]),
            "MapSeries": dict(metric=self.metric, matchers=['__name__="%s"' % uniq]),
            "UnmapSeries": dict(id="00000000-0000-4000-8000-000000000000"),
            "GetControl": dict(id=self.control),
            "SetAnswers": dict(answers=[dict(subcontrol=self.subcontrol, answer="partial")]),
            "ImportAnswers": dict(csv="subcontrol,answer,note,evidence\n%s,partial,,\n"
                                  % self.subcontrol),
            "SetApplicability": dict(control=self.control, applicable=True),
            "PutAsset": dict(asset=dict(id="perm-asset", name="Asset", type=self.asset_type,
                                        confidentiality=3, integrity=3, availability=3)),
            "DeleteAsset": dict(id="no-such-asset"),
            "PutProcess": dict(process=dict(id="perm-proc", name="Process", criticality=3,
                                            mtpd_min=240, rto_min=60, rpo_min=30)),
            "ReviewPlan": dict(process="perm-proc"),
            "RecordExercise": dict(process="perm-proc", recovery_min=30),
            "RaiseAction": dict(action=dict(kind="improvement", source_kind="none",
                                            description="perm", owner="o",
                                            due="2030-01-01T00:00:00Z")),
            "ProgressAction": dict(id="A-1", status="done"),
            "GetAction": dict(id="A-1"),
            "PlanAudit": dict(audit=dict(kind="internal", title="perm",
                                         planned_at="2030-01-01T00:00:00Z")),
            "UpdateAudit": dict(id="AU-1", status="in_progress"),
            "GetAudit": dict(id="AU-1"),
            "AwardLevel": dict(level=1),
            "UpdateAward": dict(id="AW-1", status="withdrawn", reason="perm"),
            "GetAward": dict(id="AW-1"),
            "HoldReview": dict(chair="perm"),
            "GetReview": dict(id="MR-1"),
            "PutObjective": dict(objective=dict(id="perm", title="perm", owner="o",
                                                tier="operational", target=0.5,
                                                due="2030-01-01T00:00:00Z",
                                                metrics=[self.metric])),
            "PutPerson": dict(person=dict(id="perm-person", name="Person")),
            "GetPerson": dict(id="perm-person"),
            "LinkToken": dict(token_id=self.victim[which], person=""),
            "IssueCertificate": dict(certificate=dict(id=uniq, person="perm-nobody", level=1)),
            "StartProcedure": dict(instance=uniq, procedure="backup_restore_test",
                                   person="perm-nobody"),
            "AdvanceProcedure": dict(instance="no-such-instance", to="restore",
                                     person="perm-nobody"),
            "AttachRecord": dict(instance="no-such-instance", artefact="ART.backup_instruction",
                                 reference="r", person="perm-nobody"),
            "GetProcedureInstance": dict(instance="no-such-instance"),
            "GetDocument": dict(artefact="ART.scope"),
            "CreateDocument": dict(artefact="ART.scope", person="perm-nobody"),
            "AddDocumentVersion": dict(artefact="ART.scope", body="# x", person="perm-nobody"),
            "ApproveDocument": dict(artefact="ART.scope", approver="perm-nobody"),
            "ObsoleteDocument": dict(artefact="ART.scope"),
            # Drafts of a schema that does not exist: refused or NOT_FOUND, never written.
            "CreateSchemaDraft": dict(id="perm-no-such-schema"),
            "GetSchemaDocument": dict(id=tenant.schema_id),
            "PutSchemaDocument": dict(id="perm-no-such-schema", version=1,
                                      document='{"format": "ims-schema/1"}'),
            "EditSchemaDraft": dict(id="perm-no-such-schema", version=1,
                                    edits=[dict(kind="params", field="beta", value="0.5")]),
            "PublishSchema": dict(id="perm-no-such-schema", version=1),
            "DiffSchemas": dict(id=tenant.schema_id),
            "GetSchemaStats": dict(id=tenant.schema_id),
            "SetTuning": dict(name="beta", value=0.5),
            "TranslateControls": dict(edition="2013", ids=["A.12.6.1"]),
            "SetCompletion": dict(activity="CA.01", level=1),
            "SetCompletionTarget": dict(target=4),
        }.get(name, {})
        if "tenant" in req_cls.DESCRIPTOR.fields_by_name and "tenant" not in fields:
            fields["tenant"] = slug if which == "a" else tid
        if name == "ListTokens":
            fields["tenant"] = tid
        if name == "CreateToken":
            fields["tenants"] = [tid]
        return req_cls(**fields), resp_cls

    @staticmethod
    def message_class(descriptor):
        module = imstest.load_pb2(os.path.splitext(os.path.basename(descriptor.file.name))[0]
                                  .replace("_pb2", ""))
        return getattr(module, descriptor.name)

    def call(self, method, which, role):
        """(code, details) of one call of method by role for tenant `which`."""
        req, resp_cls = self.request(method, which)
        md = [("authorization", "Bearer " + self.tokens[role])]
        ser = lambda m: m.SerializeToString()  # noqa: E731
        try:
            if method in SERVER_STREAMS:
                stream = self.channel.unary_stream(method, request_serializer=ser,
                                                   response_deserializer=resp_cls.FromString)(
                    req, metadata=md, timeout=1.5)
                try:
                    next(stream)
                finally:
                    stream.cancel()
            elif method in CLIENT_STREAMS:
                self.channel.stream_unary(method, request_serializer=ser,
                                          response_deserializer=resp_cls.FromString)(
                    iter([req]), metadata=md, timeout=10)
            else:
                imstest.unary(self.channel, method, req, resp_cls, token=self.tokens[role])
        except grpc.RpcError as e:
            return e.code(), e.details()
        return grpc.StatusCode.OK, ""

    # --- the table itself ---

    def test_daemon_table_matches_role_model(self):
        """The daemon's permission table is the role model, method for method."""
        diffs = []
        for method, (roles, _) in sorted(self.table.items()):
            want = EXPECTED.get(method)
            if want is None:
                diffs.append("%s: in the daemon's table, not in the role model" % method)
            elif roles != want:
                diffs.append("%s: daemon allows %s, model %s" % (method, sorted(roles),
                                                                 sorted(want)))
        for method in sorted(set(EXPECTED) - set(self.table)):
            diffs.append("%s: in the role model, not in the daemon's table" % method)
        self.assertEqual(diffs, [])

    # --- behaviour ---

    def counts(self):
        """Row counts of everything a denied call could have written."""
        tables = ["audit_log", "incidents", "findings", "actions", "metric_samples",
                  "assets", "processes", "exercises", "tokens", "token_tenants", "tenants",
                  "level_history", "assessment_history", "idempotency_keys", "audits",
                  "awards", "reviews", "objectives", "people", "token_people",
                  "culture_certificates", "procedure_instances", "procedure_steps",
                  "procedure_records", "document_versions", "document_history"]
        sql = ", ".join("(SELECT count(*) FROM %s)" % t for t in tables)
        sql += (", (SELECT count(*) FROM tenant_subcontrols WHERE answer IS NOT NULL)"
                ", (SELECT count(*) FROM tenant_subcontrols WHERE NOT applicable)"
                ", (SELECT count(*) FROM tokens WHERE revoked_at IS NOT NULL)"
                ", (SELECT count(*) FROM schemas)")
        row = imstest.psql("SELECT " + sql)[0]
        return dict(zip(tables + ["answers", "not_applicable", "revoked", "schemas"], row))

    def test_matrix(self):
        """Denied roles and out-of-scope tenants get PERMISSION_DENIED and write nothing;
        allowed roles in scope get past the check."""
        scoped = {m for m, (_, scope) in self.table.items() if scope == "SCOPE_TENANT"}
        # Global methods whose request names tenants: the handler keeps them in scope.
        scoped |= {"/ims.v1.Tenants/CreateToken", "/ims.v1.Tenants/ListTokens",
                   "/ims.v1.Tenants/RevokeToken"}
        failures = []
        before = self.counts()
        calls = 0
        for method in sorted(self.table):
            allowed = EXPECTED.get(method, set())
            for role in ROLES:
                if role not in allowed:
                    for which in ("a", "b"):
                        code, detail = self.call(method, which, role)
                        calls += 1
                        if code != grpc.StatusCode.PERMISSION_DENIED:
                            failures.append("%s as %s (tenant %s): %s %s, want PERMISSION_DENIED"
                                            % (method, role, which, code.name, detail))
                elif method in scoped and role != OP:
                    code, detail = self.call(method, "b", role)
                    calls += 1
                    # A token of another tenant is NOT_FOUND to a tenant_admin: it may not
                    # learn that the id exists.
                    ok = (grpc.StatusCode.PERMISSION_DENIED,)
                    if method == "/ims.v1.Tenants/RevokeToken":
                        ok += (grpc.StatusCode.NOT_FOUND,)
                    if code not in ok:
                        failures.append("%s as %s for out-of-scope tenant: %s %s" %
                                        (method, role, code.name, detail))
        after = self.counts()
        self.assertGreater(calls, 100)
        self.assertEqual(failures, [])
        self.assertEqual(after, before, "a denied call wrote something")

        for method in sorted(self.table):
            for role in sorted(EXPECTED.get(method, set())):
                code, detail = self.call(method, "a", role)
                if code in DENIED:
                    failures.append("%s as %s (tenant a): %s %s" % (method, role, code.name,
                                                                     detail))
        self.assertEqual(failures, [])

    def test_list_tenants_shows_only_scope(self):
        for role in (CONSULTANT, AUDITOR, ADMIN, VIEWER):
            r = imstest.unary(self.channel, "/ims.v1.Tenants/ListTenants",
                              tenants_pb2.ListTenantsRequest(page_size=1000),
                              tenants_pb2.ListTenantsResponse, token=self.tokens[role])
            self.assertEqual([t.id for t in r.tenants], [self.tenant["a"].id], role)

    def test_unknown_object_in_scope_is_not_found(self):
        events = imstest.load_pb2("events")
        code, _ = imstest.code_of(lambda: imstest.unary(
            self.channel, "/ims.v1.Events/GetIncident",
            events.GetIncidentRequest(tenant=self.tenant["a"].slug, id="INC-999999"),
            events.Incident, token=self.tokens[VIEWER]))
        self.assertEqual(code, grpc.StatusCode.NOT_FOUND)
        # An unknown tenant looks exactly like another's tenant.
        code, detail = imstest.code_of(lambda: imstest.unary(
            self.channel, "/ims.v1.Events/GetIncident",
            events.GetIncidentRequest(tenant="no-such-tenant-at-all", id="INC-1"),
            events.Incident, token=self.tokens[VIEWER]))
        _, detail_b = imstest.code_of(lambda: imstest.unary(
            self.channel, "/ims.v1.Events/GetIncident",
            events.GetIncidentRequest(tenant=self.tenant["b"].slug, id="INC-1"),
            events.Incident, token=self.tokens[VIEWER]))
        self.assertEqual(code, grpc.StatusCode.PERMISSION_DENIED)
        self.assertEqual(detail, detail_b)

    # --- tokens ---

    def get_tenant(self, token):
        return imstest.code_of(lambda: imstest.unary(
            self.channel, "/ims.v1.Tenants/GetTenant",
            tenants_pb2.GetTenantRequest(tenant=self.tenant["a"].id), tenants_pb2.Tenant,
            token=token))

    def test_revoked_token_is_refused_at_once(self):
        r = imstest.unary(self.channel, "/ims.v1.Tenants/CreateToken",
                          tenants_pb2.CreateTokenRequest(role=VIEWER, tenants=[self.tenant["a"].id]),
                          tenants_pb2.CreateTokenResponse, token=self.tokens[ADMIN])
        self.assertEqual(self.get_tenant(r.secret)[0], grpc.StatusCode.OK)  # now cached
        imstest.unary(self.channel, "/ims.v1.Tenants/RevokeToken",
                      tenants_pb2.RevokeTokenRequest(id=r.token.id),
                      tenants_pb2.RevokeTokenResponse, token=self.tokens[ADMIN])
        self.assertEqual(self.get_tenant(r.secret)[0], grpc.StatusCode.UNAUTHENTICATED)

    def test_expired_token_is_refused(self):
        r = imstest.unary(self.channel, "/ims.v1.Tenants/CreateToken",
                          tenants_pb2.CreateTokenRequest(role=VIEWER, tenants=[self.tenant["a"].id],
                                                         expires_at="2020-01-01T00:00:00Z"),
                          tenants_pb2.CreateTokenResponse, token=self.op)
        self.assertEqual(self.get_tenant(r.secret)[0], grpc.StatusCode.UNAUTHENTICATED)
        # Expired after it was issued: set in the database, beyond the daemon's cache.
        r = imstest.unary(self.channel, "/ims.v1.Tenants/CreateToken",
                          tenants_pb2.CreateTokenRequest(role=VIEWER, tenants=[self.tenant["a"].id]),
                          tenants_pb2.CreateTokenResponse, token=self.op)
        imstest.psql("UPDATE tokens SET expires_at = now() - interval '1 second' WHERE id = '%s'"
                     % r.token.id)
        self.assertEqual(self.get_tenant(r.secret)[0], grpc.StatusCode.UNAUTHENTICATED)

    def test_bad_tokens_are_unauthenticated_and_not_logged(self):
        fake = "ims_" + "A" * 43
        self.assertEqual(self.get_tenant(fake)[0], grpc.StatusCode.UNAUTHENTICATED)
        self.assertEqual(self.get_tenant(None)[0], grpc.StatusCode.UNAUTHENTICATED)
        log = self.daemon.log_text()
        for secret in [fake] + list(self.tokens.values()):
            self.assertNotIn(secret, log)
            self.assertNotIn(secret[4:], log)

    def test_tenant_admin_token_limits(self):
        admin = self.tokens[ADMIN]
        before = self.counts()
        for role, tenant in ((CONSULTANT, "a"), (AUDITOR, "a"), (ADMIN, "a"), (OP, None),
                             (VIEWER, "b"), (AGENT, "b")):
            req = tenants_pb2.CreateTokenRequest(role=role, label="nope")
            if tenant:
                req.tenants.append(self.tenant[tenant].id)
            code, detail = imstest.code_of(lambda: imstest.unary(
                self.channel, "/ims.v1.Tenants/CreateToken", req,
                tenants_pb2.CreateTokenResponse, token=admin))
            self.assertEqual(code, grpc.StatusCode.PERMISSION_DENIED, "%s %s: %s" %
                             (role, tenant, detail))
        # By slug too, and an agent or viewer token of its own tenant works.
        code, _ = imstest.code_of(lambda: imstest.unary(
            self.channel, "/ims.v1.Tenants/CreateToken",
            tenants_pb2.CreateTokenRequest(role=AGENT, tenants=[self.tenant["b"].slug]),
            tenants_pb2.CreateTokenResponse, token=admin))
        self.assertEqual(code, grpc.StatusCode.PERMISSION_DENIED)
        self.assertEqual(self.counts(), before)
        r = imstest.unary(self.channel, "/ims.v1.Tenants/CreateToken",
                          tenants_pb2.CreateTokenRequest(role=AGENT, tenants=[self.tenant["a"].slug]),
                          tenants_pb2.CreateTokenResponse, token=admin)
        self.assertEqual(list(r.token.tenants), [self.tenant["a"].id])
        # It sees its own tenant's tokens only, and cannot revoke the operator's.
        listed = imstest.unary(self.channel, "/ims.v1.Tenants/ListTokens",
                               tenants_pb2.ListTokensRequest(page_size=1000),
                               tenants_pb2.ListTokensResponse, token=admin)
        self.assertTrue(listed.tokens)
        for t in listed.tokens:
            self.assertEqual(list(t.tenants), [self.tenant["a"].id])
        ops = imstest.psql("SELECT id FROM tokens WHERE role = 'operator' LIMIT 1")[0][0]
        code, _ = imstest.code_of(lambda: imstest.unary(
            self.channel, "/ims.v1.Tenants/RevokeToken", tenants_pb2.RevokeTokenRequest(id=ops),
            tenants_pb2.RevokeTokenResponse, token=admin))
        self.assertEqual(code, grpc.StatusCode.NOT_FOUND)


if __name__ == "__main__":
    unittest.main()
