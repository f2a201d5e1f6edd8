"""Check and Act end to end through imsctl against a real imsd: the quickstart's demo
(deploy/demo/act.sh: an audit with a finding, a corrective action closing it, a management
review, a level-1 award), then objectives and the scorecard, cancelling an action, and
withdrawing the award, each read back through imsctl --json."""
import json
import os
import subprocess
import unittest

import imstest


class CheckAndActCli(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = imstest.Daemon()
        cls.token = imstest.imsd_token()
        cls.env = dict(os.environ, IMS_SERVER=cls.daemon.addr, IMS_TOKEN=cls.token,
                       imsctl=imstest.IMSCTL)
        cls.slug = imstest.unique("actcli")
        cls.ctl("tenant", "create", "--slug", cls.slug, "--name", "Act CLI Ltd", "--sector",
                "it-services", "--size", "small")
        cls.ctl("assess", "import", cls.slug, os.path.join(imstest.TOP, "deploy", "demo",
                                                            "answers.csv"))
        cls.demo = subprocess.run(["bash", "-euo", "pipefail", "-c",
                                   '. "$1" "$2"', "act", os.path.join(imstest.TOP, "deploy", "demo", "act.sh"),
                                   cls.slug], env=cls.env, capture_output=True, text=True)

    @classmethod
    def tearDownClass(cls):
        assert cls.daemon.stop() == 0

    @classmethod
    def ctl(cls, *args, check=True):
        out = subprocess.run([imstest.IMSCTL] + list(args), env=cls.env, capture_output=True,
                             text=True)
        if check and out.returncode != 0:
            raise AssertionError("imsctl %s: %s %s" % (" ".join(args), out.returncode, out.stderr))
        return out

    @classmethod
    def json(cls, *args):
        return json.loads(cls.ctl("--json", *args).stdout)

    def test_demo_runs_through(self):
        self.assertEqual(self.demo.returncode, 0, self.demo.stdout[-2000:] + self.demo.stderr)
        audits = self.json("audit", "list", self.slug)["audits"]
        self.assertEqual([(a["kind"], a["status"], a["findings"]) for a in audits],
                         [("internal", "closed", 1)])
        findings = self.json("finding", "list", self.slug)["findings"]
        self.assertEqual([(f["status"], f["audit_id"]) for f in findings],
                         [("closed", audits[0]["id"])])
        actions = {a["source_kind"]: a for a in self.json("action", "list", self.slug)["actions"]}
        self.assertEqual(actions["finding"]["status"], "verified")
        self.assertEqual(actions["finding"]["root_cause"], "No owner for the patch schedule")
        self.assertEqual(actions["review"]["status"], "open")
        reviews = self.json("review", "list", self.slug)["reviews"]
        self.assertEqual(len(reviews), 1)
        shown = self.json("review", "show", self.slug, reviews[0]["id"])
        inputs = json.loads(shown["inputs"])
        self.assertEqual(inputs["audits_since_last_review"][0]["id"], audits[0]["id"])
        awards = self.json("certify", "list", self.slug)["awards"]
        self.assertEqual([(w["level"], w["status"]) for w in awards], [(1, "active")])
        self.assertEqual(self.json("certify", "show", self.slug, awards[0]["id"])["maturity"], 1)

    def test_objectives_and_scorecard(self):
        self.ctl("metric", "push", self.slug, "backup_success_pct", "95")
        o = self.json("objective", "put", self.slug, "backups", "--title", "Reliable backups",
                      "--owner", "IT lead", "--tier", "functional", "--target", "0.9", "--due",
                      "+180d", "--metric", "backup_success_pct")
        self.assertEqual(o["status"], "at_risk")
        self.assertAlmostEqual(o["actual"], 0.5)
        card = self.json("objective", "scorecard", self.slug)
        self.assertEqual([(t["tier"], t["total"]) for t in card["tiers"]],
                         [("strategic", 0), ("functional", 1), ("operational", 0)])
        text = self.ctl("objective", "scorecard", self.slug).stdout
        self.assertIn("functional: 0 of 1 met", text)
        a = self.json("action", "raise", self.slug, "--kind", "improvement", "--source",
                      "objective", "--source-id", "backups", "--description", "second copy",
                      "--owner", "IT lead", "--due", "+30d")["action"]
        bad = self.ctl("action", "cancel", self.slug, a["id"], check=False)
        self.assertEqual(bad.returncode, 3)  # invalid argument: no reason
        c = self.json("action", "cancel", self.slug, a["id"], "--reason", "covered by vendor")
        self.assertEqual(c["action"]["status"], "cancelled")

    def test_pushing_a_computed_metric_is_refused(self):
        out = self.ctl("metric", "push", self.slug, "overdue_actions", "0", check=False)
        self.assertEqual(out.returncode, 3, out.stderr)
        self.assertIn("overdue_actions", out.stderr)

    def test_withdraw_award(self):
        self.assertEqual(self.demo.returncode, 0, self.demo.stderr)
        award = self.json("certify", "list", self.slug)["awards"][0]["id"]
        out = self.ctl("certify", "withdraw", self.slug, award, "--reason", "scope changed")
        self.assertIn("withdrawn", out.stdout)
        self.assertEqual(self.ctl("certify", "withdraw", self.slug, award, "--reason", "again",
                                  check=False).returncode, 3)  # failed precondition


    def test_expired_award_shown_and_renewed(self):
        import datetime
        import time
        slug = imstest.unique("actcli-exp")
        self.ctl("tenant", "create", "--slug", slug, "--name", "Expiry Ltd", "--sector",
                 "it-services", "--size", "small")
        self.ctl("assess", "import", slug, os.path.join(imstest.TOP, "deploy", "demo", "answers.csv"))
        # The demo brings the maturity to 1 and awards it; that award withdrawn, a short one.
        demo = subprocess.run(["bash", "-euo", "pipefail", "-c", '. "$1" "$2"', "act",
                               os.path.join(imstest.TOP, "deploy", "demo", "act.sh"), slug],
                              env=self.env, capture_output=True, text=True)
        self.assertEqual(demo.returncode, 0, demo.stderr)
        for w in self.json("certify", "list", slug)["awards"]:
            self.ctl("certify", "withdraw", slug, w["id"], "--reason", "short award next")
        soon = (datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
                + datetime.timedelta(seconds=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
        first = self.json("certify", "award", slug, "--level", "1", "--expires-at", soon)
        self.assertEqual(first["status"], "active")
        # Expired at its expiry (the daemon's sweep is minutes away): list and show say so.
        for _ in range(200):
            awards = self.json("certify", "list", slug)["awards"]
            if any(w["status"] == "expired" for w in awards):
                break
            time.sleep(0.1)
        awards = [w for w in awards if w["status"] != "withdrawn"]
        self.assertEqual([(w["id"], w["status"]) for w in awards], [(first["id"], "expired")])
        self.assertEqual(self.json("certify", "show", slug, first["id"])["status"], "expired")
        self.assertIn("expired", self.ctl("certify", "list", slug).stdout)
        # Not reinstated: renewed by a new award.
        self.assertEqual(self.ctl("certify", "reinstate", slug, first["id"], check=False).returncode, 3)
        renewed = self.json("certify", "award", slug, "--level", "1")
        self.assertEqual(renewed["status"], "active")
        statuses = {w["id"]: w["status"] for w in self.json("certify", "list", slug)["awards"]
                    if w["status"] != "withdrawn"}
        self.assertEqual(statuses, {first["id"]: "expired", renewed["id"]: "active"})

if __name__ == "__main__":
    unittest.main()
