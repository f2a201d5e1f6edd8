"""People, security culture, procedures and documented information through imsctl against a
real imsd: each capability end to end, the phase refused to a person whose profile it does
not allow (and nothing changed), documents approved moving the level, and the RPC checks
(another tenant, unknown objects, bad input)."""
import json
import os
import subprocess
import tempfile
import time
import unittest

import grpc

import imstest
from imstest import tenants_pb2

people_pb2 = imstest.load_pb2("people")
documents_pb2 = imstest.load_pb2("documents")
procedures_pb2 = imstest.load_pb2("procedures")

EXIT_INVALID, EXIT_NOT_FOUND, EXIT_EXISTS, EXIT_DENIED = 3, 4, 5, 6


class People(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = imstest.Daemon()
        cls.channel = cls.daemon.channel()
        cls.op = imstest.imsd_token("operator")
        cls.dir = tempfile.mkdtemp(prefix="ims-people-")
        cls.op_file = cls.token_file("op", cls.op)

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        code = cls.daemon.stop()
        for name in os.listdir(cls.dir):
            os.unlink(os.path.join(cls.dir, name))
        os.rmdir(cls.dir)
        assert code == 0, "imsd exited with %s" % code

    @classmethod
    def token_file(cls, name, token):
        path = os.path.join(cls.dir, name + ".token")
        with open(path, "w") as f:
            f.write(token + "\n")
        return path

    def imsctl(self, *args, token_file=None, ok=True):
        out = subprocess.run([imstest.IMSCTL, "--server", self.daemon.addr, "--token-file",
                              token_file or self.op_file] + list(args),
                             capture_output=True, text=True, timeout=30)
        if ok:
            self.assertEqual(out.returncode, 0, "imsctl %s: %s" % (" ".join(args), out.stderr))
        return out

    def json(self, *args, token_file=None):
        return json.loads(self.imsctl("--json", *args, token_file=token_file).stdout)

    def new_tenant(self, sector="it-services", size="small"):
        slug = imstest.unique("ppl")
        self.imsctl("tenant", "create", "--slug", slug, "--name", "Acme " + slug, "--sector",
                    sector, "--size", size)
        tid = imstest.psql("SELECT id FROM tenants WHERE slug = '%s'" % slug)[0][0]
        return slug, tid

    def team(self, t):
        """Ann the security officer, Bob a system user, Carl the systems manager."""
        self.imsctl("person", "put", t, "ann", "--name", "Ann Smith", "--profile",
                    "security_officer", "--email", "ann@example.com", "--org-unit", "IT")
        self.imsctl("person", "put", t, "bob", "--name", "Bob Jones", "--profile", "system_user",
                    "--manager", "ann")
        self.imsctl("person", "put", t, "carl", "--name", "Carl", "--profile", "systems_manager",
                    "--profile", "operations_lead")

    def settled(self, t, revision):
        """The tenant's level and revision once its revision reached `revision`."""
        deadline = time.time() + 20
        level, rev = self.level(t)
        while rev < revision and time.time() < deadline:
            time.sleep(0.05)
            level, rev = self.level(t)
        self.assertGreaterEqual(rev, revision)
        return level, rev

    def level(self, t):
        rows = imstest.psql("SELECT security_level, revision FROM tenants WHERE slug = '%s'" % t)
        return float(rows[0][0] or 0), int(rows[0][1])

    # --- people ---

    def test_people(self):
        t, tid = self.new_tenant()
        self.team(t)
        p = self.json("person", "get", t, "bob")
        self.assertEqual((p["name"], p["manager"], p["profiles"]), ("Bob Jones", "ann",
                                                                     ["system_user"]))
        self.assertEqual(p["culture_required"], 1)
        listed = self.json("person", "list", t)
        self.assertEqual([x["id"] for x in listed["people"]], ["ann", "bob", "carl"])
        profiles = self.json("person", "profiles")
        ids = [x["id"] for x in profiles["profiles"]]
        self.assertEqual(len(ids), 11)
        self.assertIn("third_party", ids)
        self.assertEqual([lv["level"] for lv in profiles["levels"]], [1, 2, 3])
        # Leaving: kept, marked.
        _, before = self.level(t)
        left = self.json("person", "put", t, "bob", "--name", "Bob Jones", "--profile",
                         "system_user", "--left")
        self.assertEqual(int(left["revision"]), before + 1)
        self.assertEqual(self.level(t)[1], before + 1)
        p = self.json("person", "get", t, "bob")
        self.assertTrue(p["left"])
        self.assertTrue(p["left_at"])
        # Bad input writes nothing and names the field.
        out = self.imsctl("person", "put", t, "dan", "--name", "Dan", "--profile", "wizard",
                          ok=False)
        self.assertEqual(out.returncode, EXIT_INVALID)
        self.assertIn("person.profiles", out.stderr)
        out = self.imsctl("person", "put", t, "dan", "--name", "Dan", "--manager", "nobody",
                          ok=False)
        self.assertEqual(out.returncode, EXIT_INVALID)
        self.assertIn("person.manager", out.stderr)
        self.assertEqual(imstest.psql("SELECT count(*) FROM people WHERE tenant_id = '%s' "
                                      "AND person_id = 'dan'" % tid), [["0"]])
        out = self.imsctl("person", "get", t, "nobody", ok=False)
        self.assertEqual(out.returncode, EXIT_NOT_FOUND)

    def test_owner_text_resolves_to_person(self):
        t, tid = self.new_tenant()
        imstest.unary(self.channel, "/ims.v1.Risk/PutAsset",
                      imstest.load_pb2("risk").PutAssetRequest(
                          tenant=t, asset=dict(id="crm", name="CRM", type="application",
                                               owner="Ann Smith", confidentiality=3,
                                               integrity=3, availability=3)),
                      imstest.load_pb2("risk").PutAssetResponse, token=self.op)
        owner = "SELECT coalesce(owner_person, '-') FROM assets WHERE tenant_id = '%s'" % tid
        self.assertEqual(imstest.psql(owner), [["-"]])
        # The person named later is linked to what named them.
        self.imsctl("person", "put", t, "ann", "--name", "Ann Smith")
        self.assertEqual(imstest.psql(owner), [["ann"]])
        assets = self.json("asset", "list", t)["assets"]
        self.assertEqual([(a["owner"], a["owner_person"]) for a in assets], [("Ann Smith", "ann")])
        # By id or by name, for processes too; a name two people share names no one.
        self.imsctl("process", "put", t, "billing", "--name", "Billing", "--criticality", "3",
                    "--mtpd", "600", "--owner", "ann")
        self.imsctl("person", "put", t, "bo-1", "--name", "Bo")
        self.imsctl("person", "put", t, "bo-2", "--name", "Bo")
        self.imsctl("process", "put", t, "sales", "--name", "Sales", "--criticality", "2",
                    "--mtpd", "600", "--owner", "Bo")
        # Actions and objectives of the Check and Act tracker name their owners too.
        self.json("action", "raise", t, "--kind", "improvement", "--description", "tidy",
                  "--owner", "Ann Smith", "--due", "+30d")
        self.assertEqual(imstest.psql("SELECT coalesce(owner_person, '-') FROM actions "
                                      "WHERE tenant_id = '%s'" % tid), [["ann"]])
        # ... and the answers and lists of actions, objectives and treatments show it.
        self.assertEqual(self.json("action", "list", t)["actions"][0]["owner_person"], "ann")
        o = self.json("objective", "put", t, "obj-1", "--title", "Reliable backups",
                      "--owner", "ann", "--tier", "functional", "--target", "0.9", "--due",
                      "+180d", "--metric", "backup_success_pct")
        self.assertEqual(o["owner_person"], "ann")
        objectives = self.json("objective", "list", t)["objectives"]
        self.assertEqual([x.get("owner_person", "") for x in objectives], ["ann"])
        pair = self.json("risk", "show", t)["pairs"][0]
        tr = self.json("risk", "treat", t, pair["asset"], pair["threat"], "--decision",
                       "accept", "--owner", "Ann Smith", "--note", "within the budget")
        self.assertEqual(tr["owner_person"], "ann")
        tr = self.json("risk", "treat", t, pair["asset"], pair["threat"], "--decision",
                       "accept", "--owner", "Bo", "--note", "within the budget")
        self.assertEqual(tr.get("owner_person", ""), "")
        procs = {p["id"]: p for p in self.json("process", "list", t)["processes"]}
        self.assertEqual(procs["billing"]["owner_person"], "ann")
        self.assertEqual(procs["sales"].get("owner_person", ""), "")

    def test_other_tenant_is_out_of_scope(self):
        t, tid = self.new_tenant()
        other, _ = self.new_tenant()
        admin = self.token_file("admin-" + t, imstest.imsd_token("tenant_admin", [tid]))
        self.imsctl("person", "put", t, "ann", "--name", "Ann", token_file=admin)
        out = self.imsctl("person", "list", other, token_file=admin, ok=False)
        self.assertEqual(out.returncode, EXIT_DENIED)
        self.assertIn("not found or not in your scope", out.stderr)
        out = self.imsctl("document", "list", other, token_file=admin, ok=False)
        self.assertEqual(out.returncode, EXIT_DENIED)

    # --- culture ---

    def test_culture_certificates(self):
        t, _ = self.new_tenant()
        self.team(t)
        s = self.json("culture", "summary", t)
        self.assertEqual((s["required"], s.get("certified", 0)), (3, 0))
        self.assertEqual(s["missing"], ["ann", "bob", "carl"])
        c = self.json("culture", "issue", t, "C-1", "--person", "ann", "--level", "3",
                      "--evidence", "course and test")
        self.assertTrue(c["valid"])
        # A level below the one the profile asks for does not count.
        self.json("culture", "issue", t, "C-2", "--person", "carl", "--level", "2")
        # An expired certificate does not count; its renewal does.
        self.json("culture", "issue", t, "C-3", "--person", "bob", "--level", "1", "--issued",
                  "2020-01-01T00:00:00Z", "--expires", "2021-01-01T00:00:00Z")
        s = self.json("culture", "summary", t)
        self.assertEqual((s["required"], s["certified"]), (3, 1))
        self.assertAlmostEqual(s["share"], 1 / 3)
        r = self.json("culture", "issue", t, "C-4", "--person", "bob", "--level", "1",
                      "--renews", "C-3")
        self.assertEqual(r["renews"], "C-3")
        s = self.json("culture", "summary", t)
        self.assertEqual((s["certified"], s["missing"]), (2, ["carl"]))
        # Each certificate moved culture_certified_pct in one write: one revision each, the
        # one answered, and the tenant's level is the one answered.
        _, before = self.level(t)
        r = self.json("culture", "issue", t, "C-5", "--person", "carl", "--level", "3")
        self.assertEqual(int(r["revision"]), before + 1)
        level, rev = self.level(t)
        self.assertEqual(rev, int(r["revision"]))
        self.assertAlmostEqual(level, r.get("security_level", 0))
        sample = imstest.psql("SELECT value FROM metric_samples s JOIN tenants t ON t.id = s.tenant_id "
                              "WHERE t.slug = '%s' AND metric_id = 'culture_certified_pct' "
                              "ORDER BY received_at DESC, at DESC LIMIT 1" % t)
        self.assertAlmostEqual(float(sample[0][0]), 100.0)
        self.assertTrue(self.json("person", "get", t, "bob")["culture_valid"])
        listed = self.json("culture", "list", t, "--person", "bob")
        self.assertEqual([x["id"] for x in listed["certificates"]], ["C-3", "C-4"])
        # Refusals name the field and write nothing.
        for args, field in ((["C-9", "--person", "nobody", "--level", "1"], "person"),
                            (["C-9", "--person", "ann", "--level", "1", "--renews", "C-2"],
                             "renews"),
                            (["C-9", "--person", "ann", "--level", "1", "--issued",
                              "2026-01-02T00:00:00Z", "--expires", "2026-01-01T00:00:00Z"],
                             "expires_at")):
            out = self.imsctl("culture", "issue", t, *args, ok=False)
            self.assertEqual(out.returncode, EXIT_INVALID, out.stderr)
            self.assertIn(field, out.stderr)
        out = self.imsctl("culture", "issue", t, "C-1", "--person", "ann", "--level", "1",
                          ok=False)
        self.assertEqual(out.returncode, EXIT_EXISTS)

    # --- procedures ---

    def test_procedure_definitions(self):
        t, _ = self.new_tenant()
        d = self.json("procedure", "definitions", t)
        procs = {p["id"]: p for p in d["procedures"]}
        self.assertEqual(sorted(procs), ["access_review", "backup_restore_test", "incident",
                                         "nonconformity", "supplier_onboarding"])
        inc = procs["incident"]
        self.assertEqual(inc["links"], "incident")
        self.assertEqual([p["id"] for p in inc["phases"]],
                         ["detect", "diagnose", "escalate", "resolve", "close"])
        diag = inc["phases"][1]
        self.assertEqual(diag["type"], "task")
        self.assertEqual(sorted(diag["paths"]), ["escalate", "resolve"])
        self.assertIn("security_officer", diag["profiles"])
        self.assertIn({"artefact": "ART.incident_log", "use": "register"}, diag["objects"])
        self.assertEqual(inc["phases"][-1]["type"], "end")

    def test_incident_procedure(self):
        t, tid = self.new_tenant()
        self.team(t)
        inc = self.json("incident", "open", t, "--severity", "3", "--control", "A.5.24")
        inc_id = inc.get("incident", inc)["id"]
        out = self.imsctl("procedure", "start", t, "IR-1", "--procedure", "incident",
                          "--person", "bob", ok=False)
        self.assertEqual(out.returncode, EXIT_INVALID)
        self.assertIn("incident", out.stderr)
        x = self.json("procedure", "start", t, "IR-1", "--procedure", "incident", "--incident",
                      inc_id, "--person", "bob", "--title", "Phishing mail")
        self.assertEqual((x["phase"], x["status"], x["incident"]), ("detect", "open", inc_id))
        self.assertEqual(x["phase_owner"], "bob")
        self.assertTrue(x["phase_due_at"])
        # The start moved procedures_on_time_pct in its own write: the revision answered is
        # the tenant's.
        self.assertEqual(self.level(t)[1], int(x["revision"]))

        # Bob (system_user) may not diagnose: refused, naming the phase and the profile,
        # and nothing changes.
        steps = "SELECT count(*) FROM procedure_steps WHERE tenant_id = '%s'" % tid
        before = imstest.psql(steps)
        out = self.imsctl("procedure", "advance", t, "IR-1", "diagnose", "--person", "bob",
                          ok=False)
        self.assertEqual(out.returncode, EXIT_DENIED, out.stderr)
        self.assertIn('PERMISSION_DENIED', out.stderr)
        self.assertIn('phase "diagnose"', out.stderr)
        self.assertIn("system_user", out.stderr)
        self.assertEqual(imstest.psql(steps), before)
        self.assertEqual(self.json("procedure", "show", t, "IR-1")["phase"], "detect")

        # Only along a path.
        out = self.imsctl("procedure", "advance", t, "IR-1", "close", "--person", "ann",
                          ok=False)
        self.assertEqual(out.returncode, EXIT_INVALID)
        self.assertIn("no path", out.stderr)

        x = self.json("procedure", "advance", t, "IR-1", "diagnose", "--person", "ann",
                      "--key", "adv-1")
        self.assertEqual(x["phase"], "diagnose")
        # A retry with the same key is answered with the instance, not moved again.
        again = self.json("procedure", "advance", t, "IR-1", "diagnose", "--person", "ann",
                          "--key", "adv-1")
        self.assertEqual(again["steps"], x["steps"])
        x = self.json("procedure", "record", t, "IR-1", "--artefact", "ART.incident_log",
                      "--reference", "LOG-2026-7", "--person", "ann")
        self.assertEqual([(r["phase"], r["reference"]) for r in x["records"]],
                         [("diagnose", "LOG-2026-7")])
        out = self.imsctl("procedure", "record", t, "IR-1", "--artefact", "ART.bc_plan",
                          "--reference", "x", "--person", "ann", ok=False)
        self.assertEqual(out.returncode, EXIT_INVALID)
        # A token linked to a person acts as that person.
        carl_token = imstest.imsd_token("consultant", [tid])
        carl_id = imstest.psql("SELECT id FROM tokens WHERE secret_hash = sha256('%s'::bytea)"
                               % carl_token)[0][0]
        self.imsctl("person", "link", t, carl_id, "carl")
        carl = self.token_file("carl-" + t, carl_token)
        x = self.json("procedure", "advance", t, "IR-1", "escalate", "--person", "ann",
                      "--assignee", "carl")
        self.assertEqual(x["phase_owner"], "carl")
        out = self.imsctl("procedure", "advance", t, "IR-1", "resolve", "--person", "carl",
                          "--assignee", "nobody", ok=False)
        self.assertEqual(out.returncode, EXIT_INVALID)
        self.assertIn("assignee", out.stderr)
        x = self.json("procedure", "advance", t, "IR-1", "resolve", token_file=carl)
        self.assertEqual(x["steps"][-1]["person"], "carl")
        x = self.json("procedure", "advance", t, "IR-1", "close", "--person", "ann",
                      "--note", "lessons recorded")
        self.assertEqual(x["status"], "completed")
        self.assertTrue(x["completed_at"])
        self.assertEqual(x.get("phase_owner", ""), "")
        self.assertEqual([(s["from_phase"], s["to_phase"], s["person"]) for s in x["steps"]],
                         [("", "detect", "bob"), ("detect", "diagnose", "ann"),
                          ("diagnose", "escalate", "ann"), ("escalate", "resolve", "carl"),
                          ("resolve", "close", "ann")])
        self.assertFalse(any(s["late"] for s in x["steps"]))
        out = self.imsctl("procedure", "advance", t, "IR-1", "close", "--person", "ann",
                          ok=False)
        self.assertEqual(out.returncode, EXIT_INVALID)
        listed = self.json("procedure", "list", t)
        self.assertEqual([(i["id"], i["status"]) for i in listed["instances"]],
                         [("IR-1", "completed")])
        out = self.imsctl("procedure", "show", t, "IR-404", ok=False)
        self.assertEqual(out.returncode, EXIT_NOT_FOUND)
        # Unlinked, the token names no one.
        self.imsctl("person", "link", t, carl_id)
        out = self.imsctl("procedure", "start", t, "BR-1", "--procedure",
                          "backup_restore_test", token_file=carl, ok=False)
        self.assertEqual(out.returncode, EXIT_INVALID)
        self.assertIn("person", out.stderr)

    def test_procedure_handles_a_finding(self):
        t, tid = self.new_tenant()
        self.team(t)
        f = self.json("finding", "open", t, "--type", "minor_nc", "--control", "A.5.15",
                      "--description", "Access reviews not recorded")["finding"]["id"]
        out = self.imsctl("procedure", "start", t, "NC-1", "--procedure", "nonconformity",
                          "--finding", "F-nothing", "--person", "ann", ok=False)
        self.assertEqual(out.returncode, EXIT_INVALID)
        self.assertIn("finding", out.stderr)
        self.assertEqual(imstest.psql("SELECT count(*) FROM procedure_instances WHERE "
                                      "tenant_id = '%s'" % tid), [["0"]])
        x = self.json("procedure", "start", t, "NC-1", "--procedure", "nonconformity",
                      "--finding", f, "--person", "ann")
        self.assertEqual((x["finding"], x["phase"]), (f, "record"))
        self.assertEqual(self.json("procedure", "show", t, "NC-1")["finding"], f)
        listed = self.json("procedure", "list", t)["instances"]
        self.assertEqual([(i["id"], i.get("finding", "")) for i in listed], [("NC-1", f)])
        self.assertIn(f, self.imsctl("procedure", "show", t, "NC-1").stdout)

    def test_late_phase_is_recorded(self):
        t, tid = self.new_tenant()
        self.team(t)
        self.json("procedure", "start", t, "BR-1", "--procedure", "backup_restore_test",
                  "--person", "carl")
        imstest.psql("UPDATE procedure_instances SET phase_due_at = now() - interval '1 hour' "
                     "WHERE tenant_id = '%s'" % tid)
        x = self.json("procedure", "advance", t, "BR-1", "restore", "--person", "carl")
        self.assertTrue(x["steps"][-1]["late"])
        self.assertEqual(x["late_steps"], 1)

    # --- documents ---

    def test_document_lifecycle_moves_the_level(self):
        t, tid = self.new_tenant()
        self.team(t)
        # Answers, so that the level is not zero and evidence shows in it.
        self.imsctl("assess", "import", t, os.path.join(imstest.TOP, "deploy", "demo",
                                                         "answers.csv"))
        docs = {d["artefact"]: d for d in self.json("document", "list", t)["documents"]}
        self.assertEqual(docs["ART.security_policy"]["status"], "missing")
        self.assertTrue(docs["ART.security_policy"]["has_template"])

        c = self.json("document", "create", t, "ART.security_policy", "--owner", "ann",
                      "--person", "ann", "--classification", "internal")
        d = c["document"]
        self.assertEqual((d["status"], d["version"], d["owner_person"]), ("draft", 1, "ann"))
        md = self.imsctl("document", "show", t, "ART.security_policy", "--markdown").stdout
        self.assertIn("Acme " + t, md)
        self.assertNotIn("{{", md)
        html = self.imsctl("document", "show", t, "ART.security_policy", "--html").stdout
        self.assertIn("<h1>Information security and continuity policy</h1>", html)
        self.assertIn("<strong>Acme %s</strong>" % t, html)

        # The creation moved the computed metric documents_current_pct in its own write:
        # one revision, the one it answered, and the level it answered is the tenant's.
        drafted = self.level(t)
        self.assertEqual(drafted[1], int(c["revision"]))
        self.assertAlmostEqual(drafted[0], c["security_level"])
        a = self.json("document", "approve", t, "ART.security_policy", "--approver", "ann")
        self.assertEqual((a["document"]["status"], a["document"]["current"],
                          a["document"]["approver"]), ("approved", True, "ann"))
        self.assertTrue(a["document"]["review_due"])
        self.assertGreater(a["security_level"], drafted[0])
        self.assertEqual(int(a["revision"]), drafted[1] + 1)
        level, revision = self.level(t)
        self.assertEqual(revision, int(a["revision"]))
        self.assertAlmostEqual(level, a["security_level"])

        # A new version is a draft again: no longer evidence, the level falls back.
        body = os.path.join(self.dir, "policy.md")
        with open(body, "w") as f:
            f.write("# Policy\n\nShorter, <script>alert(1)</script> and *clear*.\n")
        v = self.json("document", "version", t, "ART.security_policy", "--body-file", body,
                      "--note", "shorter", "--person", "ann")
        self.assertEqual((v["document"]["status"], v["document"]["version"]), ("draft", 2))
        self.assertAlmostEqual(v["security_level"], drafted[0])
        html = self.imsctl("document", "show", t, "ART.security_policy", "--html").stdout
        self.assertIn("<em>clear</em>", html)
        self.assertNotIn("<script>", html)
        old = self.imsctl("document", "show", t, "ART.security_policy", "--version", "1",
                          "--markdown").stdout
        self.assertIn("Why this policy exists", old)

        # Approved with a review date; obsolete afterwards.
        self.json("document", "approve", t, "ART.security_policy", "--approver", "ann",
                  "--review-due", "2099-01-01T00:00:00Z")
        o = self.json("document", "obsolete", t, "ART.security_policy", "--person", "ann",
                      "--note", "replaced")
        self.assertEqual(o["document"]["status"], "obsolete")
        self.assertAlmostEqual(o["security_level"], drafted[0])
        out = self.imsctl("document", "approve", t, "ART.security_policy", "--approver", "ann",
                          ok=False)
        self.assertEqual(out.returncode, EXIT_INVALID)  # FAILED_PRECONDITION
        self.assertIn("only a draft", out.stderr)

        full = self.json("document", "show", t, "ART.security_policy")
        self.assertEqual([(h["action"], h["status"]) for h in full["history"]],
                         [("create", "draft"), ("approve", "approved"), ("version", "draft"),
                          ("approve", "approved"), ("obsolete", "obsolete")])
        self.assertEqual([x["version"] for x in full["versions"]], [1, 2])

    def test_document_templates_are_listed(self):
        listed = self.json("document", "templates")["templates"]
        ids = [x["artefact"] for x in listed]
        self.assertIn("ART.security_policy", ids)
        self.assertEqual(ids, sorted(ids))
        self.assertFalse(any(x.get("body") for x in listed))
        bodies = {x["artefact"]: x for x in self.json("document", "templates", "--body")
                  ["templates"]}
        self.assertIn("{{tenant.name}}", bodies["ART.security_policy"]["body"])
        self.assertTrue(bodies["ART.security_policy"]["name"])
        table = self.imsctl("document", "templates").stdout
        self.assertIn("ART.security_policy", table)

    def test_document_refusals_and_retries(self):
        t, tid = self.new_tenant()
        self.team(t)
        out = self.imsctl("document", "create", t, "ART.legal_register", "--person", "ann",
                          ok=False)
        self.assertEqual(out.returncode, EXIT_INVALID)
        self.assertIn("template", out.stderr)
        out = self.imsctl("document", "create", t, "ART.nothing", "--person", "ann", ok=False)
        self.assertEqual(out.returncode, EXIT_NOT_FOUND)
        out = self.imsctl("document", "create", t, "ART.scope", ok=False)
        self.assertEqual(out.returncode, EXIT_INVALID)  # no person, token linked to none
        out = self.imsctl("document", "create", t, "ART.scope", "--person", "ann",
                          "--classification", "secret", ok=False)
        self.assertEqual(out.returncode, EXIT_INVALID)
        self.assertIn("classification", out.stderr)
        self.json("document", "create", t, "ART.scope", "--person", "ann")
        out = self.imsctl("document", "create", t, "ART.scope", "--person", "ann", ok=False)
        self.assertEqual(out.returncode, EXIT_EXISTS)
        out = self.imsctl("document", "approve", t, "ART.scope", "--approver", "nobody",
                          ok=False)
        self.assertEqual(out.returncode, EXIT_INVALID)
        self.assertIn("approver", out.stderr)
        out = self.imsctl("document", "approve", t, "ART.scope", "--approver", "ann",
                          "--review-due", "2001-01-01T00:00:00Z", ok=False)
        self.assertEqual(out.returncode, EXIT_INVALID)
        self.assertEqual(imstest.psql("SELECT status FROM tenant_artefacts WHERE tenant_id = "
                                      "'%s' AND artefact_id = 'ART.scope'" % tid), [["draft"]])
        # The same key twice: one approval, the same answer.
        first = self.json("document", "approve", t, "ART.scope", "--approver", "ann",
                          "--key", "k-1")
        again = self.json("document", "approve", t, "ART.scope", "--approver", "ann",
                          "--key", "k-1")
        self.assertEqual(first["document"]["approved_at"], again["document"]["approved_at"])
        # The retry answers the level as it is: the approval's own revision.
        self.assertEqual(int(again["revision"]), int(first["revision"]))
        self.assertEqual(imstest.psql("SELECT count(*) FROM document_history WHERE tenant_id = "
                                      "'%s' AND action = 'approve'" % tid), [["1"]])

    def test_rpc_refusals(self):
        t, tid = self.new_tenant()
        code, detail = imstest.code_of(lambda: imstest.unary(
            self.channel, "/ims.v1.Documents/AddDocumentVersion",
            documents_pb2.AddDocumentVersionRequest(tenant=t, artefact="ART.scope", body="",
                                                    person="x"),
            documents_pb2.DocumentChange, token=self.op))
        self.assertEqual(code, grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("body", detail)
        code, detail = imstest.code_of(lambda: imstest.unary(
            self.channel, "/ims.v1.Procedures/AdvanceProcedure",
            procedures_pb2.AdvanceProcedureRequest(tenant=t, instance="bad id", to="x"),
            procedures_pb2.ProcedureInstance, token=self.op))
        self.assertEqual(code, grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("instance", detail)
        code, _ = imstest.code_of(lambda: imstest.unary(
            self.channel, "/ims.v1.People/PutPerson",
            people_pb2.PutPersonRequest(tenant=t, person=dict(id="x", name="")),
            people_pb2.Person, token=self.op))
        self.assertEqual(code, grpc.StatusCode.INVALID_ARGUMENT)

    def test_review_date_passing_moves_the_level(self):
        """An approved document stops counting when its review date passes: the daemon
        records a new level at that time, without any request."""
        t, tid = self.new_tenant()
        self.team(t)
        self.imsctl("assess", "import", t, os.path.join(imstest.TOP, "deploy", "demo",
                                                         "answers.csv"))
        self.json("document", "create", t, "ART.security_policy", "--person", "ann")
        due = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3))
        a = self.json("document", "approve", t, "ART.security_policy", "--approver", "ann",
                      "--review-due", due)
        # Once the review date passed, the daemon alone records: documents_current_pct
        # falling (its due time, written by the due-time sweep) and the evidence falling (a
        # 'time' level below the one before it).
        q = ("SELECT h.security_level, p.security_level FROM level_history h "
             "JOIN level_history p ON p.tenant_id = h.tenant_id AND p.revision = h.revision - 1 "
             "WHERE h.tenant_id = '%s' AND h.revision > %d AND h.at >= '%s'::timestamptz "
             "AND h.cause = 'time' ORDER BY h.revision" % (tid, int(a["revision"]), due))
        samples = ("SELECT value FROM metric_samples WHERE tenant_id = '%s' AND metric_id = "
                   "'documents_current_pct' AND at >= '%s'::timestamptz" % (tid, due))
        rows, written = [], []
        deadline = time.time() + 30
        while time.time() < deadline:
            rows, written = imstest.psql(q), imstest.psql(samples)
            if any(float(r[0]) < float(r[1]) for r in rows) and written:
                break
            time.sleep(0.5)
        self.assertTrue(any(float(r[0]) < float(r[1]) for r in rows),
                        "no lower level recorded when the review date passed: %s" % rows)
        self.assertEqual([float(v[0]) for v in written], [0.0])
        d = self.json("document", "show", t, "ART.security_policy")
        self.assertEqual((d["status"], d["current"]), ("approved", False))

    def test_certificate_expiry_moves_the_metric_at_its_time(self):
        """A certificate expiring is a due time of the tenant: the daemon writes
        culture_certified_pct when it passes, without any request."""
        t, tid = self.new_tenant()
        self.team(t)
        issued = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 86400))
        expires_at = time.time() + 3
        expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(expires_at))
        c = self.json("culture", "issue", t, "C-1", "--person", "ann", "--level", "3",
                      "--issued", issued, "--expires", expires)
        self.assertTrue(c["valid"])
        q = ("SELECT value, at >= '%s'::timestamptz FROM metric_samples WHERE tenant_id = '%s' "
             "AND metric_id = 'culture_certified_pct' ORDER BY at" % (expires, tid))
        self.assertAlmostEqual(float(imstest.psql(q)[-1][0]), 100 / 3)
        rows = []
        deadline = time.time() + 30
        while time.time() < deadline:
            rows = imstest.psql(q)
            if rows[-1][1] == "t":
                break
            time.sleep(0.3)
        self.assertEqual(rows[-1][1], "t", "no sample written when the certificate expired")
        self.assertEqual(float(rows[-1][0]), 0.0)
        self.assertFalse(self.json("person", "get", t, "ann")["culture_valid"])

    def test_computed_metric_functions(self):
        t, tid = self.new_tenant()
        q = ("SELECT coalesce(ims_computed_%s(id, now())::text, 'null') FROM tenants "
             "WHERE id = '%s'")

        def value(metric):
            return imstest.psql(q % (metric, tid))[0][0]

        self.assertEqual(value("culture_certified_pct"), "null")
        self.assertEqual(value("procedures_on_time_pct"), "null")
        self.assertEqual(value("documents_current_pct"), "0")
        self.team(t)
        self.json("culture", "issue", t, "C-1", "--person", "ann", "--level", "3")
        self.json("culture", "issue", t, "C-2", "--person", "bob", "--level", "1")
        self.assertAlmostEqual(float(value("culture_certified_pct")), 200 / 3)
        # The daemon wrote the sample with the change, and the model holds it.
        rows = imstest.psql("SELECT value FROM metric_samples WHERE tenant_id = '%s' AND "
                            "metric_id = 'culture_certified_pct' ORDER BY at DESC, value "
                            "LIMIT 1" % tid)
        self.assertAlmostEqual(float(rows[0][0]), 200 / 3)
        self.json("procedure", "start", t, "BR-1", "--procedure", "backup_restore_test",
                  "--person", "carl")
        self.assertEqual(value("procedures_on_time_pct"), "null")
        for phase, who in (("restore", "carl"), ("check", "carl"), ("close", "ann")):
            self.json("procedure", "advance", t, "BR-1", phase, "--person", who)
        self.assertEqual(float(value("procedures_on_time_pct")), 100)
        self.json("procedure", "start", t, "BR-2", "--procedure", "backup_restore_test",
                  "--person", "carl")
        imstest.psql("UPDATE procedure_instances SET phase_due_at = now() - interval '1 hour' "
                     "WHERE tenant_id = '%s' AND instance_id = 'BR-2'" % tid)
        self.assertEqual(float(value("procedures_on_time_pct")), 50)
        required = int(imstest.psql("SELECT count(*) FROM tenant_artefacts WHERE tenant_id = "
                                    "'%s' AND required" % tid)[0][0])
        self.json("document", "create", t, "ART.security_policy", "--person", "ann")
        self.json("document", "approve", t, "ART.security_policy", "--approver", "ann")
        self.assertAlmostEqual(float(value("documents_current_pct")), 100 / required)

    # --- the snapshot's records ---

    def export(self, t):
        return imstest.unary(self.channel, "/ims.v1.Tenants/ExportTenant",
                             tenants_pb2.ExportTenantRequest(tenant=t),
                             tenants_pb2.ExportTenantResponse, token=self.op).snapshot

    def test_records_round_trip(self):
        t, tid = self.new_tenant()
        self.team(t)
        self.imsctl("person", "put", t, "dora", "--name", "Dora", "--profile", "hr_lead",
                    "--left")
        self.json("culture", "issue", t, "C-1", "--person", "ann", "--level", "3")
        self.json("culture", "issue", t, "C-2", "--person", "ann", "--level", "3", "--renews",
                  "C-1")
        inc = self.json("incident", "open", t, "--severity", "2", "--control", "A.5.24")
        inc_id = inc.get("incident", inc)["id"]
        self.json("procedure", "start", t, "IR-1", "--procedure", "incident", "--incident",
                  inc_id, "--person", "bob")
        self.json("procedure", "advance", t, "IR-1", "diagnose", "--person", "ann")
        self.json("procedure", "record", t, "IR-1", "--artefact", "ART.incident_log",
                  "--reference", "LOG-1", "--person", "ann", "--note", "first entry")
        self.json("document", "create", t, "ART.security_policy", "--owner", "ann", "--person",
                  "ann")
        self.json("document", "approve", t, "ART.security_policy", "--approver", "ann")
        self.json("document", "create", t, "ART.scope", "--person", "carl")
        finding = self.json("finding", "open", t, "--type", "minor_nc", "--control", "A.5.15",
                            "--description", "Access reviews not recorded")["finding"]["id"]
        self.json("procedure", "start", t, "NC-1", "--procedure", "nonconformity", "--finding",
                  finding, "--person", "ann")
        first = self.export(t)
        rec = json.loads(first)["records"]
        self.assertEqual([p["id"] for p in rec["person"]], ["ann", "bob", "carl", "dora"])
        self.assertEqual([c["renews"] for c in rec["certificate"]], [None, "C-1"])
        self.assertEqual(len(rec["procedure"]), 5)
        self.assertEqual([(len(i["steps"]), i["finding"]) for i in rec["procedure_instance"]],
                         [(2, None), (1, finding)])
        self.assertEqual([d["artefact"] for d in rec["document"]],
                         ["ART.scope", "ART.security_policy"])
        slug = imstest.unique("pimp")
        imstest.unary(self.channel, "/ims.v1.Tenants/ImportTenant",
                      tenants_pb2.ImportTenantRequest(slug=slug, display_name="Imported",
                                                      sector="it-services", size_band="small",
                                                      snapshot=first),
                      tenants_pb2.Tenant, token=self.op)
        self.assertEqual(self.export(slug), first)
        # A record naming what is not there is refused with its path, and nothing stays.
        bad = json.loads(first)
        bad["records"]["certificate"][0]["person"] = "nobody"
        code, detail = imstest.code_of(lambda: imstest.unary(
            self.channel, "/ims.v1.Tenants/ImportTenant",
            tenants_pb2.ImportTenantRequest(slug=imstest.unique("pbad"), display_name="Bad",
                                            sector="it-services", size_band="small",
                                            snapshot=json.dumps(bad)),
            tenants_pb2.Tenant, token=self.op))
        self.assertEqual(code, grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("$.records.certificate[0].person", detail)


if __name__ == "__main__":
    unittest.main()
