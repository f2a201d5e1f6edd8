"""The control board in a real browser (Debian's chromium, headless, driven by chromedriver
through python3-selenium) against a real imsd: sign-in, the same level as GetSecurityLevel,
tenant scopes on the pages and the JSON endpoints, a level change shown live without a
reload (the latency is measured and written to build/.../board/latency.txt), the portfolio,
the management report printed to PDF (one section per page, the Check and Act sections
among them), open actions and awarded levels on the board, the SoA workbook. Screenshots
of the portfolio, the board and the report's first page go to build/.../board/."""
import base64
import json
import os
import shutil
import statistics
import subprocess
import time
import unittest
import urllib.error
import urllib.request

import imstest
from imstest import level_pb2

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

OUT = os.path.join(imstest.BUILD, "board")
ANSWERS = os.path.join(imstest.TOP, "deploy", "demo", "answers.csv")
SECTIONS = ["Security level and maturity", "Management systems and frameworks",
            "Statement of Applicability", "Risk register",
            "Business impact analysis and exercises", "Open findings and corrective actions",
            "Audit programme", "Awards and management review", "Objectives scorecard",
            "Improvement plan"]


def pct(level):
    return "%.1f %%" % (100 * level)


class BoardTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        os.makedirs(OUT, exist_ok=True)
        cls.daemon = imstest.Daemon("--ops-listen", "127.0.0.1:0")
        cls.base = "http://127.0.0.1:%d" % cls.daemon.ops_port
        cls.channel = cls.daemon.channel()
        cls.browser = None
        try:
            cls.op = imstest.imsd_token("operator")
            cls.a = cls.make_tenant("Harbour Logistics Ltd", full=True)
            cls.b = cls.make_tenant("Orchard Retail Ltd", full=False)
            cls.c = cls.make_tenant("Northwind Clinic", full=False, answers=True)
            cls.admin_a = imstest.imsd_token("tenant_admin", [cls.a])
            cls.admin_b = imstest.imsd_token("tenant_admin", [cls.b])
            cls.agent_a = imstest.imsd_token("agent", [cls.a])
            cls.consultant = imstest.imsd_token("consultant", [cls.a, cls.b, cls.c])
        except Exception:
            cls.channel.close()
            cls.daemon.stop()
            raise
        options = webdriver.ChromeOptions()
        for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--window-size=1280,1000", "--disable-extensions", "--no-first-run"):
            options.add_argument(arg)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        try:
            cls.browser = webdriver.Chrome(service=Service("/usr/bin/chromedriver"),
                                           options=options)
        except Exception:
            cls.channel.close()
            cls.daemon.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        if cls.browser:
            cls.browser.quit()
        cls.channel.close()
        cls.daemon.stop()

    @classmethod
    def imsctl(cls, *args, token=None):
        env = dict(os.environ, IMS_SERVER=cls.daemon.addr, IMS_TOKEN=token or cls.op)
        return subprocess.run([imstest.IMSCTL] + list(args), env=env, check=True,
                              capture_output=True, text=True).stdout

    @classmethod
    def make_tenant(cls, name, full, answers=False):
        slug = imstest.unique("board")
        cls.imsctl("tenant", "create", "--slug", slug, "--name", name, "--sector", "it-services",
                   "--size", "small")
        tid = json.loads(cls.imsctl("--json", "tenant", "get", slug))["id"]
        if answers:
            cls.imsctl("assess", "import", slug, ANSWERS)
            cls.imsctl("incident", "open", slug, "--severity", "4", "--threat", "T.malware",
                       "--description", "Ransomware on the front desk PC")
        if full:
            cls.imsctl("assess", "import", slug, ANSWERS)
            cls.imsctl("asset", "put", slug, "srv-erp", "--name", "ERP server", "--type", "server",
                       "--owner", "IT lead", "--c", "4", "--i", "4", "--a", "5")
            cls.imsctl("asset", "put", slug, "laptops", "--name", "Staff laptops", "--type",
                       "endpoint", "--owner", "IT lead", "--c", "3", "--i", "3", "--a", "3")
            cls.imsctl("process", "put", slug, "billing", "--name", "Billing", "--criticality",
                       "4", "--mtpd", "1440", "--rto", "240", "--rpo", "60")
            cls.imsctl("exercise", "record", slug, "billing", "--recovery", "200", "--note",
                       "restore drill")
            finding = json.loads(cls.imsctl(
                "--json", "finding", "open", slug, "--type", "minor_nc", "--control", "A.5.15",
                "--audit", "internal audit", "--description", "Access reviews not recorded"))
            cls.finding = finding["finding"]["id"]
            cls.action = json.loads(cls.imsctl(
                "--json", "action", "add", slug, cls.finding, "--description",
                "Record the reviews", "--owner", "IT lead", "--due",
                "2026-01-15T00:00:00Z"))["finding"]["actions"][0]["id"]
            incident = json.loads(cls.imsctl(
                "--json", "incident", "open", slug, "--severity", "3", "--threat", "T.phishing",
                "--asset", "laptops", "--description", "Phishing mail opened"))
            cls.incident = incident["incident"]["id"]
            cls.check_and_act(slug)
        return tid

    @classmethod
    def check_and_act(cls, slug):
        """An audit planned in the past (overdue), a management review raising an action,
        an objective, and level 1 awarded (every level-1 sub-control answered yes)."""
        cls.audit = json.loads(cls.imsctl(
            "--json", "audit", "plan", slug, "--kind", "internal", "--title", "ISMS audit",
            "--framework", "iso27001-2022", "--planned-at", "2026-02-01T00:00:00Z"))["audit"]["id"]
        review = json.loads(cls.imsctl(
            "--json", "review", "hold", slug, "--chair", "Managing director", "--attendee",
            "CISO", "--decisions", "Fund a patch tool.", "--action",
            "improvement|CISO|+90d|Select a patch management tool"))
        cls.review = review["review"]["id"]
        cls.imsctl("objective", "put", slug, "backups", "--title", "Reliable backups", "--owner",
                   "IT lead", "--tier", "functional", "--target", "0.9", "--due", "+180d",
                   "--metric", "backup_success_pct")
        snap = json.loads(cls.imsctl("export", slug))
        level1 = os.path.join(OUT, "level1-%s.csv" % slug)
        with open(level1, "w") as f:
            f.write("subcontrol,answer,note,evidence\n")
            for sc in snap["subcontrols"]:
                if sc["level"] == 1 and sc["applicable"]:
                    f.write("%s,yes,level 1 in place,\n" % sc["id"])
        cls.imsctl("assess", "import", slug, level1)
        os.remove(level1)
        cls.award = json.loads(cls.imsctl(
            "--json", "certify", "award", slug, "--level", "1"))["id"]

    # --- helpers ---

    def level(self, tenant):
        return imstest.unary(self.channel, "/ims.v1.Level/GetSecurityLevel",
                             level_pb2.GetSecurityLevelRequest(tenant=tenant),
                             level_pb2.SecurityLevel, token=self.op)

    def post(self, path, body, token):
        req = urllib.request.Request(self.base + path, data=json.dumps(body).encode(),
                                     method="POST", headers={"Content-Type": "application/json"})
        if token:
            req.add_header("Authorization", "Bearer " + token)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, r.read(), dict(r.headers)
        except urllib.error.HTTPError as e:
            return e.code, e.read(), dict(e.headers)

    def wait(self, fn, timeout=10):
        return WebDriverWait(self.browser, timeout, poll_frequency=0.01).until(lambda d: fn())

    def visible(self, element_id):
        return self.browser.find_element(By.ID, element_id).is_displayed()

    def sign_in(self, token, hash_part=""):
        b = self.browser
        b.get(self.base + "/board/")
        b.execute_script("sessionStorage.clear()")
        # A full load (not a change of the hash only, which an open board may have made
        # already), so the page starts without a token.
        b.get("about:blank")
        b.get(self.base + "/board/" + hash_part)
        self.wait(lambda: self.visible("token"))
        b.find_element(By.ID, "token").send_keys(token)
        b.find_element(By.CSS_SELECTOR, "#signin-form button[type=submit]").click()

    def open_board(self, token, tenant):
        self.sign_in(token, "#/tenant/" + tenant)
        self.wait(lambda: self.browser.find_element(By.ID, "level-value")
                  .get_attribute("data-revision"))
        # The slower reads (history, heatmap, plan) have arrived when the plan has rows.
        self.wait(lambda: self.browser.find_elements(By.CSS_SELECTOR, "#plan-table tbody tr"))

    def shown_revision(self):
        return int(self.browser.find_element(By.ID, "level-value").get_attribute("data-revision")
                   or 0)

    def policy_violations(self):
        return [e["message"] for e in self.browser.get_log("browser")
                if "Content Security Policy" in e["message"] or "Refused to" in e["message"]]

    def full_page_shot(self, name, width, phone=False, most=8000):
        """A screenshot of the page at this width, as tall as the page (at most `most`
        pixels); a phone's viewport is emulated, since a desktop window has a minimum
        width. Returns whether anything was wider than the screen."""
        b = self.browser
        b.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                          {"width": width, "height": 900, "deviceScaleFactor": 1,
                           "mobile": phone})
        time.sleep(0.3)
        height = b.execute_script("return document.documentElement.scrollHeight")
        b.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                          {"width": width, "height": min(max(height, 600), most),
                           "deviceScaleFactor": 1, "mobile": phone})
        time.sleep(0.3)
        b.save_screenshot(os.path.join(OUT, name))
        too_wide = b.execute_script(
            "return document.documentElement.scrollWidth > window.innerWidth + 1")
        b.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        return too_wide

    # --- tests ---

    def test_1_no_token_gives_the_sign_in_page_and_nothing_else(self):
        b = self.browser
        b.get(self.base + "/")
        b.execute_script("sessionStorage.clear()")
        b.get(self.base + "/board/#/tenant/" + self.a)
        self.wait(lambda: self.visible("signin-view"))
        self.assertFalse(self.visible("tenant-view"))
        self.assertFalse(self.visible("portfolio-view"))
        label = b.find_element(By.CSS_SELECTOR, "label[for=token]").text
        self.assertEqual(label, "Access token")
        for path in ("/board/api/call/ims.v1.Level/GetSecurityLevel", "/board/api/live",
                     "/board/api/report"):
            status, body, _ = self.post(path, {"tenant": self.a}, None)
            self.assertEqual((status, body), (401, b""), path)
        # The pages carry a strict policy: only the board's own scripts, nothing inline.
        with urllib.request.urlopen(self.base + "/board/", timeout=10) as r:
            csp = r.headers["Content-Security-Policy"]
            html = r.read().decode()
        self.assertIn("script-src 'self'", csp)
        self.assertNotIn("unsafe-inline", csp)
        self.assertNotIn("<script>", html)
        self.assertNotIn("http", html.replace('http-equiv', ''))  # nothing from elsewhere
        # Every answer on the listener keeps a browser from sniffing or framing it: the
        # redirect to the board, a path under it that does not exist, a wrong method.
        import http.client
        for method, path, want in (("GET", "/", 302), ("GET", "/board/nope", 404),
                                   ("DELETE", "/board/api/live", 405)):
            conn = http.client.HTTPConnection("127.0.0.1", self.daemon.ops_port, timeout=10)
            conn.request(method, path)
            r = conn.getresponse()
            r.read()
            conn.close()
            self.assertEqual(r.status, want, path)
            self.assertEqual(r.getheader("X-Content-Type-Options"), "nosniff", path)
            self.assertIn("frame-ancestors 'none'", r.getheader("Content-Security-Policy"), path)

    def test_2_tenant_admin_sees_the_level_of_GetSecurityLevel(self):
        self.open_board(self.admin_a, self.a)
        want = self.level(self.a)
        shown = self.browser.find_element(By.ID, "level-value")
        self.assertEqual(shown.text, pct(want.security_level))
        self.assertEqual(int(shown.get_attribute("data-revision")), want.revision)
        self.assertEqual(self.browser.find_element(By.ID, "maturity-value").text,
                         str(want.maturity))
        self.assertEqual(self.browser.find_element(By.ID, "tenant-title").text,
                         "Harbour Logistics Ltd")
        # The risk matrices hold the register's pairs; the BIA its process.
        counts = [int(e.text) for e in
                  self.browser.find_elements(By.CSS_SELECTOR, "#matrix-inherent .count")]
        register = json.loads(self.post("/board/api/call/ims.v1.Risk/GetRiskRegister",
                                        {"tenant": self.a}, self.admin_a)[1])
        self.assertEqual(sum(counts), len(register["pairs"]))
        self.assertIn("Billing", self.browser.find_element(By.ID, "bia-table").text)
        self.assertIn(self.finding, self.browser.find_element(By.ID, "findings-table").text)
        self.assertIn(self.incident, self.browser.find_element(By.ID, "incidents-table").text)
        # The finding's corrective action from the tracker, next to it, flagged overdue.
        row = self.browser.find_element(By.XPATH, "//table[@id='findings-table']//tr[th='%s']"
                                        % self.finding)
        self.assertIn(self.action, row.text)
        self.assertIn("overdue", row.text)
        # The level awarded, near the maturity.
        award = self.browser.find_element(By.CSS_SELECTOR, "#awards-list li[data-award='%s']"
                                          % self.award)
        self.assertEqual(award.get_attribute("data-status"), "active")
        self.assertIn("Level 1", award.text)
        self.assertEqual(self.policy_violations(), [])
        # At a phone's width nothing is wider than the screen (wide tables scroll inside).
        self.assertFalse(self.full_page_shot("board-phone.png", 390, phone=True, most=2400))

    def test_2b_a_raised_action_shows_with_its_due_date(self):
        raised = json.loads(self.imsctl(
            "--json", "action", "raise", self.a, "--kind", "preventive", "--source", "incident",
            "--source-id", self.incident, "--description", "Train staff on phishing",
            "--owner", "HR lead", "--due", "+30d", token=self.admin_a))["action"]
        self.open_board(self.admin_a, self.a)
        table = "#actions-table tbody tr[data-action='%s']"
        self.wait(lambda: self.browser.find_elements(By.CSS_SELECTOR, table % raised["id"]))
        row = self.browser.find_element(By.CSS_SELECTOR, table % raised["id"])
        self.assertIn("incident %s" % self.incident, row.text)
        self.assertIn("HR lead", row.text)
        self.assertIn(raised["due"][:10], row.text)
        self.assertNotIn("overdue", row.text)
        late = self.browser.find_element(By.CSS_SELECTOR, table % self.action)
        self.assertIn("overdue", late.text)
        # The review's action is listed too; the summary counts the open and overdue ones.
        listed = json.loads(self.post("/board/api/call/ims.v1.Improvement/ListActions",
                                      {"tenant": self.a, "status": "open"}, self.admin_a)[1])
        self.assertEqual(len(self.browser.find_elements(By.CSS_SELECTOR, "#actions-table tbody tr")),
                         len(listed["actions"]))
        self.assertEqual(self.browser.find_element(By.ID, "actions-summary").text,
                         "%d open, 1 overdue." % len(listed["actions"]))
        # Another tenant's administrator reads none of them.
        status, body, _ = self.post("/board/api/call/ims.v1.Improvement/ListActions",
                                    {"tenant": self.a}, self.admin_b)
        self.assertEqual((status, body), (403, b""))

    def test_2c_documents_show_their_status(self):
        self.imsctl("person", "put", self.a, "ana", "--name", "Ana Ruiz", "--profile",
                    "security_officer", token=self.admin_a)
        self.imsctl("document", "create", self.a, "ART.security_policy", "--owner", "ana",
                    "--person", "ana", token=self.admin_a)
        self.open_board(self.admin_a, self.a)
        row = "#documents-table tbody tr[data-document='ART.security_policy']"
        self.wait(lambda: self.browser.find_elements(By.CSS_SELECTOR, row))
        text = self.browser.find_element(By.CSS_SELECTOR, row).text
        self.assertIn("draft", text)
        self.assertIn("ana", text)
        listed = json.loads(self.post("/board/api/call/ims.v1.Documents/ListDocuments",
                                      {"tenant": self.a}, self.admin_a)[1])["documents"]
        self.assertEqual(len(self.browser.find_elements(By.CSS_SELECTOR,
                                                        "#documents-table tbody tr")), len(listed))
        missing = sum(1 for d in listed if d.get("status") == "missing")
        self.assertIn("%d not written yet" % missing,
                      self.browser.find_element(By.ID, "documents-summary").text)

    def test_3_another_tenants_token_sees_neither_its_board_nor_its_data(self):
        self.sign_in(self.admin_b, "#/tenant/" + self.a)
        self.wait(lambda: self.browser.find_element(By.ID, "tenant-error").text)
        self.assertEqual(self.browser.find_element(By.ID, "tenant-error").text,
                         "This tenant is not found or not in your scope.")
        self.assertFalse(self.visible("tenant-body"))
        page = self.browser.find_element(By.TAG_NAME, "body").text
        self.assertNotIn("Harbour Logistics", page)
        for path, body in (("/board/api/call/ims.v1.Level/GetSecurityLevel", {"tenant": self.a}),
                           ("/board/api/call/ims.v1.Tenants/GetTenant", {"tenant": self.a}),
                           ("/board/api/call/ims.v1.Risk/GetRiskRegister", {"tenant": self.a}),
                           ("/board/api/call/ims.v1.Events/ListFindings", {"tenant": self.a}),
                           ("/board/api/live", {"tenant": self.a}),
                           ("/board/api/report", {"tenant": self.a})):
            status, content, _ = self.post(path, body, self.admin_b)
            self.assertIn(status, (403, 404), path)
            self.assertEqual(content, b"", path)
        # Its own tenant it does see; a tenant admin has no portfolio.
        status, _, _ = self.post("/board/api/call/ims.v1.Level/GetSecurityLevel",
                                 {"tenant": self.b}, self.admin_b)
        self.assertEqual(status, 200)
        status, _, _ = self.post("/board/api/call/ims.v1.Portfolio/GetPortfolio", {},
                                 self.admin_b)
        self.assertEqual(status, 403)
        # Requests are bounded as the gRPC API's reads are.
        status, _, _ = self.post("/board/api/call/ims.v1.Level/GetSecurityLevel",
                                 {"tenant": "x" * 70000}, self.admin_b)
        self.assertEqual(status, 413)
        # Only reads are served as JSON.
        status, _, _ = self.post("/board/api/call/ims.v1.Events/SubmitIncident",
                                 {"tenant": self.b}, self.admin_b)
        self.assertEqual(status, 404)

    def test_4_an_incident_shows_on_the_open_board_without_a_reload(self):
        self.open_board(self.admin_a, self.a)
        marker = self.browser.execute_script("window.__sameDocument = 1; return 1")
        latencies = []
        for i in range(5):
            before = self.shown_revision()
            t0 = time.time()
            self.imsctl("incident", "open", self.a, "--severity", "2", "--asset", "laptops",
                        "--threat", "T.malware", "--description", "live test %d" % i,
                        token=self.admin_a)
            self.wait(lambda: self.shown_revision() > before, timeout=10)
            shown_at = int(self.browser.execute_script("return document.body.dataset.levelShownAt"))
            latencies.append(shown_at / 1000.0 - t0)
            want = self.level(self.a)
            self.wait(lambda: self.shown_revision() == want.revision, timeout=10)
            self.assertEqual(self.browser.find_element(By.ID, "level-value").text,
                             pct(want.security_level))
        # A sample from the tenant's agent moves it as well.
        before = self.shown_revision()
        t0 = time.time()
        pushed = self.imsctl("metric", "push", self.a, "patch_latency_days", "30",
                             token=self.agent_a)
        self.wait(lambda: self.shown_revision() > before, timeout=10)
        shown_at = int(self.browser.execute_script("return document.body.dataset.levelShownAt"))
        sample_latency = shown_at / 1000.0 - t0
        want = self.level(self.a)
        self.assertIn("revision %d" % want.revision, pushed)
        self.wait(lambda: self.shown_revision() == want.revision, timeout=10)
        self.assertEqual(self.browser.find_element(By.ID, "level-value").text,
                         pct(want.security_level))
        # Never reloaded: the page's own variable is still there.
        self.assertEqual(self.browser.execute_script("return window.__sameDocument"), marker)
        # The rest of the board followed: the new incidents are listed (read after the event).
        self.wait(lambda: len(self.browser.find_elements(
            By.CSS_SELECTOR, "#incidents-table tbody tr")) == 6)
        self.assertFalse(self.full_page_shot("board.png", 1280))
        text = ("incident submitted with imsctl -> level shown on the open board: "
                "median %.0f ms, max %.0f ms over %d changes (%s)\n"
                "sample pushed by the agent with imsctl -> level shown: %.0f ms\n"
                % (1000 * statistics.median(latencies), 1000 * max(latencies), len(latencies),
                   ", ".join("%.0f" % (1000 * x) for x in latencies), 1000 * sample_latency))
        with open(os.path.join(OUT, "latency.txt"), "w") as f:
            f.write(text)
        print("\n" + text)

    def test_5_portfolio_lists_every_tenant_in_scope_sortable(self):
        self.sign_in(self.consultant)
        self.wait(lambda: self.visible("portfolio-view"))
        rows = "#portfolio-table tbody tr[data-tenant]"
        self.wait(lambda: len(self.browser.find_elements(By.CSS_SELECTOR, rows)) == 3)
        shown = {r.get_attribute("data-tenant") for r in
                 self.browser.find_elements(By.CSS_SELECTOR, rows)}
        self.assertEqual(shown, {self.a, self.b, self.c})  # the consultant's scope, no more
        row = self.browser.find_element(By.CSS_SELECTOR,
                                        "#portfolio-table tbody tr[data-tenant='%s']" % self.a)
        cells = [c.text for c in row.find_elements(By.CSS_SELECTOR, "td")]
        self.assertEqual(cells[0], pct(self.level(self.a).security_level))
        self.assertEqual(cells[3], "1")  # the open minor nonconformity
        self.assertEqual(cells[4], "1")  # its action, due in the past
        register = json.loads(self.post("/board/api/call/ims.v1.Risk/GetRiskRegister",
                                        {"tenant": self.a}, self.admin_a)[1])
        self.assertEqual(int(cells[5]),
                         sum(1 for p in register["pairs"] if not p["within_appetite"]))

        def levels():
            return [float(e.text.split()[0]) for e in self.browser.find_elements(
                By.CSS_SELECTOR, "#portfolio-table tbody td.level")]
        button = self.browser.find_element(By.CSS_SELECTOR,
                                           "#portfolio-table th[data-key=security_level] button")
        button.click()
        self.assertEqual(levels(), sorted(levels(), reverse=True))
        self.assertEqual(self.browser.find_element(
            By.CSS_SELECTOR, "#portfolio-table th[data-key=security_level]")
            .get_attribute("aria-sort"), "descending")
        self.assertEqual(self.policy_violations(), [])
        self.full_page_shot("portfolio.png", 1280)
        button.click()
        self.assertEqual(levels(), sorted(levels()))
        # An operator sees every tenant, these among them.
        status, body, _ = self.post("/board/api/call/ims.v1.Portfolio/GetPortfolio", {}, self.op)
        self.assertEqual(status, 200)
        self.assertLessEqual({self.a, self.b, self.c},
                             {t["tenant"] for t in json.loads(body)["tenants"]})

    def test_6_report_prints_one_section_per_page(self):
        html = os.path.join(OUT, "report.html")
        self.imsctl("report", self.a, "--out", html)
        self.browser.get("file://" + html)
        pdf = base64.b64decode(self.browser.print_page())
        pdf_path = os.path.join(OUT, "report.pdf")
        with open(pdf_path, "wb") as f:
            f.write(pdf)
        pages = subprocess.run(["pdftotext", "-layout", pdf_path, "-"], check=True,
                               capture_output=True, text=True).stdout.split("\f")
        if pages[-1].strip() == "":
            pages.pop()
        self.assertIn("Harbour Logistics Ltd", pages[0])
        self.assertIn("Security level", pages[0])
        where = []
        for title in SECTIONS:
            hits = [i for i, p in enumerate(pages)
                    if any(line.strip() == title for line in p.splitlines())]
            self.assertTrue(hits, title)
            where.append(hits[0])
        self.assertEqual(where, sorted(set(where)), "each section starts a page of its own")
        self.assertIn("Page 2 of %d" % len(pages), pages[1])
        # The open finding with its corrective action from the tracker, flagged overdue; the
        # overdue audit; the level awarded; the latest review; the objective.
        def page_of(title):
            return next(p for p in pages if any(l.strip() == title for l in p.splitlines()))
        findings = page_of("Open findings and corrective actions")
        theirs = findings[findings.index("Corrective actions of the open findings"):
                          findings.index("Other open actions")]
        line = next(l for l in theirs.splitlines() if self.action in l)
        self.assertIn("2026-01-15", line)
        self.assertIn("overdue", line)
        self.assertIn("IT lead", theirs)
        audits = page_of("Audit programme")
        line = next(l for l in audits.splitlines() if self.audit in l)
        self.assertIn("planned", line)
        self.assertIn("overdue", line)
        awards = page_of("Awards and management review")
        self.assertIn(self.award, awards)
        self.assertIn("active", awards)
        self.assertIn(self.review, awards)
        self.assertIn("Fund a patch tool.", awards)
        self.assertIn("backups", page_of("Objectives scorecard"))
        subprocess.run(["pdftoppm", "-f", "1", "-l", "1", "-r", "80", "-png", "-singlefile",
                        pdf_path, os.path.join(OUT, "report-page1")], check=True)
        # The board gives the same document, from its button.
        status, body, headers = self.post("/board/api/report", {"tenant": self.a}, self.admin_a)
        self.assertEqual(status, 200)
        self.assertIn("attachment", headers.get("Content-Disposition", ""))
        downloads = os.path.join(OUT, "downloads")
        shutil.rmtree(downloads, ignore_errors=True)
        os.makedirs(downloads)
        self.browser.execute_cdp_cmd("Page.setDownloadBehavior",
                                     {"behavior": "allow", "downloadPath": downloads})
        self.open_board(self.admin_a, self.a)
        self.browser.find_element(By.ID, "report-button").click()
        saved = os.path.join(downloads, "report-%s.html" % self.a)
        self.wait(lambda: os.path.exists(saved) and os.path.getsize(saved) > 0, timeout=20)
        with open(saved, "rb") as f:
            from_board = f.read()
        for section in ("cover", "level", "systems", "soa", "risks", "bia", "findings", "audits",
                        "awards", "objectives", "plan"):
            self.assertIn(('id="%s"' % section).encode(), body)
            self.assertIn(('id="%s"' % section).encode(), from_board)
        self.assertIn(b"Harbour Logistics Ltd", from_board)

    def test_7_soa_workbook_holds_every_applicable_control(self):
        path = os.path.join(OUT, "soa.xlsx")
        self.imsctl("soa", "export", self.a, "--format", "xlsx", "--out", path)
        soa = json.loads(self.imsctl("--json", "soa", "show", self.a))
        applicable = {e["control"] for e in soa["entries"] if e.get("applicable")}
        self.assertTrue(applicable)
        check = subprocess.run(
            ["/usr/bin/python3", "-c",
             "import json, sys, openpyxl\n"
             "ws = openpyxl.load_workbook(sys.argv[1]).active\n"
             "rows = list(ws.iter_rows(values_only=True))\n"
             "print(json.dumps({'head': rows[0], 'rows': [[r[0], r[3], r[4], r[5]] for r in rows[1:]]}))",
             path], check=True, capture_output=True, text=True)
        book = json.loads(check.stdout)
        self.assertEqual(book["head"][:6], ["Control", "Framework", "Title", "Applicable",
                                            "Justification", "Implementation status"])
        in_book = {r[0] for r in book["rows"] if r[1] == "Yes"}
        self.assertEqual(in_book, applicable)

    def watchers(self):
        with urllib.request.urlopen(self.base + "/metrics", timeout=10) as r:
            for line in r.read().decode().splitlines():
                if line.startswith("ims_watchers "):
                    return float(line.split()[1])
        return None

    def test_7b_a_stream_ends_with_its_reader(self):
        """The live stream opens with the current level, and a reader that goes away takes
        its watch with it, whether it leaves after the first event or before any."""
        import socket
        base = self.watchers()
        for wait_for_event in (True, False):
            body = json.dumps({"tenant": self.a}).encode()
            conn = socket.create_connection(("127.0.0.1", self.daemon.ops_port), timeout=10)
            conn.sendall(b"POST /board/api/live HTTP/1.1\r\nHost: x\r\n"
                         b"Authorization: Bearer " + self.admin_a.encode() + b"\r\n"
                         b"Content-Type: application/json\r\nContent-Length: "
                         + str(len(body)).encode() + b"\r\n\r\n" + body)
            if wait_for_event:
                got = b""
                while b"event: level" not in got:
                    chunk = conn.recv(65536)
                    self.assertTrue(chunk)
                    got += chunk
                self.assertIn(b"HTTP/1.1 200", got)
                self.assertIn(b"text/event-stream", got)
                self.assertIn(('"revision":%d' % self.level(self.a).revision).encode(), got)
                self.assertEqual(self.watchers(), base + 1)
            conn.close()
            deadline = time.time() + 10
            while self.watchers() != base and time.time() < deadline:
                time.sleep(0.05)
            self.assertEqual(self.watchers(), base)

    def test_7c_live_streams_hold_a_share_of_the_listener(self):
        """One token holds at most four live streams (a fifth gets 429), and the listener
        keeps answering probes meanwhile."""
        import socket
        token = imstest.imsd_token("tenant_admin", [self.a], label="board-live-cap")
        body = json.dumps({"tenant": self.a}).encode()
        held = []
        try:
            for i in range(5):
                conn = socket.create_connection(("127.0.0.1", self.daemon.ops_port), timeout=10)
                held.append(conn)
                conn.sendall(b"POST /board/api/live HTTP/1.1\r\nHost: x\r\n"
                             b"Authorization: Bearer " + token.encode() + b"\r\n"
                             b"Content-Type: application/json\r\nContent-Length: "
                             + str(len(body)).encode() + b"\r\n\r\n" + body)
                got = b""
                while b"\r\n\r\n" not in got:
                    chunk = conn.recv(65536)
                    self.assertTrue(chunk)
                    got += chunk
                if i < 4:
                    self.assertIn(b"HTTP/1.1 200", got)
                else:
                    self.assertIn(b"HTTP/1.1 429", got)
            with urllib.request.urlopen(self.base + "/readyz", timeout=10) as r:
                self.assertEqual(r.status, 200)
        finally:
            for conn in held:
                conn.close()

    def test_8_daemon_stops_cleanly_with_a_board_open(self):
        self.open_board(self.admin_a, self.a)
        self.wait(lambda: self.browser.find_element(By.ID, "live-state").text == "● live")
        self.assertEqual(self.daemon.stop(), 0)
        log = self.daemon.log_text()
        self.assertNotIn("Sanitizer", log)
        self.assertNotIn("runtime error", log)


if __name__ == "__main__":
    unittest.main()
