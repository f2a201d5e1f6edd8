"""The IMS content through a real imsd: catalog, assessments and the Statement of
Applicability, assets and the risk register, processes and the BIA, export and import."""
import json
import unittest

import grpc
from imstest import (Daemon, code_of, imsd_token, load_pb2, psql, tenants_pb2, unary,
                     unique)

catalog_pb2 = load_pb2("catalog")
assessments_pb2 = load_pb2("assessments")
risk_pb2 = load_pb2("risk")
continuity_pb2 = load_pb2("continuity")
events_pb2 = load_pb2("events")

INVALID = grpc.StatusCode.INVALID_ARGUMENT

# A harmonized sub-control shared by ISO/IEC 27001 9.2 and ISO 22301 9.2 (internal audit).
SHARED = "HS.9.2-1"


class ContentTest(unittest.TestCase):
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

    def new_tenant(self, sector="it-services", size="small"):
        slug = unique("t")
        self.call("Tenants", "CreateTenant",
                  tenants_pb2.CreateTenantRequest(slug=slug, display_name="Acme " + slug,
                                                  sector=sector, size_band=size),
                  tenants_pb2.Tenant)
        return slug

    def answer(self, tenant, *items, token=None):
        req = assessments_pb2.SetAnswersRequest(tenant=tenant)
        for sub, ans in items:
            req.answers.add(subcontrol=sub, answer=ans, note="n", evidence="doc-1")
        return self.call("Assessments", "SetAnswers", req, assessments_pb2.SetAnswersResponse,
                         token)

    def shared_controls(self):
        d = self.call("Catalog", "GetControl", catalog_pb2.GetControlRequest(id="27001-9.2"),
                      catalog_pb2.ControlDetail)
        sub = [s for s in d.subcontrols if s.id == SHARED][0]
        return d, sorted(sub.controls)

    # --- catalog ---

    def test_catalog(self):
        fw = self.call("Catalog", "ListFrameworks", catalog_pb2.ListFrameworksRequest(),
                       catalog_pb2.ListFrameworksResponse)
        self.assertEqual([f.id for f in fw.frameworks],
                         ["iso20000-1-2018", "iso22301-2019", "iso27001-2022", "iso31000-2018"])
        self.assertEqual({f.id: f.controls for f in fw.frameworks}["iso27001-2022"], 118)
        self.assertEqual({f.id: f.controls for f in fw.frameworks}["iso20000-1-2018"], 44)
        # Annex A theme 8, paged.
        seen, token = [], ""
        while True:
            page = self.call("Catalog", "ListControls",
                             catalog_pb2.ListControlsRequest(framework="iso27001-2022",
                                                             domain="A.8", page_size=10,
                                                             page_token=token),
                             catalog_pb2.ListControlsResponse)
            seen += [c.id for c in page.controls]
            token = page.next_page_token
            if not token:
                break
        self.assertEqual(len(seen), 34)
        self.assertEqual(seen[0], "A.8.1")
        self.assertEqual(len(set(seen)), 34)
        d, controls = self.shared_controls()
        self.assertEqual(controls, ["20000-9.2", "22301-9.2", "27001-9.2"])
        self.assertIn("22301-9.2", [c.id for c in d.shared_with])
        self.assertIn("20000-9.2", [c.id for c in d.shared_with])
        self.assertEqual(self.code("Catalog", "GetControl",
                                   catalog_pb2.GetControlRequest(id="A.9.9"),
                                   catalog_pb2.ControlDetail)[0], grpc.StatusCode.NOT_FOUND)
        self.assertEqual(self.code("Catalog", "GetControl", catalog_pb2.GetControlRequest(id=""),
                                   catalog_pb2.ControlDetail)[0], INVALID)
        th = self.call("Catalog", "ListThreats", catalog_pb2.ListThreatsRequest(page_size=1000),
                       catalog_pb2.ListThreatsResponse)
        self.assertEqual(len(th.threats), 33)
        at = self.call("Catalog", "ListAssetTypes", catalog_pb2.ListAssetTypesRequest(),
                       catalog_pb2.ListAssetTypesResponse)
        self.assertEqual(len(at.asset_types), 10)
        self.assertTrue(any(t.threats for t in at.asset_types))
        m = self.call("Catalog", "ListMetrics", catalog_pb2.ListMetricsRequest(),
                      catalog_pb2.ListMetricsResponse)
        pl = [x for x in m.metrics if x.id == "patch_latency_days"][0]
        self.assertEqual((pl.target, pl.threshold, list(pl.controls)), (7, 30, ["A.8.8"]))
        c, detail = self.code("Catalog", "ListThreats",
                              catalog_pb2.ListThreatsRequest(page_size=5000),
                              catalog_pb2.ListThreatsResponse)
        self.assertEqual(c, INVALID)
        self.assertIn("page_size", detail)
        agent = imsd_token("agent", [self.new_tenant()])
        self.assertEqual(self.code("Catalog", "ListFrameworks",
                                   catalog_pb2.ListFrameworksRequest(),
                                   catalog_pb2.ListFrameworksResponse, agent)[0],
                         grpc.StatusCode.PERMISSION_DENIED)

    # --- answers, progress, SoA ---

    def test_shared_subcontrol_counts_in_both_frameworks(self):
        t = self.new_tenant()
        before = self.call("Assessments", "GetProgress",
                           assessments_pb2.GetProgressRequest(tenant=t),
                           assessments_pb2.GetProgressResponse)
        self.assertEqual(before.overall.assessed, 0)
        r = self.answer(t, (SHARED, "yes"))
        self.assertEqual(r.stored, 1)
        self.assertGreater(r.security_level, 0)
        after = self.call("Assessments", "GetProgress",
                          assessments_pb2.GetProgressRequest(tenant=t),
                          assessments_pb2.GetProgressResponse)
        fw = {p.key: p for p in after.frameworks}
        self.assertEqual(fw["iso27001-2022"].assessed, 1)
        self.assertEqual(fw["iso22301-2019"].assessed, 1)
        self.assertEqual(fw["iso31000-2018"].assessed, 0)
        self.assertEqual(after.overall.assessed, 1)  # counted once overall
        self.assertEqual(sum(p.assessed for p in after.levels), 1)
        self.assertEqual(after.overall.applicable, before.overall.applicable)
        soa = self.call("Assessments", "ListSoA",
                        assessments_pb2.ListSoARequest(tenant=t, page_size=1000),
                        assessments_pb2.ListSoAResponse)
        by_id = {e.control: e for e in soa.entries}
        for c in ("27001-9.2", "22301-9.2"):
            self.assertEqual(by_id[c].assessed, 1, c)
            self.assertTrue(by_id[c].has_score)
            self.assertGreater(by_id[c].score, 0)
        self.assertEqual(by_id["27001-4.1"].score, 0)
        # history keeps who and when
        rows = psql("SELECT answer, answered_by, note, evidence FROM assessment_history h "
                    "JOIN tenants t ON t.id = h.tenant_id WHERE t.slug = '%s'" % t)
        self.assertEqual(rows, [["yes", "test (%s)" % rows[0][1].split("(")[1][:-1],
                                 "n", "doc-1"]])
        # unanswered clears it and adds a history row
        self.answer(t, (SHARED, "unanswered"))
        rows = psql("SELECT count(*) FROM assessment_history h JOIN tenants t ON t.id = "
                    "h.tenant_id WHERE t.slug = '%s'" % t)
        self.assertEqual(rows, [["2"]])

    def test_set_answers_bad_input(self):
        t = self.new_tenant()
        cases = [
            ([("A.5.1-1", "maybe")], "answers[0].answer"),
            ([("A.5.1-1", "yes"), ("A.5.1-1", "no")], "answers[1].subcontrol"),
            ([("A.5.1-1", "yes"), ("Z.1-1", "yes")], "answers[1].subcontrol: unknown"),
            ([("bad id!", "yes")], "answers[0].subcontrol"),
            ([], "answers"),
        ]
        for items, field in cases:
            c, detail = code_of(lambda: self.answer(t, *items))
            self.assertEqual(c, INVALID, items)
            self.assertIn(field, detail)
        rows = psql("SELECT count(*) FROM assessment_history h JOIN tenants t ON t.id = "
                    "h.tenant_id WHERE t.slug = '%s'" % t)
        self.assertEqual(rows, [["0"]])

    def test_viewer_cannot_answer(self):
        t = self.new_tenant()
        viewer = imsd_token("viewer", [t])
        c, _ = code_of(lambda: self.answer(t, ("A.5.1-1", "yes"), token=viewer))
        self.assertEqual(c, grpc.StatusCode.PERMISSION_DENIED)
        rows = psql("SELECT count(*) FROM tenant_subcontrols s JOIN tenants t ON t.id = "
                    "s.tenant_id WHERE t.slug = '%s' AND s.answer IS NOT NULL" % t)
        self.assertEqual(rows, [["0"]])
        # but may read
        self.call("Assessments", "GetProgress", assessments_pb2.GetProgressRequest(tenant=t),
                  assessments_pb2.GetProgressResponse, viewer)
        consultant = imsd_token("consultant", [t])
        self.answer(t, ("A.5.1-1", "yes"), token=consultant)

    def test_import_answers_all_or_nothing(self):
        t = self.new_tenant()
        good = ("subcontrol,answer,note,evidence\n"
                "A.5.1-1,yes,\"policy, signed\",DOC-1\n"
                "A.5.1-2,partial,,\n"
                "\n"
                "HS.9.2-1,no,\"two\nlines\",\n")
        r = self.call("Assessments", "ImportAnswers",
                      assessments_pb2.ImportAnswersRequest(tenant=t, csv=good),
                      assessments_pb2.SetAnswersResponse)
        self.assertEqual(r.stored, 3)
        rows = psql("SELECT s.subcontrol_id, s.answer FROM tenant_subcontrols s JOIN tenants t "
                    "ON t.id = s.tenant_id WHERE t.slug = '%s' AND s.answer IS NOT NULL "
                    "ORDER BY 1" % t)
        notes = psql("SELECT replace(s.note, E'\\n', '|') FROM tenant_subcontrols s JOIN "
                     "tenants t ON t.id = s.tenant_id WHERE t.slug = '%s' AND s.note IS NOT "
                     "NULL ORDER BY s.subcontrol_id" % t)
        self.assertEqual(notes, [["policy, signed"], ["two|lines"]])
        self.assertEqual([x[:2] for x in rows],
                         [["A.5.1-1", "yes"], ["A.5.1-2", "partial"], ["HS.9.2-1", "no"]])
        t2 = self.new_tenant()
        bad = [
            ("subcontrol,answer,note,evidence\nA.5.1-1,yes,,\nA.5.2-1,perhaps,,\n",
             "csv: line 3: answer"),
            ("subcontrol,answer,note,evidence\nA.5.1-1,yes,,\nZZ.1-1,yes,,\n",
             "csv: line 3: subcontrol: unknown"),
            ("sub,ans\nA.5.1-1,yes\n", "csv: line 1: the header"),
            ("subcontrol,answer,note,evidence\nA.5.1-1,yes,\"open\n", "csv: line 2"),
            ("subcontrol,answer,note,evidence\nA.5.1-1,yes\nA.5.1-1,no\n",
             "csv: line 3: subcontrol"),
            ("subcontrol,answer,note,evidence\n", "csv: no answers"),
        ]
        for text, msg in bad:
            c, detail = self.code("Assessments", "ImportAnswers",
                                  assessments_pb2.ImportAnswersRequest(tenant=t2, csv=text),
                                  assessments_pb2.SetAnswersResponse)
            self.assertEqual(c, INVALID, text)
            self.assertIn(msg, detail)
        rows = psql("SELECT count(*) FROM tenant_subcontrols s JOIN tenants t ON t.id = "
                    "s.tenant_id WHERE t.slug = '%s' AND s.answer IS NOT NULL" % t2)
        self.assertEqual(rows, [["0"]])

    def test_import_answers_blank_lines(self):
        # Each field is given room for itself only: a megabyte of blank lines stays small.
        t = self.new_tenant()
        head = ("subcontrol,answer,note,evidence\n"
                "A.5.1-1,yes,\"say \"\"hi\"\", twice\",\"\"\n")
        text = head + "\n" * ((1 << 20) - len(head))
        r = self.call("Assessments", "ImportAnswers",
                      assessments_pb2.ImportAnswersRequest(tenant=t, csv=text),
                      assessments_pb2.SetAnswersResponse)
        self.assertEqual(r.stored, 1)
        notes = psql("SELECT s.note FROM tenant_subcontrols s JOIN tenants t ON t.id = "
                     "s.tenant_id WHERE t.slug = '%s' AND s.note IS NOT NULL" % t)
        self.assertEqual(notes, [['say "hi", twice']])

    def test_applicability(self):
        t = self.new_tenant()
        c, detail = self.code("Assessments", "SetApplicability",
                              assessments_pb2.SetApplicabilityRequest(tenant=t, control="A.7.6",
                                                                      applicable=False),
                              assessments_pb2.SetApplicabilityResponse)
        self.assertEqual(c, INVALID)
        self.assertIn("justification", detail)
        c, detail = self.code("Assessments", "SetApplicability",
                              assessments_pb2.SetApplicabilityRequest(
                                  tenant=t, control="A.7.6", applicable=False,
                                  justification="   "),
                              assessments_pb2.SetApplicabilityResponse)
        self.assertIn("justification", detail)
        for req, field in [
            (dict(control="A.7.6", subcontrol="A.7.6-1", applicable=True), "control, subcontrol"),
            (dict(applicable=True), "control, subcontrol"),
            (dict(control="A.9.9", applicable=True), "control: unknown"),
            (dict(control="A.7.6", applicable=True, implementation_status="done"),
             "implementation_status"),
        ]:
            c, detail = self.code("Assessments", "SetApplicability",
                                  assessments_pb2.SetApplicabilityRequest(tenant=t, **req),
                                  assessments_pb2.SetApplicabilityResponse)
            self.assertEqual(c, INVALID, req)
            self.assertIn(field, detail)
        self.call("Assessments", "SetApplicability",
                  assessments_pb2.SetApplicabilityRequest(
                      tenant=t, control="A.7.6", applicable=False,
                      justification="No secure area", implementation_status="planned"),
                  assessments_pb2.SetApplicabilityResponse)
        self.call("Assessments", "SetApplicability",
                  assessments_pb2.SetApplicabilityRequest(
                      tenant=t, subcontrol="A.5.1-2", applicable=False,
                      justification="Too small"),
                  assessments_pb2.SetApplicabilityResponse)
        soa = self.call("Assessments", "ListSoA",
                        assessments_pb2.ListSoARequest(tenant=t, framework="iso27001-2022",
                                                       page_size=1000),
                        assessments_pb2.ListSoAResponse)
        e = {x.control: x for x in soa.entries}
        self.assertEqual(len(e), 118)
        self.assertFalse(e["A.7.6"].applicable)
        self.assertEqual(e["A.7.6"].justification, "No secure area")
        self.assertEqual(e["A.7.6"].implementation_status, "planned")
        self.assertFalse(e["A.7.6"].has_score)
        self.assertTrue(e["A.8.7"].threats)
        csv = self.call("Assessments", "ExportSoA", assessments_pb2.ExportSoARequest(tenant=t),
                        assessments_pb2.ExportSoAResponse).csv
        lines = csv.splitlines()
        self.assertEqual(lines[0], "control,framework,title,applicable,justification,"
                                   "implementation_status,threats,score")
        self.assertTrue(any(l.startswith("A.7.6,iso27001-2022,") and ",no,No secure area,"
                            "planned," in l for l in lines))
        # A justification a spreadsheet would run as a formula is written as text.
        self.call("Assessments", "SetApplicability",
                  assessments_pb2.SetApplicabilityRequest(
                      tenant=t, control="A.7.6", applicable=False,
                      justification="=HYPERLINK(\"http://x\")", implementation_status="planned"),
                  assessments_pb2.SetApplicabilityResponse)
        csv = self.call("Assessments", "ExportSoA", assessments_pb2.ExportSoARequest(tenant=t),
                        assessments_pb2.ExportSoAResponse).csv
        row = next(l for l in csv.splitlines() if l.startswith("A.7.6,"))
        self.assertIn(',no,"\'=HYPERLINK(""http://x"")",planned,', row)
        audit = psql("SELECT count(*) FROM audit_log a JOIN tenants t ON t.id = a.tenant_id "
                     "WHERE t.slug = '%s' AND a.method = '/ims.v1.Assessments/SetApplicability'"
                     % t)
        self.assertEqual(audit, [["3"]])

    # --- risk ---

    def test_assets_and_risk_register(self):
        t = self.new_tenant()
        put = self.call("Risk", "PutAsset",
                        risk_pb2.PutAssetRequest(tenant=t, asset=risk_pb2.Asset(
                            id="srv-1", name="Mail server", type="server", owner="IT",
                            confidentiality=4, integrity=3, availability=5)),
                        risk_pb2.PutAssetResponse)
        self.assertEqual(put.asset.id, "srv-1")
        reg = self.call("Risk", "GetRiskRegister", risk_pb2.GetRiskRegisterRequest(tenant=t),
                        risk_pb2.RiskRegister)
        self.assertTrue(reg.has_pairs)
        self.assertTrue(all(p.asset == "srv-1" for p in reg.pairs))
        self.assertTrue(all(0 <= p.residual <= p.inherent <= 25 for p in reg.pairs))
        self.assertGreaterEqual(reg.rho, 0)
        for asset, field in [(dict(id="x", name="X", type="spaceship"), "asset.type"),
                             (dict(id="x", name="X", type="server", confidentiality=6),
                              "asset.confidentiality"),
                             (dict(id="", name="X", type="server"), "asset.id"),
                             (dict(id="x", name="", type="server"), "asset.name")]:
            c, detail = self.code("Risk", "PutAsset",
                                  risk_pb2.PutAssetRequest(tenant=t, asset=risk_pb2.Asset(**asset)),
                                  risk_pb2.PutAssetResponse)
            self.assertEqual(c, INVALID, asset)
            self.assertIn(field, detail)
        lst = self.call("Risk", "ListAssets", risk_pb2.ListAssetsRequest(tenant=t),
                        risk_pb2.ListAssetsResponse)
        self.assertEqual([a.id for a in lst.assets], ["srv-1"])
        self.call("Risk", "DeleteAsset", risk_pb2.DeleteAssetRequest(tenant=t, id="srv-1"),
                  risk_pb2.DeleteAssetResponse)
        self.assertEqual(self.code("Risk", "DeleteAsset",
                                   risk_pb2.DeleteAssetRequest(tenant=t, id="srv-1"),
                                   risk_pb2.DeleteAssetResponse)[0], grpc.StatusCode.NOT_FOUND)
        reg = self.call("Risk", "GetRiskRegister", risk_pb2.GetRiskRegisterRequest(tenant=t),
                        risk_pb2.RiskRegister)
        self.assertFalse(reg.has_pairs)

    # --- continuity ---

    def test_processes_and_bia(self):
        t = self.new_tenant()
        c, detail = self.code("Continuity", "PutProcess",
                              continuity_pb2.PutProcessRequest(tenant=t, process=continuity_pb2.Process(
                                  id="billing", name="Billing", criticality=4, mtpd_min=240,
                                  rto_min=480)),
                              continuity_pb2.ContinuityChange)
        self.assertEqual(c, INVALID)
        self.assertIn("rto_min", detail)
        self.assertIn("mtpd_min", detail)
        for proc, field in [(dict(id="b", name="B", criticality=6, mtpd_min=10), "criticality"),
                            (dict(id="b", name="B", criticality=3, mtpd_min=0), "mtpd_min"),
                            (dict(id="b", name="B", criticality=3, mtpd_min=10, rpo_min=-1),
                             "rpo_min")]:
            c, detail = self.code("Continuity", "PutProcess",
                                  continuity_pb2.PutProcessRequest(
                                      tenant=t, process=continuity_pb2.Process(**proc)),
                                  continuity_pb2.ContinuityChange)
            self.assertEqual(c, INVALID, proc)
            self.assertIn(field, detail)
        rows = psql("SELECT count(*) FROM processes p JOIN tenants t ON t.id = p.tenant_id "
                    "WHERE t.slug = '%s'" % t)
        self.assertEqual(rows, [["0"]])
        self.call("Continuity", "PutProcess",
                  continuity_pb2.PutProcessRequest(tenant=t, process=continuity_pb2.Process(
                      id="billing", name="Billing", criticality=4, mtpd_min=1440, rto_min=240,
                      rpo_min=60, mbco="Invoices within a day")),
                  continuity_pb2.ContinuityChange)
        self.call("Continuity", "ReviewPlan",
                  continuity_pb2.ReviewPlanRequest(tenant=t, process="billing"),
                  continuity_pb2.ContinuityChange)
        ch = self.call("Continuity", "RecordExercise",
                       continuity_pb2.RecordExerciseRequest(tenant=t, process="billing",
                                                            recovery_min=200),
                       continuity_pb2.ContinuityChange)
        self.assertGreater(ch.revision, 0)
        # updating the process keeps its review and exercise
        self.call("Continuity", "PutProcess",
                  continuity_pb2.PutProcessRequest(tenant=t, process=continuity_pb2.Process(
                      id="billing", name="Billing", criticality=5, mtpd_min=1440, rto_min=240)),
                  continuity_pb2.ContinuityChange)
        bia = self.call("Continuity", "GetBia", continuity_pb2.GetBiaRequest(tenant=t),
                        continuity_pb2.Bia)
        self.assertTrue(bia.has_processes)
        p = bia.processes[0]
        self.assertEqual((p.id, p.criticality, len(p.exercises)), ("billing", 5, 1))
        self.assertTrue(p.plan_reviewed_at)
        self.assertTrue(p.has_readiness)
        # plan reviewed, exercise within RTO, no disruption: readiness 1
        self.assertAlmostEqual(p.readiness, 1.0)
        self.assertAlmostEqual(bia.readiness, 1.0)
        lst = self.call("Continuity", "ListProcesses",
                        continuity_pb2.ListProcessesRequest(tenant=t),
                        continuity_pb2.ListProcessesResponse)
        self.assertEqual([x.id for x in lst.processes], ["billing"])
        self.assertEqual(self.code("Continuity", "ReviewPlan",
                                   continuity_pb2.ReviewPlanRequest(tenant=t, process="nope"),
                                   continuity_pb2.ContinuityChange)[0], grpc.StatusCode.NOT_FOUND)
        c, detail = self.code("Continuity", "RecordExercise",
                              continuity_pb2.RecordExerciseRequest(tenant=t, process="billing",
                                                                   at="yesterday"),
                              continuity_pb2.ContinuityChange)
        self.assertEqual(c, INVALID)
        self.assertIn("at", detail)

    # --- export / import ---

    def export(self, t):
        return self.call("Tenants", "ExportTenant", tenants_pb2.ExportTenantRequest(tenant=t),
                         tenants_pb2.ExportTenantResponse).snapshot

    def test_export_import_round_trip(self):
        t = self.new_tenant()
        self.answer(t, (SHARED, "yes"), ("A.5.1-1", "partial"), ("A.5.1-2", "na"))
        self.call("Assessments", "SetApplicability",
                  assessments_pb2.SetApplicabilityRequest(tenant=t, control="A.7.6",
                                                          applicable=False, justification="x"),
                  assessments_pb2.SetApplicabilityResponse)
        self.call("Risk", "PutAsset",
                  risk_pb2.PutAssetRequest(tenant=t, asset=risk_pb2.Asset(
                      id="srv-1", name="Server", type="server", confidentiality=4,
                      integrity=3, availability=5)), risk_pb2.PutAssetResponse)
        self.call("Continuity", "PutProcess",
                  continuity_pb2.PutProcessRequest(tenant=t, process=continuity_pb2.Process(
                      id="billing", name="Billing", criticality=4, mtpd_min=1440, rto_min=240,
                      rpo_min=60)), continuity_pb2.ContinuityChange)
        self.call("Continuity", "RecordExercise",
                  continuity_pb2.RecordExerciseRequest(tenant=t, process="billing",
                                                       at="2026-03-01T00:00:00Z",
                                                       recovery_min=200),
                  continuity_pb2.ContinuityChange)
        self.call("Continuity", "RecordExercise",
                  continuity_pb2.RecordExerciseRequest(tenant=t, process="billing",
                                                       at="2026-03-01T00:00:00Z",
                                                       recovery_min=300, note="second run"),
                  continuity_pb2.ContinuityChange)
        inc = self.call("Events", "SubmitIncident", events_pb2.SubmitIncidentRequest(
            tenant=t, incident=events_pb2.Incident(severity=3, controls=["A.5.1"],
                                                   description="phishing wave")),
            events_pb2.IncidentResult).incident
        self.call("Events", "UpdateIncident", events_pb2.UpdateIncidentRequest(
            tenant=t, id=inc.id, status="contained"), events_pb2.IncidentResult)
        self.call("Events", "SubmitFinding", events_pb2.SubmitFindingRequest(
            tenant=t, finding=events_pb2.Finding(type="minor_nc", controls=["A.5.1"],
                                                 audit="internal 2026",
                                                 description="policy not signed")),
            events_pb2.FindingResult)
        # Version 2: treatments, artefacts (changed in the database, as a document handler
        # would; the revision bump makes the daemon reload) and the records of both.
        pairs = self.call("Risk", "GetRiskRegister", risk_pb2.GetRiskRegisterRequest(tenant=t),
                          risk_pb2.RiskRegister).pairs
        self.call("Risk", "SetTreatment", risk_pb2.SetTreatmentRequest(
            tenant=t, treatment=risk_pb2.RiskTreatment(
                asset="srv-1", threat=pairs[0].threat, option="transfer", owner="CFO",
                share=0.3, share_given=True, due="2027-01-31T00:00:00Z", note="cyber policy")),
            risk_pb2.RiskTreatment)
        self.call("Risk", "SetTreatment", risk_pb2.SetTreatmentRequest(
            tenant=t, treatment=risk_pb2.RiskTreatment(
                asset="srv-1", threat=pairs[1].threat, option="avoid", owner="CEO")),
            risk_pb2.RiskTreatment)
        psql("UPDATE tenant_artefacts SET status = 'approved', review_due = "
             "'2030-01-01T00:00:00Z', owner = 'QA lead', location = 'wiki/policies', "
             "reviewed_at = '2026-02-01T10:00:00Z' "
             "WHERE tenant_id = (SELECT id FROM tenants WHERE slug = '%s') "
             "AND artefact_id = (SELECT min(artefact_id) FROM tenant_artefacts ta "
             "JOIN tenants x ON x.id = ta.tenant_id WHERE x.slug = '%s' AND ta.required);"
             "UPDATE tenant_artefacts SET status = 'draft', required = false "
             "WHERE tenant_id = (SELECT id FROM tenants WHERE slug = '%s') "
             "AND artefact_id = (SELECT max(artefact_id) FROM tenant_artefacts ta "
             "JOIN tenants x ON x.id = ta.tenant_id WHERE x.slug = '%s');"
             "SELECT ims_commit_level(id, revision, coalesce(security_level, 0), "
             "coalesce(maturity, 0), 'artefact') FROM tenants WHERE slug = '%s'"
             % (t, t, t, t, t))
        self.answer(t, ("A.5.1-1", "yes"))  # a change on the reloaded model
        # The records of the schema area: tuning and the completion matrix.
        schemas_pb2 = load_pb2("schemas")
        completion_pb2 = load_pb2("completion")
        self.call("Schemas", "SetTuning",
                  schemas_pb2.SetTuningRequest(tenant=t, name="theta", value=0.7),
                  schemas_pb2.SetTuningResponse)
        self.call("Completion", "SetCompletion",
                  completion_pb2.SetCompletionRequest(tenant=t, activity="CA.03", level=2,
                                                      note="policy drafted"),
                  completion_pb2.CompletionMatrix)
        self.call("Completion", "SetCompletionTarget",
                  completion_pb2.SetCompletionTargetRequest(tenant=t, target=3),
                  completion_pb2.CompletionMatrix)
        first = self.export(t)
        self.assertEqual([r["name"] for r in json.loads(first)["records"]["tuning"]], ["theta"])
        self.assertEqual(len(json.loads(first)["records"]["completion"]), 2)
        doc = json.loads(first)
        self.assertEqual(doc["format"], "ims-snapshot/2")
        self.assertNotIn("at", doc)
        self.assertIn("evidence_weight", doc["params"])
        self.assertIn("SMS", doc["params"]["system_weights"])
        approved = [a for a in doc["artefacts"] if a["status"] == "approved"]
        self.assertEqual(len(approved), 1)
        self.assertEqual(approved[0]["review_due"], "2030-01-01T00:00:00Z")
        self.assertTrue(approved[0]["controls"])
        self.assertEqual(sorted(x["decision"] for x in doc["treatments"]), ["avoid", "transfer"])
        self.assertEqual([x["share"] for x in doc["treatments"] if x["decision"] == "transfer"],
                         [0.3])
        rec = doc["records"]
        for kind in ("control", "answer", "artefact", "asset", "process", "exercise",
                     "incident", "finding", "treatment"):
            self.assertIn(kind, rec)
        self.assertEqual([r["note"] for r in rec["answer"] if r["subcontrol"] == "A.5.1-1"],
                         ["n"])
        self.assertEqual([r["justification"] for r in rec["control"] if r["control"] == "A.7.6"],
                         ["x"])
        self.assertIn({"asset": "srv-1", "name": "Server", "owner": None}, rec["asset"])
        self.assertEqual([(r["owner"], r["location"]) for r in rec["artefact"]
                          if r["artefact"] == approved[0]["id"]], [("QA lead", "wiki/policies")])
        self.assertIn(False, [r["required"] for r in rec["artefact"]])
        self.assertEqual(sorted(r["owner"] for r in rec["treatment"]), ["CEO", "CFO"])
        self.assertEqual([(r["status"], r["description"]) for r in rec["incident"]],
                         [("contained", "phishing wave")])
        self.assertEqual([(r["audit"], r["description"]) for r in rec["finding"]],
                         [("internal 2026", "policy not signed")])
        self.assertEqual([r["note"] for r in rec["exercise"]], [None, "second run"])
        slug = unique("imp")
        imp = self.call("Tenants", "ImportTenant",
                        tenants_pb2.ImportTenantRequest(slug=slug, display_name="Imported",
                                                        sector="retail", size_band="micro",
                                                        snapshot=first),
                        tenants_pb2.Tenant)
        self.assertEqual(imp.slug, slug)
        second = self.export(slug)
        self.assertEqual(first, second)
        # the same level for both
        rows = psql("SELECT slug, security_level FROM tenants WHERE slug IN ('%s', '%s') "
                    "ORDER BY slug = '%s'" % (t, slug, slug))
        self.assertEqual(len(rows), 2)
        self.assertAlmostEqual(float(rows[0][1]), float(rows[1][1]), places=9)

    def test_import_errors(self):
        t = self.new_tenant()
        doc = json.loads(self.export(t))
        before = psql("SELECT count(*) FROM tenants")

        def imp(d, slug=None):
            return self.code("Tenants", "ImportTenant",
                             tenants_pb2.ImportTenantRequest(
                                 slug=slug or unique("imp"), display_name="X",
                                 sector="retail", size_band="micro",
                                 snapshot=d if isinstance(d, str) else json.dumps(d)),
                             tenants_pb2.Tenant)

        bad = json.loads(json.dumps(doc))
        bad["controls"][3]["weight"] = -1
        c, detail = imp(bad)
        self.assertEqual(c, INVALID)
        self.assertIn("$.controls[3].weight", detail)
        bad = json.loads(json.dumps(doc))
        k = [i for i, c in enumerate(bad["controls"]) if c["framework"] == "iso27001-2022"][0]
        bad["controls"][k]["framework"] = "iso22301-2019"
        c, detail = imp(bad)
        self.assertEqual(c, INVALID, "framework")
        self.assertIn("$.controls[%d].framework" % k, detail)
        bad = json.loads(json.dumps(doc))
        bad["surprise"] = 1
        c, detail = imp(bad)
        self.assertEqual(c, INVALID)
        self.assertIn("surprise", detail)
        c, detail = imp("{not json")
        self.assertEqual(c, INVALID)
        self.assertIn("snapshot", detail)
        bad = json.loads(json.dumps(doc))
        bad["assets"] = [{"id": "a", "type": "server", "C": 2.5, "I": 1, "A": 1}]
        c, detail = imp(bad)
        self.assertEqual(c, INVALID, "asset")
        self.assertIn("$.assets[0].C", detail)
        bad = json.loads(json.dumps(doc))
        bad["records"]["gossip"] = []
        c, detail = imp(bad)
        self.assertEqual(c, INVALID, "record kind")
        self.assertIn("records.gossip", detail)
        bad = json.loads(json.dumps(doc))
        bad["records"]["asset"] = [{"asset": "nope", "name": "N", "owner": None}]
        c, detail = imp(bad)
        self.assertEqual(c, INVALID, "record of nothing")
        self.assertIn("records.asset[0].asset", detail)
        bad = json.loads(json.dumps(doc))
        bad["records"]["answer"] = [dict(bad["records"]["answer"][0], mood="happy")]
        c, detail = imp(bad)
        self.assertEqual(c, INVALID, "record key")
        self.assertIn("records.answer[0].mood", detail)
        bad = json.loads(json.dumps(doc))
        bad["artefacts"] = [{"id": "ART.nothing_like_it", "controls": [], "status": "draft",
                             "review_due": None}]
        c, detail = imp(bad)
        self.assertEqual(c, INVALID, "artefact")
        self.assertIn("$.artefacts[0].id", detail)
        c, detail = imp(doc, slug=t)
        self.assertEqual(c, grpc.StatusCode.ALREADY_EXISTS)
        self.assertEqual(psql("SELECT count(*) FROM tenants"), before)
        viewer = imsd_token("viewer", [t])
        self.assertEqual(code_of(lambda: self.call(
            "Tenants", "ImportTenant",
            tenants_pb2.ImportTenantRequest(slug=unique("imp"), display_name="X",
                                            sector="retail", size_band="micro",
                                            snapshot=json.dumps(doc)),
            tenants_pb2.Tenant, viewer))[0], grpc.StatusCode.PERMISSION_DENIED)


if __name__ == "__main__":
    unittest.main()
