"""Events in, security level out: every event type moves the level exactly as the engine
predicts, retries are idempotent, rejected batches leave no trace, watchers see every
change in order, and two daemons on one database converge."""
import json
import os
import queue
import subprocess
import tempfile
import threading
import time
import unittest

import grpc

import imstest
from imstest import events_pb2, level_pb2, tenants_pb2

IMS_EVAL = os.path.join(imstest.BUILD, "client", "cli", "ims-eval")


def create_tenant(channel, token, sector="it-services", size="small"):
    slug = imstest.unique("ev")
    return imstest.unary(channel, "/ims.v1.Tenants/CreateTenant",
                         tenants_pb2.CreateTenantRequest(slug=slug, display_name="Events Ltd",
                                                         sector=sector, size_band=size),
                         tenants_pb2.Tenant, token=token)


def answer_some(tenant_id, fraction_yes=0.5):
    """Answers part of the checklist directly in the database, as an assessment would."""
    imstest.psql(
        "BEGIN; SELECT set_config('ims.tenant_id', '%s', true);"
        "UPDATE tenant_subcontrols SET answer = CASE WHEN hashtext(subcontrol_id) %% 4 = 0 "
        "THEN 'partial' ELSE 'yes' END, answered_at = now() "
        "WHERE tenant_id = '%s' AND hashtext(subcontrol_id) %% 100 < %d; COMMIT;"
        % (tenant_id, tenant_id, int(fraction_yes * 100)))


def offline_level(tenant_id, at):
    """The engine's own evaluation of the tenant's stored state at time `at`."""
    rows = imstest.psql("SELECT set_config('ims.tenant_id', '%s', false), "
                        "ims_tenant_snapshot('%s', true)" % (tenant_id, tenant_id))
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        f.write(rows[0][1])
        path = f.name
    try:
        out = subprocess.run([IMS_EVAL, path, "--at", at], check=True, capture_output=True,
                             text=True).stdout
    finally:
        os.unlink(path)
    return json.loads(out)


