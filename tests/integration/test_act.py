"""Check and Act through the Improvement service: the audit programme, findings in an audit,
one action tracker for every source, management reviews with frozen inputs, objectives and
their scorecard, awards of a level, and the computed metrics written with the changes."""
import datetime
import json
import unittest

import grpc

import imstest
from imstest import events_pb2, level_pb2, tenants_pb2

imp = imstest.load_pb2("improvement")
risk_pb2 = imstest.load_pb2("risk")
S = "/ims.v1.Improvement/"


def days_ago(n):
    t = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=n)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


class CheckAndAct(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = imstest.Daemon("--act-sweep-interval-s", "1")
        cls.channel = cls.daemon.channel()
        cls.token = imstest.imsd_token()
        cls.tenant = cls.make_tenant()

    @classmethod
    def make_tenant(cls):
        return imstest.unary(
            cls.channel, "/ims.v1.Tenants/CreateTenant",
            tenants_pb2.CreateTenantRequest(slug=imstest.unique("act"), display_name="Act Ltd",
                                            sector="it-services", size_band="small"),
            tenants_pb2.Tenant, token=cls.token).id

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        assert cls.daemon.stop() == 0

    def call(self, method, request, response, token=None):
        return imstest.unary(self.channel, S + method, request, response,
                             token=token or self.token)

    def code(self, method, request, response, token=None):
        return imstest.code_of(lambda: self.call(method, request, response, token))

    def finding(self, **kw):
        return imstest.unary(self.channel, "/ims.v1.Events/SubmitFinding",
                             events_pb2.SubmitFindingRequest(tenant=self.tenant,
                                                             finding=events_pb2.Finding(**kw)),
                             events_pb2.FindingResult, token=self.token).finding

    def samples(self, metric):
        return imstest.psql("SELECT value FROM metric_samples WHERE tenant_id = '%s' AND "
                            "metric_id = '%s' ORDER BY at, received_at" % (self.tenant, metric))

    def raise_action(self, **kw):
        kw.setdefault("kind", "corrective")
        kw.setdefault("description", "fix it")
        kw.setdefault("owner", "IT lead")
        kw.setdefault("due", "2030-01-01T00:00:00Z")
        return self.call("RaiseAction", imp.RaiseActionRequest(
            tenant=self.tenant, action=imp.Action(**kw)), imp.ActionResult)

    def progress(self, id, token=None, **kw):
        return self.call("ProgressAction", imp.ProgressActionRequest(tenant=self.tenant, id=id, **kw),
                         imp.ActionResult, token=token)

    def test_audit_programme_finding_and_corrective_action(self):
        plan = self.call("PlanAudit", imp.PlanAuditRequest(tenant=self.tenant, audit=imp.Audit(
            kind="internal", title="ISMS internal audit", frameworks=["iso27001-2022"],
            controls=["A.8.8"], planned_at=days_ago(2))), imp.AuditResult)
        audit = plan.audit
        self.assertEqual(audit.status, "planned")
        self.assertTrue(audit.overdue)  # planned in the past and not held
        # The audit programme's share held on time is computed: 0 % now.
        self.assertIn(["0"], self.samples("audit_programme_on_time_pct"))
        # planned -> reported is not a step.
        code, msg = self.code("UpdateAudit", imp.UpdateAuditRequest(
            tenant=self.tenant, id=audit.id, status="reported", report="x"), imp.AuditResult)
        self.assertEqual(code, grpc.StatusCode.FAILED_PRECONDITION, msg)
        started = self.call("UpdateAudit", imp.UpdateAuditRequest(
            tenant=self.tenant, id=audit.id, status="in_progress"), imp.AuditResult).audit
        self.assertEqual(started.status, "in_progress")
        self.assertTrue(started.held_at)
        self.assertTrue(started.auditor.startswith("operator "))
        f = self.finding(type="minor_nc", controls=["A.8.8"], audit_id=audit.id,
                         description="patches late")
        self.assertEqual(f.audit_id, audit.id)
        code, msg = imstest.code_of(lambda: self.finding(type="minor_nc", controls=["A.8.8"],
                                                         audit_id="AU-nope"))
        self.assertEqual(code, grpc.StatusCode.INVALID_ARGUMENT, msg)
        self.assertIn("audit_id", msg)
        reported = self.call("UpdateAudit", imp.UpdateAuditRequest(
            tenant=self.tenant, id=audit.id, status="reported", report="one minor NC",
            evidence=["doc:patch-log, 2024", 'quote "x"']), imp.AuditResult).audit
        self.assertEqual(list(reported.evidence), ["doc:patch-log, 2024", 'quote "x"'])
        self.assertEqual(reported.findings, 1)
        # A corrective action of the finding through the one tracker; root cause recorded.
        a = self.raise_action(source_kind="finding", source_id=f.id, root_cause="no schedule")
        self.assertEqual(a.action.source_kind, "finding")
        self.assertEqual(a.action.root_cause, "no schedule")
        # The finding still closes only when its actions are verified.
        close = lambda: imstest.unary(self.channel, "/ims.v1.Events/UpdateFinding",
                                      events_pb2.UpdateFindingRequest(tenant=self.tenant, id=f.id,
                                                                      close=True),
                                      events_pb2.FindingResult, token=self.token)
        self.assertEqual(imstest.code_of(close)[0], grpc.StatusCode.FAILED_PRECONDITION)
        self.progress(a.action.id, status="done")
        # Verifying is an auditor's or an operator's.
        consultant = imstest.imsd_token("consultant", tenants=[self.tenant])
        code, _ = imstest.code_of(lambda: self.progress(a.action.id, token=consultant,
                                                        status="verified", note="ok"))
        self.assertEqual(code, grpc.StatusCode.PERMISSION_DENIED)
        v = self.progress(a.action.id, status="verified", note="patch log checked").action
        self.assertEqual(v.status, "verified")
        self.assertEqual(v.verification, "patch log checked")
        self.assertEqual(close().finding.status, "closed")
        # Closing it wrote the closure time with the change.
        self.assertTrue(self.samples("nonconformity_closure_days"))
        closed = self.call("UpdateAudit", imp.UpdateAuditRequest(
            tenant=self.tenant, id=audit.id, status="closed"), imp.AuditResult).audit
        self.assertEqual(closed.status, "closed")
        listed = self.call("ListAudits", imp.ListAuditsRequest(tenant=self.tenant), imp.ListAuditsResponse)
        self.assertIn(audit.id, [x.id for x in listed.audits])

    def test_actions_from_every_source_and_overdue(self):
        inc = imstest.unary(self.channel, "/ims.v1.Events/SubmitIncident",
                            events_pb2.SubmitIncidentRequest(tenant=self.tenant, incident=events_pb2.Incident(
                                severity=3, description="phishing")),
                            events_pb2.IncidentResult, token=self.token).incident
        # An incident raises a finding and an action directly.
        f = self.finding(type="observation", controls=["A.5.24"], incident=inc.id)
        self.assertEqual(f.incident, inc.id)
        before = len(self.samples("overdue_actions"))
        late = self.raise_action(kind="preventive", source_kind="incident", source_id=inc.id,
                                 due="2021-01-01T00:00:00Z")
        self.assertTrue(late.action.overdue)
        after = self.samples("overdue_actions")
        self.assertEqual(len(after), before + 1)
        self.assertGreaterEqual(float(after[-1][0]), 1)
        self.assertGreater(late.revision, 0)
        self.raise_action(kind="improvement", source_kind="none")
        self.raise_action(kind="improvement", source_kind="plan", source_id="A.8.8-1")
        code, msg = imstest.code_of(lambda: self.raise_action(source_kind="incident", source_id="INC-nope"))
        self.assertEqual(code, grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("action.source_id", msg)
        code, msg = imstest.code_of(lambda: self.raise_action(kind="preventive", source_kind="none",
                                                               root_cause="x"))
        self.assertEqual(code, grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("root_cause", msg)
        # Cancelling needs a reason; a cancelled action no longer changes.
        code, msg = imstest.code_of(lambda: self.progress(late.action.id, status="cancelled"))
        self.assertEqual(code, grpc.StatusCode.INVALID_ARGUMENT)
        c = self.progress(late.action.id, status="cancelled", note="duplicate").action
        self.assertEqual((c.status, c.cancel_reason), ("cancelled", "duplicate"))
        self.assertEqual(imstest.code_of(lambda: self.progress(late.action.id, owner="x"))[0],
                         grpc.StatusCode.FAILED_PRECONDITION)
        listed = self.call("ListActions", imp.ListActionsRequest(
            tenant=self.tenant, source_kind="incident", source_id=inc.id), imp.ListActionsResponse)
        self.assertEqual([x.id for x in listed.actions], [late.action.id])
        got = self.call("GetAction", imp.GetActionRequest(tenant=self.tenant, id=late.action.id), imp.Action)
        self.assertEqual(got.status, "cancelled")
        self.assertEqual(self.code("GetAction", imp.GetActionRequest(tenant=self.tenant, id="A-none"),
                                   imp.Action)[0], grpc.StatusCode.NOT_FOUND)
        # A treatment as a source: ASSET:THREAT of a treated pair.
        imstest.unary(self.channel, "/ims.v1.Risk/PutAsset", risk_pb2.PutAssetRequest(
            tenant=self.tenant, asset=risk_pb2.Asset(id="srv-1", name="ERP", type="server",
                                                     confidentiality=5, integrity=5, availability=5)),
            risk_pb2.PutAssetResponse, token=self.token)
        reg = imstest.unary(self.channel, "/ims.v1.Risk/GetRiskRegister",
                            risk_pb2.GetRiskRegisterRequest(tenant=self.tenant), risk_pb2.RiskRegister,
                            token=self.token)
        pair = reg.pairs[0]
        imstest.unary(self.channel, "/ims.v1.Risk/SetTreatment", risk_pb2.SetTreatmentRequest(
            tenant=self.tenant, treatment=risk_pb2.RiskTreatment(asset=pair.asset, threat=pair.threat,
                                                                 option="mitigate", owner="IT")),
            risk_pb2.RiskTreatment, token=self.token)
        t = self.raise_action(kind="preventive", source_kind="treatment",
                              source_id="%s:%s" % (pair.asset, pair.threat))
        self.assertEqual(t.action.source_kind, "treatment")
        # Idempotent: the same key answers the same action.
        r1 = self.call("RaiseAction", imp.RaiseActionRequest(tenant=self.tenant, idempotency_key="k-1",
            action=imp.Action(kind="improvement", source_kind="none", description="d", owner="o",
                              due="2030-01-01T00:00:00Z")), imp.ActionResult)
        r2 = self.call("RaiseAction", imp.RaiseActionRequest(tenant=self.tenant, idempotency_key="k-1",
            action=imp.Action(kind="improvement", source_kind="none", description="d", owner="o",
                              due="2030-01-01T00:00:00Z")), imp.ActionResult)
        self.assertEqual(r1.action.id, r2.action.id)

    def test_finding_actions_of_events_move_computed_metrics(self):
        f = self.finding(type="minor_nc", controls=["A.5.15"])
        before = len(self.samples("overdue_actions"))
        r = imstest.unary(self.channel, "/ims.v1.Events/AddAction", events_pb2.AddActionRequest(
            tenant=self.tenant, finding=f.id, description="late", owner="o",
            due="2021-01-01T00:00:00Z"), events_pb2.FindingResult, token=self.token)
        self.assertEqual(len(r.finding.actions), 1)
        after = self.samples("overdue_actions")
        self.assertEqual(len(after), before + 1)
        # The tracker shows the same action, overdue.
        got = self.call("GetAction", imp.GetActionRequest(tenant=self.tenant, id=r.finding.actions[0].id),
                        imp.Action)
        self.assertEqual((got.kind, got.source_kind, got.source_id, got.overdue),
                         ("corrective", "finding", f.id, True))
        imstest.unary(self.channel, "/ims.v1.Events/UpdateAction", events_pb2.UpdateActionRequest(
            tenant=self.tenant, id=got.id, status="done"), events_pb2.FindingResult, token=self.token)
        self.assertEqual(len(self.samples("overdue_actions")), before + 2)
        self.assertEqual(float(self.samples("overdue_actions")[-1][0]), float(after[-1][0]) - 1)

    def test_review_freezes_inputs_and_raises_actions(self):
        r = self.call("HoldReview", imp.HoldReviewRequest(
            tenant=self.tenant, chair="CEO", attendees=["CISO", "BCM lead"],
            decisions="Fund the patching tool.",
            actions=[imp.ReviewAction(kind="improvement", description="buy tool", owner="CFO",
                                      due="2030-06-01T00:00:00Z")]), imp.ReviewResult)
        inputs = json.loads(r.review.inputs)
        for key in ("security_level", "maturity", "systems", "frameworks", "open_findings",
                    "open_incidents", "risks_above_appetite", "objectives",
                    "audits_since_last_review", "actions"):
            self.assertIn(key, inputs)
        self.assertEqual(len(r.review.actions), 1)
        a = self.call("GetAction", imp.GetActionRequest(tenant=self.tenant, id=r.review.actions[0]), imp.Action)
        self.assertEqual((a.source_kind, a.source_id), ("review", r.review.id))
        # Months since the last review: a computed sample of about 0 now.
        self.assertEqual(float(self.samples("months_since_management_review")[-1][0]), 0)
        got = self.call("GetReview", imp.GetReviewRequest(tenant=self.tenant, id=r.review.id), imp.Review)
        self.assertEqual(got.inputs, r.review.inputs)
        code, msg = self.code("HoldReview", imp.HoldReviewRequest(tenant=self.tenant, chair="x",
            actions=[imp.ReviewAction(kind="bad", description="d", owner="o",
                                      due="2030-01-01T00:00:00Z")]), imp.ReviewResult)
        self.assertEqual(code, grpc.StatusCode.INVALID_ARGUMENT)

    def test_objectives_scorecard(self):
        o = self.call("PutObjective", imp.PutObjectiveRequest(tenant=self.tenant, objective=imp.Objective(
            id="patching", title="Patch fast", owner="CIO", tier="strategic", target=0.8,
            due="2030-01-01T00:00:00Z", metrics=["patch_latency_days"])), imp.Objective)
        self.assertEqual(o.status, "no_data")
        imstest.unary(self.channel, "/ims.v1.Events/PushMetrics", events_pb2.PushMetricsRequest(
            tenant=self.tenant, samples=[events_pb2.Sample(metric="patch_latency_days", value=3)]),
            events_pb2.PushMetricsResponse, token=self.token)
        self.call("PutObjective", imp.PutObjectiveRequest(tenant=self.tenant, objective=imp.Objective(
            id="bia", title="BIA", owner="COO", tier="operational", target=1,
            due="2020-01-01T00:00:00Z", metrics=["patch_latency_days", "backup_success_pct"])),
            imp.Objective)
        card = self.call("GetScorecard", imp.GetScorecardRequest(tenant=self.tenant), imp.Scorecard)
        self.assertEqual([t.tier for t in card.tiers], ["strategic", "functional", "operational"])
        strategic = card.tiers[0]
        self.assertEqual((strategic.met, strategic.total), (1, 1))
        self.assertAlmostEqual(strategic.objectives[0].actual, 1.0)
        self.assertEqual(card.tiers[2].objectives[0].status, "met")
        code, msg = self.code("PutObjective", imp.PutObjectiveRequest(tenant=self.tenant, objective=imp.Objective(
            id="x", title="x", owner="x", tier="strategic", target=0.5, due="2030-01-01T00:00:00Z",
            metrics=["no_such_metric"])), imp.Objective)
        self.assertEqual(code, grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("objective.metrics", msg)

    def test_continuity_changes_write_their_computed_metrics(self):
        continuity = imstest.load_pb2("continuity")
        before = len(self.samples("bia_coverage_pct"))
        imstest.unary(self.channel, "/ims.v1.Continuity/PutProcess", continuity.PutProcessRequest(
            tenant=self.tenant, process=continuity.Process(id="payroll", name="Payroll",
                                                           criticality=5, mtpd_min=1440,
                                                           rto_min=240, rpo_min=60)),
            continuity.ContinuityChange, token=self.token)
        self.assertEqual(self.samples("bia_coverage_pct")[before:], [["0"]])
        imstest.unary(self.channel, "/ims.v1.Continuity/ReviewPlan", continuity.ReviewPlanRequest(
            tenant=self.tenant, process="payroll"), continuity.ContinuityChange, token=self.token)
        imstest.unary(self.channel, "/ims.v1.Continuity/RecordExercise", continuity.RecordExerciseRequest(
            tenant=self.tenant, process="payroll", recovery_min=100), continuity.ContinuityChange,
            token=self.token)
        self.assertEqual(self.samples("bia_coverage_pct")[-1], ["100"])
        self.assertEqual(self.samples("bc_exercises_on_schedule_pct")[-1], ["100"])

    def test_computed_formulas_at_given_times(self):
        """Each function of docs/model.md's table, on rows written directly, at fixed times."""
        t = self.make_tenant()
        imstest.psql("""
            INSERT INTO audits (tenant_id, audit_id, kind, title, planned_at, held_at, status) VALUES
              ('{t}', 'AU-1', 'internal', 'a', '2026-03-10T09:00Z', '2026-03-10T15:00Z', 'closed'),
              ('{t}', 'AU-2', 'internal', 'b', '2026-04-10T09:00Z', '2026-04-11T08:00Z', 'closed'),
              ('{t}', 'AU-3', 'internal', 'c', '2026-05-10T09:00Z', NULL, 'planned'),
              ('{t}', 'AU-4', 'internal', 'd', '2027-05-10T09:00Z', NULL, 'planned'),
              ('{t}', 'AU-5', 'internal', 'e', '2025-01-10T09:00Z', NULL, 'planned');
            INSERT INTO findings (tenant_id, finding_id, type, status, opened_at, closed_at) VALUES
              ('{t}', 'F-1', 'major_nc', 'closed', '2026-01-01Z', '2026-01-11Z'),
              ('{t}', 'F-2', 'minor_nc', 'closed', '2026-02-01Z', '2026-03-03Z'),
              ('{t}', 'F-3', 'observation', 'closed', '2026-02-01Z', '2026-06-01Z'),
              ('{t}', 'F-4', 'minor_nc', 'open', '2026-02-01Z', NULL);
            INSERT INTO actions (tenant_id, action_id, kind, source_kind, source_id, description,
                                 owner, due, status, done_at) VALUES
              ('{t}', 'A-1', 'corrective', 'finding', 'F-4', 'x', 'o', '2026-04-01Z', 'open', NULL),
              ('{t}', 'A-2', 'preventive', 'none', '', 'x', 'o', '2026-08-01Z', 'open', NULL),
              ('{t}', 'A-3', 'preventive', 'treatment', 'a:b', 'x', 'o', '2026-04-01Z', 'done', '2026-03-30Z'),
              ('{t}', 'A-4', 'preventive', 'treatment', 'a:b', 'x', 'o', '2026-04-01Z', 'done', '2026-04-02Z');
            INSERT INTO reviews (tenant_id, review_id, held_at, chair, inputs)
              VALUES ('{t}', 'MR-1', '2026-01-01T12:00Z', 'c', '{{}}');
            INSERT INTO processes (tenant_id, process_id, name, criticality, mtpd_min, rto_min, rpo_min,
                                   plan_reviewed_at) VALUES
              ('{t}', 'p1', 'P1', 5, 600, 60, 30, '2026-02-01Z'),
              ('{t}', 'p2', 'P2', 4, 600, 60, 30, '2025-01-01Z'),
              ('{t}', 'p3', 'P3', 2, 600, 60, 30, NULL);
            INSERT INTO exercises (tenant_id, process_id, at, recovery_min)
              VALUES ('{t}', 'p2', '2026-05-01Z', 50);
        """.format(t=t))

        def value(metric, at):
            rows = imstest.psql("SELECT coalesce(ims_computed_value('%s', '%s', '%s')::text, 'null')"
                                % (metric, t, at))
            return rows[0][0]

        at = "2026-06-01T00:00:00Z"
        # AU-1 on its day, AU-2 the day after, AU-3 not held; AU-4 not due, AU-5 too old.
        self.assertAlmostEqual(float(value("audit_programme_on_time_pct", at)), 100 / 3)
        # F-1 10 days, F-2 30 days; observations do not count.
        self.assertEqual(float(value("nonconformity_closure_days", at)), 20)
        self.assertEqual(float(value("overdue_actions", at)), 1)  # A-1; A-2 not yet due
        self.assertEqual(float(value("overdue_actions", "2026-09-01T00:00:00Z")), 2)
        self.assertEqual(float(value("overdue_nonconformities", at)), 1)  # F-4 through A-1
        self.assertEqual(float(value("risk_treatment_on_time_pct", at)), 50)
        self.assertAlmostEqual(float(value("months_since_management_review", at)), 150 / 30.436875)  # 150.5 days: whole days
        self.assertEqual(float(value("bia_coverage_pct", at)), 50)  # p1 of p1, p2
        self.assertEqual(float(value("bc_exercises_on_schedule_pct", at)), 50)  # p2
        # Nothing to measure: no sample.
        self.assertEqual(value("audit_programme_on_time_pct", "2024-01-01T00:00:00Z"), "null")

    def test_computed_metric_cannot_be_pushed(self):
        before = self.samples("overdue_actions")
        code, msg = imstest.code_of(lambda: imstest.unary(
            self.channel, "/ims.v1.Events/PushMetrics", events_pb2.PushMetricsRequest(
                tenant=self.tenant, samples=[events_pb2.Sample(metric="patch_latency_days", value=3),
                                             events_pb2.Sample(metric="overdue_actions", value=0)]),
            events_pb2.PushMetricsResponse, token=self.token))
        self.assertEqual(code, grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("samples[1].metric", msg)
        self.assertIn("overdue_actions", msg)
        self.assertEqual(self.samples("overdue_actions"), before)
        # Nor may a remote_write mapping feed one.
        code, msg = imstest.code_of(lambda: imstest.unary(
            self.channel, "/ims.v1.Events/MapSeries", events_pb2.MapSeriesRequest(
                tenant=self.tenant, metric="overdue_actions", matchers=['__name__="x"']),
            events_pb2.SeriesMapping, token=self.token))
        self.assertEqual(code, grpc.StatusCode.INVALID_ARGUMENT, msg)
        self.assertIn("metric:", msg)
        rows = imstest.psql("SELECT source FROM metrics WHERE id IN ('overdue_actions', "
                            "'bia_coverage_pct', 'patch_latency_days') ORDER BY id")
        self.assertEqual(rows, [["computed"], ["computed"], ["pushed"]])

    def test_award_levels_suspension_and_reinstatement(self):
        tenant = self.make_tenant()
        auditor = imstest.imsd_token("auditor", tenants=[tenant])
        level = imstest.unary(self.channel, "/ims.v1.Level/GetSecurityLevel",
                              level_pb2.GetSecurityLevelRequest(tenant=tenant), level_pb2.SecurityLevel,
                              token=self.token)
        code, msg = self.code("AwardLevel", imp.AwardLevelRequest(tenant=tenant, level=level.maturity + 1),
                              imp.Award, token=auditor)
        self.assertEqual(code, grpc.StatusCode.FAILED_PRECONDITION, msg)
        self.assertIn("computed maturity", msg)
        # Answer every level-1 sub-control yes: maturity 1.
        assess = imstest.load_pb2("assessments")
        subs = imstest.psql("SELECT ts.subcontrol_id FROM tenant_subcontrols ts JOIN subcontrols s "
                            "ON s.id = ts.subcontrol_id WHERE ts.tenant_id = '%s' AND s.level = 1" % tenant)
        imstest.unary(self.channel, "/ims.v1.Assessments/SetAnswers", assess.SetAnswersRequest(
            tenant=tenant, answers=[assess.Answer(subcontrol=s[0], answer="yes") for s in subs]),
            assess.SetAnswersResponse, token=self.token)
        w = self.call("AwardLevel", imp.AwardLevelRequest(tenant=tenant, level=1), imp.Award,
                      token=auditor)
        self.assertEqual(w.grace_days, 30)
        self.assertEqual((w.level, w.status, w.framework), (1, "active", ""))
        self.assertGreater(w.revision, 0)
        self.assertTrue(w.auditor.startswith("auditor "))
        # Viewers and consultants cannot award.
        consultant = imstest.imsd_token("consultant", tenants=[tenant])
        self.assertEqual(self.code("AwardLevel", imp.AwardLevelRequest(tenant=tenant, level=1),
                                   imp.Award, token=consultant)[0], grpc.StatusCode.PERMISSION_DENIED)
        # A major nonconformity suspends it with the change that opens it.
        f = imstest.unary(self.channel, "/ims.v1.Events/SubmitFinding", events_pb2.SubmitFindingRequest(
            tenant=tenant, finding=events_pb2.Finding(type="major_nc", controls=["A.5.1"])),
            events_pb2.FindingResult, token=self.token).finding
        got = self.call("GetAward", imp.GetAwardRequest(tenant=tenant, id=w.id), imp.Award)
        self.assertEqual(got.status, "suspended")
        self.assertIn("major nonconformity", got.status_reason)
        # It cannot be reinstated while the cause stands.
        code, msg = self.code("UpdateAward", imp.UpdateAwardRequest(tenant=tenant, id=w.id, status="active"),
                              imp.Award, token=auditor)
        self.assertEqual(code, grpc.StatusCode.FAILED_PRECONDITION, msg)
        imstest.unary(self.channel, "/ims.v1.Improvement/RaiseAction", imp.RaiseActionRequest(
            tenant=tenant, action=imp.Action(kind="corrective", source_kind="finding", source_id=f.id,
                                             description="fix", owner="o", due="2030-01-01T00:00:00Z")),
            imp.ActionResult, token=self.token)
        actions = self.call("ListActions", imp.ListActionsRequest(tenant=tenant), imp.ListActionsResponse)
        aid = actions.actions[0].id
        self.call("ProgressAction", imp.ProgressActionRequest(tenant=tenant, id=aid, status="done"), imp.ActionResult)
        self.call("ProgressAction", imp.ProgressActionRequest(tenant=tenant, id=aid, status="verified", note="ok"),
                  imp.ActionResult, token=auditor)
        imstest.unary(self.channel, "/ims.v1.Events/UpdateFinding", events_pb2.UpdateFindingRequest(
            tenant=tenant, id=f.id, close=True), events_pb2.FindingResult, token=self.token)
        r = self.call("UpdateAward", imp.UpdateAwardRequest(tenant=tenant, id=w.id, status="active",
                                                            reason="NC closed"), imp.Award, token=auditor)
        self.assertEqual(r.status, "active")
        wd = self.call("UpdateAward", imp.UpdateAwardRequest(tenant=tenant, id=w.id, status="withdrawn",
                                                             reason="scope changed"), imp.Award, token=auditor)
        self.assertEqual(wd.status, "withdrawn")
        listed = self.call("ListAwards", imp.ListAwardsRequest(tenant=tenant), imp.ListAwardsResponse)
        self.assertEqual([x.id for x in listed.awards], [w.id])
        # Maturity below the level: with no grace, the sweep (every second here) suspends.
        w2 = self.call("AwardLevel", imp.AwardLevelRequest(tenant=tenant, level=1, grace_days=0,
                                                           has_grace_days=True),
                       imp.Award, token=auditor)
        self.assertEqual(w2.grace_days, 0)
        imstest.unary(self.channel, "/ims.v1.Assessments/SetAnswers", assess.SetAnswersRequest(
            tenant=tenant, answers=[assess.Answer(subcontrol=s[0], answer="no") for s in subs]),
            assess.SetAnswersResponse, token=self.token)
        got = self.wait_award(tenant, w2.id, "suspended")
        self.assertIn("computed maturity", got.status_reason)
        self.assertTrue(got.below_since)

    def wait_award(self, tenant, id, status):
        import time
        for _ in range(100):
            got = self.call("GetAward", imp.GetAwardRequest(tenant=tenant, id=id), imp.Award)
            if got.status == status:
                return got
            time.sleep(0.1)
        self.fail("award %s never became %s" % (id, status))

    def export(self, tenant):
        return imstest.unary(self.channel, "/ims.v1.Tenants/ExportTenant",
                             tenants_pb2.ExportTenantRequest(tenant=tenant),
                             tenants_pb2.ExportTenantResponse, token=self.token).snapshot

    def test_export_import_export_is_identical(self):
        tenant = self.make_tenant()
        call = lambda m, req, resp: imstest.unary(self.channel, S + m, req, resp, token=self.token)
        audit = call("PlanAudit", imp.PlanAuditRequest(tenant=tenant, audit=imp.Audit(
            kind="supplier", title="Cloud provider", planned_at=days_ago(1),
            frameworks=["iso27001-2022"])), imp.AuditResult).audit
        call("UpdateAudit", imp.UpdateAuditRequest(tenant=tenant, id=audit.id, status="in_progress"),
             imp.AuditResult)
        inc = imstest.unary(self.channel, "/ims.v1.Events/SubmitIncident",
                            events_pb2.SubmitIncidentRequest(tenant=tenant, incident=events_pb2.Incident(
                                severity=2, description="outage")),
                            events_pb2.IncidentResult, token=self.token).incident
        f = imstest.unary(self.channel, "/ims.v1.Events/SubmitFinding", events_pb2.SubmitFindingRequest(
            tenant=tenant, finding=events_pb2.Finding(type="minor_nc", controls=["A.5.19"],
                                                      audit_id=audit.id, incident=inc.id)),
            events_pb2.FindingResult, token=self.token).finding
        a = call("RaiseAction", imp.RaiseActionRequest(tenant=tenant, action=imp.Action(
            kind="corrective", source_kind="finding", source_id=f.id, description="contract clause",
            owner="Legal", due="2030-01-01T00:00:00Z", root_cause="no clause")), imp.ActionResult).action
        call("ProgressAction", imp.ProgressActionRequest(tenant=tenant, id=a.id, status="done"),
             imp.ActionResult)
        call("HoldReview", imp.HoldReviewRequest(tenant=tenant, chair="CEO", attendees=["CFO"],
             decisions="go", actions=[imp.ReviewAction(kind="preventive", description="x",
                                                      owner="o", due="2030-01-01T00:00:00Z")]),
             imp.ReviewResult)
        call("PutObjective", imp.PutObjectiveRequest(tenant=tenant, objective=imp.Objective(
            id="o-1", title="T", owner="O", tier="functional", target=0.75, due="2030-01-01T00:00:00Z",
            metrics=["mfa_coverage_pct", "overdue_actions"])), imp.Objective)
        imstest.psql("INSERT INTO awards (tenant_id, award_id, level, auditor, expires_at, revision, "
                     "maturity, status, status_reason, below_since) VALUES ('%s', 'AW-x', 1, 'a', "
                     "'2030-01-01Z', 3, 1, 'suspended', 'why', '2026-01-01Z')" % tenant)
        # Two findings opened within one second, the later one first by id: the snapshot
        # carries the second alone, and the order must not change through an import.
        f2 = imstest.unary(self.channel, "/ims.v1.Events/SubmitFinding", events_pb2.SubmitFindingRequest(
            tenant=tenant, finding=events_pb2.Finding(type="observation", controls=["A.5.1"])),
            events_pb2.FindingResult, token=self.token).finding
        first_id, second_id = sorted([f.id, f2.id])
        imstest.psql("UPDATE findings SET opened_at = CASE finding_id WHEN '%s' THEN "
                     "timestamptz '2026-06-01 10:00:00.6Z' ELSE timestamptz '2026-06-01 10:00:00.1Z' END "
                     "WHERE tenant_id = '%s' "
                     "AND finding_id IN ('%s', '%s')" % (first_id, tenant, first_id, second_id))
        first = self.export(tenant)
        doc = json.loads(first)
        records = doc["records"]
        for kind in ("audit", "finding_link", "review", "objective", "action", "award"):
            self.assertTrue(records[kind], kind)
        self.assertEqual(records["finding_link"], [{"finding": f.id, "audit": audit.id,
                                                     "incident": inc.id}])
        computed = {m["id"] for m in doc["metrics"] if m.get("source") == "computed"}
        self.assertIn("overdue_actions", computed)
        self.assertNotIn("mfa_coverage_pct", computed)
        slug = imstest.unique("act-imp")
        imstest.unary(self.channel, "/ims.v1.Tenants/ImportTenant", tenants_pb2.ImportTenantRequest(
            slug=slug, display_name="Imported", sector="retail", size_band="micro", snapshot=first),
            tenants_pb2.Tenant, token=self.token)
        self.assertEqual(self.export(slug), first)
        # An import that names an unknown key says where.
        doc["records"]["action"][0]["colour"] = "red"
        code, msg = imstest.code_of(lambda: imstest.unary(
            self.channel, "/ims.v1.Tenants/ImportTenant", tenants_pb2.ImportTenantRequest(
                slug=imstest.unique("act-bad"), display_name="Bad", sector="retail",
                size_band="micro", snapshot=json.dumps(doc)), tenants_pb2.Tenant, token=self.token))
        self.assertEqual(code, grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("$.records.action[0].colour", msg)
        # Times as strict as an export writes them: "infinity" or a far year, which the due
        # times could not be computed from, are refused naming the record.
        for bad in ("infinity", "294276-12-01T00:00:00Z", "2030-01-01 00:00:00+02"):
            doc = json.loads(first)
            doc["records"]["action"][0]["due"] = bad
            code, msg = imstest.code_of(lambda: imstest.unary(
                self.channel, "/ims.v1.Tenants/ImportTenant", tenants_pb2.ImportTenantRequest(
                    slug=imstest.unique("act-bad"), display_name="Bad", sector="retail",
                    size_band="micro", snapshot=json.dumps(doc)), tenants_pb2.Tenant,
                token=self.token))
            self.assertEqual(code, grpc.StatusCode.INVALID_ARGUMENT, bad)
            self.assertIn("$.records.action[0]", msg)
            self.assertIn("RFC 3339", msg)

    def test_other_tenant_is_out_of_scope(self):
        other = self.make_tenant()
        scoped = imstest.imsd_token("tenant_admin", tenants=[other])
        code, msg = self.code("ListActions", imp.ListActionsRequest(tenant=self.tenant),
                              imp.ListActionsResponse, token=scoped)
        self.assertEqual(code, grpc.StatusCode.PERMISSION_DENIED)


class ComputedInTheChange(unittest.TestCase):
    """A change that moves computed metrics commits their samples, the revision, the level
    history and the answer's level in its own transaction: one revision, and the level
    answered is the level read afterwards. The sweep waits an hour here, so that only the
    changes write."""

    @classmethod
    def setUpClass(cls):
        cls.daemon = imstest.Daemon("--act-sweep-interval-s", "3600")
        cls.channel = cls.daemon.channel()
        cls.token = imstest.imsd_token()
        cls.tenant = CheckAndAct.make_tenant.__func__(cls)

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        assert cls.daemon.stop() == 0

    def unary(self, method, request, response):
        return imstest.unary(self.channel, method, request, response, token=self.token)

    def revisions(self):
        return int(imstest.psql("SELECT count(*) FROM level_history WHERE tenant_id = '%s'"
                                % self.tenant)[0][0])

    def level(self):
        return self.unary("/ims.v1.Level/GetSecurityLevel",
                          level_pb2.GetSecurityLevelRequest(tenant=self.tenant), level_pb2.SecurityLevel)

    def samples(self, metric):
        return imstest.psql("SELECT value FROM metric_samples WHERE tenant_id = '%s' AND "
                            "metric_id = '%s' ORDER BY at, received_at" % (self.tenant, metric))

    def assert_one_revision(self, change, metric):
        """change() answers a result with security_level and revision."""
        before, samples = self.revisions(), len(self.samples(metric))
        answer = change()
        self.assertEqual(len(self.samples(metric)), samples + 1, metric)
        self.assertEqual(self.revisions(), before + 1)
        now = self.level()
        self.assertEqual(answer.revision, now.revision)
        self.assertEqual(answer.security_level, now.security_level)
        return answer

    def test_every_change_that_moves_a_computed_metric(self):
        f = self.unary("/ims.v1.Events/SubmitFinding", events_pb2.SubmitFindingRequest(
            tenant=self.tenant, finding=events_pb2.Finding(type="minor_nc", controls=["A.5.15"])),
            events_pb2.FindingResult).finding
        r = self.assert_one_revision(lambda: self.unary(
            "/ims.v1.Events/AddAction", events_pb2.AddActionRequest(
                tenant=self.tenant, finding=f.id, description="late", owner="o",
                due="2021-01-01T00:00:00Z"), events_pb2.FindingResult), "overdue_actions")
        self.assertEqual(self.samples("overdue_actions")[-1], ["1"])
        action = r.finding.actions[0].id
        self.assert_one_revision(lambda: self.unary(
            "/ims.v1.Events/UpdateAction", events_pb2.UpdateActionRequest(
                tenant=self.tenant, id=action, status="done"), events_pb2.FindingResult),
            "overdue_actions")
        self.assertEqual(self.samples("overdue_actions")[-1], ["0"])
        raised = self.assert_one_revision(lambda: self.unary(
            S + "RaiseAction", imp.RaiseActionRequest(tenant=self.tenant, action=imp.Action(
                kind="improvement", source_kind="none", description="d", owner="o",
                due="2021-01-01T00:00:00Z")), imp.ActionResult), "overdue_actions")
        self.assertTrue(raised.action.overdue)
        self.assert_one_revision(lambda: self.unary(
            S + "ProgressAction", imp.ProgressActionRequest(tenant=self.tenant, id=raised.action.id,
                                                            status="cancelled", note="dup"),
            imp.ActionResult), "overdue_actions")
        # Closing a finding (tenant write of its own) and a continuity change.
        g = self.unary("/ims.v1.Events/SubmitFinding", events_pb2.SubmitFindingRequest(
            tenant=self.tenant, finding=events_pb2.Finding(type="minor_nc", controls=["A.5.1"])),
            events_pb2.FindingResult).finding
        fixed = self.unary("/ims.v1.Events/AddAction", events_pb2.AddActionRequest(
            tenant=self.tenant, finding=g.id, description="fix", owner="o",
            due="2030-01-01T00:00:00Z"), events_pb2.FindingResult).finding.actions[0].id
        for status in ("done", "verified"):
            self.unary("/ims.v1.Events/UpdateAction", events_pb2.UpdateActionRequest(
                tenant=self.tenant, id=fixed, status=status), events_pb2.FindingResult)
        self.assert_one_revision(lambda: self.unary(
            "/ims.v1.Events/UpdateFinding", events_pb2.UpdateFindingRequest(
                tenant=self.tenant, id=g.id, close=True), events_pb2.FindingResult),
            "nonconformity_closure_days")
        continuity = imstest.load_pb2("continuity")
        before = self.revisions()
        c = self.unary("/ims.v1.Continuity/PutProcess", continuity.PutProcessRequest(
            tenant=self.tenant, process=continuity.Process(id="payroll", name="Payroll",
                                                           criticality=5, mtpd_min=1440,
                                                           rto_min=240, rpo_min=60)),
            continuity.ContinuityChange)
        self.assertEqual(self.revisions(), before + 1)
        self.assertEqual(c.security_level, self.level().security_level)
        # Unknown object: NOT_FOUND and nothing written.
        before = self.revisions()
        code, _ = imstest.code_of(lambda: self.unary(
            S + "ProgressAction", imp.ProgressActionRequest(tenant=self.tenant, id="A-none", owner="x"),
            imp.ActionResult))
        self.assertEqual(code, grpc.StatusCode.NOT_FOUND)
        self.assertEqual(self.revisions(), before)


def in_seconds(n):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=n)
    return t.replace(microsecond=0) + datetime.timedelta(seconds=1)


def rfc3339(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


class DueTimes(unittest.TestCase):
    """What moves with time alone is written at its due time, not at the next sweep (an hour
    away here): an action falling due, an award expiring."""

    @classmethod
    def setUpClass(cls):
        cls.daemon = imstest.Daemon("--act-sweep-interval-s", "3600")
        cls.channel = cls.daemon.channel()
        cls.token = imstest.imsd_token()

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        assert cls.daemon.stop() == 0

    def call(self, method, request, response, token=None):
        return imstest.unary(self.channel, S + method, request, response, token=token or self.token)

    def wait_for(self, what, get, limit_s=20):
        import time
        for _ in range(limit_s * 10):
            got = get()
            if got:
                return got
            time.sleep(0.1)
        lines = [l for l in self.daemon.log_text().splitlines() if "due" in l or "sweep" in l]
        self.fail("%s; the daemon said:\n%s" % (what, "\n".join(lines[-20:])))

    def test_action_falls_due_at_its_due_time(self):
        tenant = CheckAndAct.make_tenant.__func__(self)
        level = lambda: imstest.unary(self.channel, "/ims.v1.Level/GetSecurityLevel",
                                      level_pb2.GetSecurityLevelRequest(tenant=tenant),
                                      level_pb2.SecurityLevel, token=self.token)
        due = in_seconds(2)
        a = self.call("RaiseAction", imp.RaiseActionRequest(tenant=tenant, action=imp.Action(
            kind="improvement", source_kind="none", description="soon", owner="o",
            due=rfc3339(due))), imp.ActionResult)
        self.assertFalse(a.action.overdue)
        before = level().revision
        late = lambda: imstest.psql(
            "SELECT extract(epoch FROM at) FROM metric_samples WHERE tenant_id = '%s' "
            "AND metric_id = 'overdue_actions' AND value = 1" % tenant)
        at = float(self.wait_for("overdue_actions never became 1", late)[0][0])
        self.assertGreaterEqual(at, due.timestamp())
        self.assertLess(at, due.timestamp() + 5)  # not an hour later, at the next sweep
        # The level moved with it: a revision at that time.
        moved = lambda: imstest.psql(
            "SELECT extract(epoch FROM at) FROM level_history WHERE tenant_id = '%s' "
            "AND revision > %d" % (tenant, before))
        self.assertGreaterEqual(float(self.wait_for("no revision after the due time", moved)[0][0]),
                                due.timestamp())
        self.assertGreater(level().revision, before)

    def test_award_expires_and_is_renewed(self):
        tenant = CheckAndAct.make_tenant.__func__(self)
        auditor = imstest.imsd_token("auditor", tenants=[tenant])
        assess = imstest.load_pb2("assessments")
        subs = imstest.psql("SELECT ts.subcontrol_id FROM tenant_subcontrols ts JOIN subcontrols s "
                            "ON s.id = ts.subcontrol_id WHERE ts.tenant_id = '%s' AND s.level = 1" % tenant)
        imstest.unary(self.channel, "/ims.v1.Assessments/SetAnswers", assess.SetAnswersRequest(
            tenant=tenant, answers=[assess.Answer(subcontrol=s[0], answer="yes") for s in subs]),
            assess.SetAnswersResponse, token=self.token)
        expires = in_seconds(2)
        w = self.call("AwardLevel", imp.AwardLevelRequest(tenant=tenant, level=1,
                                                          expires_at=rfc3339(expires)),
                      imp.Award, token=auditor)
        self.assertEqual(w.status, "active")
        # A second award of the level is refused while the first stands.
        code, _ = imstest.code_of(lambda: self.call("AwardLevel", imp.AwardLevelRequest(
            tenant=tenant, level=1), imp.Award, token=auditor))
        self.assertEqual(code, grpc.StatusCode.FAILED_PRECONDITION)
        got = self.wait_for("the award never expired", lambda: (lambda a: a if a.status == "expired" else None)(
            self.call("GetAward", imp.GetAwardRequest(tenant=tenant, id=w.id), imp.Award)))
        self.assertIn("expired", got.status_reason)
        row = imstest.psql("SELECT updated_at >= expires_at, updated_at < expires_at + interval '5 s' "
                           "FROM awards WHERE tenant_id = '%s' AND award_id = '%s'" % (tenant, w.id))
        self.assertEqual(row, [["t", "t"]])
        listed = self.call("ListAwards", imp.ListAwardsRequest(tenant=tenant), imp.ListAwardsResponse)
        self.assertEqual([(x.id, x.status) for x in listed.awards], [(w.id, "expired")])
        snap = json.loads(imstest.unary(self.channel, "/ims.v1.Tenants/ExportTenant",
                                        tenants_pb2.ExportTenantRequest(tenant=tenant),
                                        tenants_pb2.ExportTenantResponse, token=self.token).snapshot)
        self.assertEqual([x["status"] for x in snap["records"]["award"]], ["expired"])
        # Neither reinstated nor withdrawn: renewed by a new award.
        code, msg = imstest.code_of(lambda: self.call("UpdateAward", imp.UpdateAwardRequest(
            tenant=tenant, id=w.id, status="withdrawn", reason="x"), imp.Award, token=auditor))
        self.assertEqual(code, grpc.StatusCode.FAILED_PRECONDITION)
        self.assertIn("new award", msg)
        renewed = self.call("AwardLevel", imp.AwardLevelRequest(tenant=tenant, level=1),
                            imp.Award, token=auditor)
        self.assertEqual(renewed.status, "active")
        self.assertNotEqual(renewed.id, w.id)


if __name__ == "__main__":
    unittest.main()