class Events(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = imstest.Daemon()
        cls.channel = cls.daemon.channel()
        cls.token = imstest.imsd_token()

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        assert cls.daemon.stop() == 0

    def call(self, method, request, response_cls, channel=None):
        return imstest.unary(channel or self.channel, method, request, response_cls,
                             token=self.token)

    def level(self, tenant, channel=None):
        return self.call("/ims.v1.Level/GetSecurityLevel",
                         level_pb2.GetSecurityLevelRequest(tenant=tenant), level_pb2.SecurityLevel,
                         channel)

    def assert_matches_engine(self, tenant_id, channel=None):
        lv = self.level(tenant_id, channel)
        off = offline_level(tenant_id, lv.at)
        self.assertAlmostEqual(lv.security_level, off["security_level"], delta=1e-9)
        self.assertEqual(lv.maturity, off["maturity"])
        return lv

    def test_each_event_moves_the_level_as_the_engine_predicts(self):
        t = create_tenant(self.channel, self.token)
        answer_some(t.id)
        # The answers were written behind the daemon's back: a fresh daemon loads them.
        d = imstest.Daemon()
        ch = d.channel()
        try:
            before = self.assert_matches_engine(t.id, ch)
            self.assertGreater(before.security_level, 0)
            inc = self.call("/ims.v1.Events/SubmitIncident", events_pb2.SubmitIncidentRequest(
                tenant=t.id, incident=events_pb2.Incident(severity=5, threat="T.malware",
                                                          controls=["A.8.7"])),
                events_pb2.IncidentResult, ch)
            self.assertLess(inc.security_level, before.security_level)
            self.assertEqual(inc.revision, before.revision + 1)
            self.assert_matches_engine(t.id, ch)

            res = self.call("/ims.v1.Events/UpdateIncident", events_pb2.UpdateIncidentRequest(
                tenant=t.id, id=inc.incident.id, status="resolved"), events_pb2.IncidentResult, ch)
            self.assertEqual(res.incident.status, "resolved")
            self.assertTrue(res.incident.resolved_at)
            self.assert_matches_engine(t.id, ch)

            f = self.call("/ims.v1.Events/SubmitFinding", events_pb2.SubmitFindingRequest(
                tenant=t.id, finding=events_pb2.Finding(type="major_nc", controls=["A.5.1"],
                                                        audit="internal 2026")),
                events_pb2.FindingResult, ch)
            self.assertEqual(f.finding.status, "open")
            self.assert_matches_engine(t.id, ch)

            m = self.call("/ims.v1.Events/PushMetrics", events_pb2.PushMetricsRequest(
                tenant=t.id, samples=[events_pb2.Sample(metric="patch_latency_days", value=3)]),
                events_pb2.PushMetricsResponse, ch)
            self.assertEqual(m.accepted, 1)
            self.assert_matches_engine(t.id, ch)
        finally:
            ch.close()
            self.assertEqual(d.stop(), 0)

    def test_a_read_never_evaluates(self):
        """A read is served from the state the latest change evaluated: two reads with no
        change between them give the same time and figures however far apart they are, and
        only a change (here an incident) makes a new one."""
        t = create_tenant(self.channel, self.token)
        first = self.level(t.id)
        time.sleep(1.5)
        second = self.level(t.id)
        self.assertEqual(second.at, first.at)
        self.assertEqual(second.revision, first.revision)
        self.assertEqual(second.security_level, first.security_level)
        self.call("/ims.v1.Events/SubmitIncident", events_pb2.SubmitIncidentRequest(
            tenant=t.id, incident=events_pb2.Incident(severity=3, controls=["A.8.7"])),
            events_pb2.IncidentResult)
        third = self.level(t.id)
        self.assertEqual(third.revision, first.revision + 1)
        self.assertGreater(third.at, first.at)

    def test_finding_closes_only_when_actions_verified(self):
        t = create_tenant(self.channel, self.token)
        f = self.call("/ims.v1.Events/SubmitFinding", events_pb2.SubmitFindingRequest(
            tenant=t.id, finding=events_pb2.Finding(type="minor_nc", controls=["A.8.13"])),
            events_pb2.FindingResult)
        close = lambda: self.call("/ims.v1.Events/UpdateFinding", events_pb2.UpdateFindingRequest(
            tenant=t.id, id=f.finding.id, close=True), events_pb2.FindingResult)
        self.assertEqual(imstest.code_of(close)[0], grpc.StatusCode.FAILED_PRECONDITION)
        a = self.call("/ims.v1.Events/AddAction", events_pb2.AddActionRequest(
            tenant=t.id, finding=f.finding.id, description="Test restores monthly",
            owner="IT lead", due="2027-01-31T00:00:00Z"), events_pb2.FindingResult)
        action = a.finding.actions[0].id
        update = lambda status: self.call("/ims.v1.Events/UpdateAction",
                                          events_pb2.UpdateActionRequest(tenant=t.id, id=action,
                                                                         status=status),
                                          events_pb2.FindingResult)
        self.assertEqual(imstest.code_of(lambda: update("verified"))[0],
                         grpc.StatusCode.FAILED_PRECONDITION)
        update("done")
        self.assertEqual(imstest.code_of(close)[0], grpc.StatusCode.FAILED_PRECONDITION)
        update("verified")
        closed = close()
        self.assertEqual(closed.finding.status, "closed")
        self.assertEqual(closed.finding.actions[0].status, "verified")

    def test_idempotent_retries(self):
        t = create_tenant(self.channel, self.token)
        req = events_pb2.SubmitIncidentRequest(
            tenant=t.id, incident=events_pb2.Incident(severity=3, controls=["A.5.1"]),
            idempotency_key="retry-1")
        a = self.call("/ims.v1.Events/SubmitIncident", req, events_pb2.IncidentResult)
        b = self.call("/ims.v1.Events/SubmitIncident", req, events_pb2.IncidentResult)
        self.assertEqual(a.incident.id, b.incident.id)
        self.assertEqual(a.revision, b.revision)
        self.assertEqual(imstest.psql(
            "SELECT set_config('ims.tenant_id', '%s', false), count(*) FROM incidents "
            "WHERE tenant_id = '%s'" % (t.id, t.id))[0][1], "1")
        other = events_pb2.SubmitIncidentRequest(
            tenant=t.id, incident=events_pb2.Incident(severity=4, controls=["A.5.1"]),
            idempotency_key="retry-1")
        code, details = imstest.code_of(lambda: self.call("/ims.v1.Events/SubmitIncident", other,
                                                          events_pb2.IncidentResult))
        self.assertEqual(code, grpc.StatusCode.ALREADY_EXISTS)
        self.assertIn("idempotency_key", details)
        push = events_pb2.PushMetricsRequest(
            tenant=t.id, samples=[events_pb2.Sample(metric="patch_latency_days", value=i)
                                  for i in range(10)], idempotency_key="batch-7")
        first = self.call("/ims.v1.Events/PushMetrics", push, events_pb2.PushMetricsResponse)
        again = self.call("/ims.v1.Events/PushMetrics", push, events_pb2.PushMetricsResponse)
        self.assertEqual(first.revision, again.revision)
        self.assertEqual(imstest.psql(
            "SELECT set_config('ims.tenant_id', '%s', false), count(*) FROM metric_samples "
            "WHERE tenant_id = '%s'" % (t.id, t.id))[0][1], "10")

    def test_corrective_action_retries_add_one_action(self):
        t = create_tenant(self.channel, self.token)
        f = self.call("/ims.v1.Events/SubmitFinding", events_pb2.SubmitFindingRequest(
            tenant=t.id, finding=events_pb2.Finding(type="minor_nc", controls=["A.5.1"])),
            events_pb2.FindingResult)
        add = events_pb2.AddActionRequest(tenant=t.id, finding=f.finding.id,
                                          description="Write the policy", owner="CEO",
                                          due="2027-01-31T00:00:00Z", idempotency_key="ca-1")
        first = self.call("/ims.v1.Events/AddAction", add, events_pb2.FindingResult)
        again = self.call("/ims.v1.Events/AddAction", add, events_pb2.FindingResult)
        self.assertEqual(len(first.finding.actions), 1)
        self.assertEqual([a.id for a in again.finding.actions], [first.finding.actions[0].id])
        other = events_pb2.AddActionRequest(tenant=t.id, finding=f.finding.id,
                                            description="Something else", owner="CEO",
                                            due="2027-01-31T00:00:00Z", idempotency_key="ca-1")
        code, details = imstest.code_of(lambda: self.call("/ims.v1.Events/AddAction", other,
                                                          events_pb2.FindingResult))
        self.assertEqual(code, grpc.StatusCode.ALREADY_EXISTS)
        done = events_pb2.UpdateActionRequest(tenant=t.id, id=first.finding.actions[0].id,
                                              status="done", idempotency_key="ca-1-done")
        self.call("/ims.v1.Events/UpdateAction", done, events_pb2.FindingResult)
        replay = self.call("/ims.v1.Events/UpdateAction", done, events_pb2.FindingResult)
        self.assertEqual(replay.finding.actions[0].status, "done")

    def test_rejected_batch_leaves_no_trace(self):
        t = create_tenant(self.channel, self.token)
        before = self.level(t.id)
        cases = [
            ([("patch_latency_days", 1, ""), ("patch_latency_days", 2, ""),
              ("patch_latency_days", 3, ""), ("no_such_metric", 4, "")], "samples[3].metric"),
            ([("patch_latency_days", float("nan"), "")], "samples[0].value"),
            ([("patch_latency_days", 1, ""), ("patch_latency_days", 1, "2099-01-01T00:00:00Z")],
             "samples[1].at"),
        ]
        for samples, field in cases:
            req = events_pb2.PushMetricsRequest(tenant=t.id, samples=[
                events_pb2.Sample(metric=m, value=v, at=at) for m, v, at in samples])
            code, details = imstest.code_of(lambda: self.call(
                "/ims.v1.Events/PushMetrics", req, events_pb2.PushMetricsResponse))
            self.assertEqual(code, grpc.StatusCode.INVALID_ARGUMENT)
            self.assertIn(field, details)
        self.assertEqual(imstest.psql(
            "SELECT set_config('ims.tenant_id', '%s', false), count(*) FROM metric_samples "
            "WHERE tenant_id = '%s'" % (t.id, t.id))[0][1], "0")
        self.assertEqual(self.level(t.id).revision, before.revision)
        code, details = imstest.code_of(lambda: self.call(
            "/ims.v1.Events/SubmitIncident", events_pb2.SubmitIncidentRequest(
                tenant=t.id, incident=events_pb2.Incident(severity=9)), events_pb2.IncidentResult))
        self.assertEqual(code, grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("severity", details)
        code, details = imstest.code_of(lambda: self.call(
            "/ims.v1.Events/SubmitIncident", events_pb2.SubmitIncidentRequest(
                tenant=t.id, incident=events_pb2.Incident(severity=2, controls=["A.99.1"])),
            events_pb2.IncidentResult))
        self.assertEqual(code, grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("A.99.1", details)
        self.assertEqual(self.level(t.id).revision, before.revision)

    def test_refused_writes_in_a_batch_leave_the_others_committed_once(self):
        """Writes sent together are flushed in batches; every other one names an unknown
        metric. Each refused write is answered with its reason, every accepted one is stored
        exactly once, and the level moved at most once per accepted write."""
        t = create_tenant(self.channel, self.token)
        before = self.level(t.id)
        push = self.channel.unary_unary(
            "/ims.v1.Events/PushMetrics", request_serializer=lambda m: m.SerializeToString(),
            response_deserializer=events_pb2.PushMetricsResponse.FromString)
        md = [("authorization", "Bearer " + self.token)]
        futures = []
        for i in range(40):
            metric = "patch_latency_days" if i % 2 == 0 else "no_such_metric"
            req = events_pb2.PushMetricsRequest(tenant=t.id, idempotency_key="mixed-%d" % i,
                                                samples=[events_pb2.Sample(metric=metric,
                                                                           value=1000 + i)])
            futures.append(push.future(req, metadata=md, timeout=30))
        for i, f in enumerate(futures):
            if i % 2 == 0:
                self.assertEqual(f.result().accepted, 1)
            else:
                self.assertEqual(f.code(), grpc.StatusCode.INVALID_ARGUMENT)
                self.assertIn("no_such_metric", f.details())
        values = sorted(float(v) for (v,) in imstest.psql(
            "SELECT value FROM metric_samples WHERE tenant_id = '%s'" % t.id))
        self.assertEqual(values, [1000.0 + i for i in range(0, 40, 2)])
        after = self.level(t.id)
        self.assertGreater(after.revision, before.revision)
        self.assertLessEqual(after.revision - before.revision, 20)


class Watchers(unittest.TestCase):
    def watch(self, channel, token, tenant, out, ready):
        stream = channel.unary_stream(
            "/ims.v1.Level/WatchSecurityLevel",
            request_serializer=lambda m: m.SerializeToString(),
            response_deserializer=level_pb2.SecurityLevel.FromString)
        call = stream(level_pb2.WatchSecurityLevelRequest(tenant=tenant),
                      metadata=[("authorization", "Bearer " + token)], timeout=60)
        try:
            for i, msg in enumerate(call):
                out.put(msg)
                if i == 0:
                    ready.set()
        except grpc.RpcError as e:
            if e.code() != grpc.StatusCode.CANCELLED:
                out.put(e)
        return call

    def collect(self, q, n, timeout=20):
        got, deadline = [], time.time() + timeout
        while len(got) < n and time.time() < deadline:
            try:
                item = q.get(timeout=0.2)
            except queue.Empty:
                continue
            if isinstance(item, Exception):
                raise item
            got.append(item)
        return got

    def test_two_daemons_converge_and_watchers_see_every_change_in_order(self):
        token = imstest.imsd_token()
        a, b = imstest.Daemon(), imstest.Daemon()
        cha, chb = a.channel(), b.channel()
        threads = []
        try:
            t = create_tenant(cha, token)
            queues = []
            for ch in (cha, chb):
                q, ready = queue.Queue(), threading.Event()
                th = threading.Thread(target=self.watch, args=(ch, token, t.id, q, ready),
                                      daemon=True)
                th.start()
                self.assertTrue(ready.wait(10))
                threads.append(th)
                queues.append(q)
            changes = 6
            for i in range(changes):
                ch = cha if i % 2 == 0 else chb  # writes go through both daemons
                imstest.unary(ch, "/ims.v1.Events/PushMetrics", events_pb2.PushMetricsRequest(
                    tenant=t.id, samples=[events_pb2.Sample(metric="patch_latency_days",
                                                            value=float(i * 5))]),
                    events_pb2.PushMetricsResponse, token=token)
            for q in queues:
                # The current level first, then every change once, in commit order.
                msgs = self.collect(q, changes + 1)
                self.assertEqual([m.revision for m in msgs], list(range(changes + 1)))
                self.assertTrue(all(m.tenant == t.id for m in msgs))
            la = imstest.unary(cha, "/ims.v1.Level/GetSecurityLevel",
                               level_pb2.GetSecurityLevelRequest(tenant=t.id),
                               level_pb2.SecurityLevel, token=token)
            lb = imstest.unary(chb, "/ims.v1.Level/GetSecurityLevel",
                               level_pb2.GetSecurityLevelRequest(tenant=t.id),
                               level_pb2.SecurityLevel, token=token)
            self.assertEqual(la.revision, changes)
            self.assertEqual(lb.revision, changes)
            self.assertAlmostEqual(la.security_level, lb.security_level, delta=1e-12)
        finally:
            cha.close()
            chb.close()
            self.assertEqual(a.stop(), 0)
            self.assertEqual(b.stop(), 0)
            for th in threads:
                th.join(10)


if __name__ == "__main__":
    unittest.main()


class BackPressure(unittest.TestCase):
    def test_full_queue_refuses_and_retries_store_everything_once(self):
        # One waiting write per tenant: concurrent batches beyond it are refused, never lost.
        daemon = imstest.Daemon("--ingest-queue", "1", "--ingest-batch", "1")
        token = imstest.imsd_token()
        ch = daemon.channel()
        refused = []
        errors = []
        try:
            t = create_tenant(ch, token)

            def push(i):
                req = events_pb2.PushMetricsRequest(
                    tenant=t.id, idempotency_key="bp-%d" % i,
                    samples=[events_pb2.Sample(metric="patch_latency_days", value=1000 + i)])
                for _ in range(200):
                    code, details = imstest.code_of(lambda: imstest.unary(
                        ch, "/ims.v1.Events/PushMetrics", req, events_pb2.PushMetricsResponse,
                        token=token))
                    if code == grpc.StatusCode.OK:
                        return
                    if code != grpc.StatusCode.RESOURCE_EXHAUSTED:
                        errors.append((code, details))
                        return
                    self.assertIn("retry", details)
                    refused.append(i)
                    time.sleep(0.01)
                errors.append(("gave up", i))

            threads = [threading.Thread(target=push, args=(i,)) for i in range(24)]
            for th in threads:
                th.start()
            for th in threads:
                th.join(60)
            self.assertEqual(errors, [])
            rows = imstest.psql(
                "SELECT set_config('ims.tenant_id', '%s', false), value, count(*) FROM "
                "metric_samples WHERE tenant_id = '%s' GROUP BY value ORDER BY value"
                % (t.id, t.id))
            self.assertEqual([(float(r[1]), int(r[2])) for r in rows],
                             [(1000.0 + i, 1) for i in range(24)])
            print("refused then retried: %d" % len(refused))
        finally:
            ch.close()
            self.assertEqual(daemon.stop(), 0)
