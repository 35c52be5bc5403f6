"""The load test's people (``make loadtest``; run by loadtest/run.sh against the seeded stack).

Three kinds, in the proportions a practice's day has them:

- therapists sign in with their password, then browse: caseload, dashboard, a client's page,
  the homework page; now and then they assign a daily mood log (the two-step assign form)
  or mark an entry reviewed;
- clients sign in by the emailed code (the sign-in page, then the code read from the email
  the worker sent), open their to-do list and today's mood log, autosave a draft every few
  seconds as the page's script does, and send the entry;
- scripts list clients over the API with a token, page by page.

Each request is named after its route (ids replaced), so the report has one row per endpoint.
Who signs in as whom comes from the manifest the seed wrote (LOADTEST_MANIFEST).
"""

import itertools
import json
import os
import random
import re
import time
import uuid
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import gevent
from locust import HttpUser, between, events, task

_turns = itertools.count()


def _next(people: list):
    """People in turn, not at random: two simulated clients signing in as one person would
    cancel each other's codes (each sign-in ends the other open ones). The order is shuffled
    for each run: a client may ask for five sign-in emails an hour, and back-to-back runs
    starting with the same people would use that up."""
    return people[next(_turns) % len(people)]


MANIFEST_PATH = os.environ.get("LOADTEST_MANIFEST", "loadtest/out/manifest.json")
MANIFEST = json.loads(Path(MANIFEST_PATH).read_text())
MAIL_DIR = Path(os.environ.get("LOADTEST_MAIL_DIR", "loadtest/out/mail"))
# Plain HTTP, no proxy in front (loadtest/settings.py): no X-Forwarded-Proto, so CSRF checks
# the Referer only as it does for HTTP.
HEADERS: dict = {}

MAIL_DELAYS_MS: list[float] = []
# The worker's emails, read once each by one scanner (the reminders sent meanwhile land in the
# same folder, thousands of them): sign-in codes by address, and a count of every kind.
MAILBOX: dict[str, list[tuple[float, str]]] = {}
MAIL_COUNTS = {"sign-in": 0, "other": 0}
TO = re.compile(r"^To: (\S+)$", re.MULTILINE)


def _scan_mail():
    while True:
        settled = time.time() - 0.5  # a file the worker may still be writing waits a turn
        for entry in os.scandir(MAIL_DIR):
            if not entry.name.endswith(".log") or entry.stat().st_mtime > settled:
                continue
            text = Path(entry.path).read_text(errors="replace")
            for to, code in zip(TO.findall(text), _codes(text), strict=False):
                if code:
                    MAILBOX.setdefault(to, []).append((entry.stat().st_mtime, code))
                MAIL_COUNTS["sign-in" if code else "other"] += 1
            os.unlink(entry.path)
        gevent.sleep(0.25)


def _codes(text: str) -> list:
    """Per message in one file (the file backend separates them with a line of dashes)."""
    return [
        (found.group(1) if (found := CODE.search(message)) else None)
        for message in text.split("-" * 79)
        if TO.search(message)
    ]


@events.test_start.add_listener
def _start_scanner(**kwargs):
    gevent.spawn(_scan_mail)


@events.test_stop.add_listener
def _write_mail_figures(**kwargs):
    out = Path(os.environ.get("LOADTEST_OUT", "loadtest/out"))
    (out / "mail_delays.json").write_text(json.dumps(MAIL_DELAYS_MS))
    (out / "mail_counts.json").write_text(json.dumps(MAIL_COUNTS))


PORTAL_CLIENTS = [
    email
    for number in range(max(len(p["portal_clients"]) for p in MANIFEST["practices"]))
    for p in MANIFEST["practices"]
    if number < len(p["portal_clients"])
    for email in [p["portal_clients"][number]]
]  # practice by practice: the first clients simulated come from every practice
random.shuffle(PORTAL_CLIENTS)
CLIENT_LINK = re.compile(r'href="/clients/([0-9a-f-]{36})/"')
TODO_LINK = re.compile(r'href="/portal/do/([0-9a-f-]{36})/"')
REVIEW_ACTION = re.compile(r'action="/assignments/occurrences/([0-9a-f-]{36})/review/"')
CURATED_MOOD = re.compile(
    r'name="curated" value="([0-9a-f-]{36})"[^>]*>\s*(?:<[^>]+>\s*)*Daily mood log'
)
CODE = re.compile(r"enter this code on the sign-in page: (\d{6})")


class _Forms(HTMLParser):
    """The fields each <form> would send, as a browser would: the named inputs (checked boxes
    and radios only; an empty date filled with today, as a person would pick), selected
    options and text areas."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self.form = None
        self.select = None
        self.textarea = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            where = f"{a.get('action') or ''} {a.get('id') or ''}"
            self.form = {"where": where, "fields": [], "radios": {}}
            self.forms.append(self.form)
        if self.form is None:
            return
        fields, name = self.form["fields"], a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind == "radio":
                self.form["radios"].setdefault(name, []).append(a.get("value", ""))
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    fields.append((name, a.get("value", "on")))
            elif kind == "date" and not a.get("value"):
                fields.append((name, date.today().isoformat()))
            elif kind not in ("submit", "button", "file"):
                fields.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self.select = (name, None)
        elif tag == "option" and self.select:
            if self.select[1] is None or "selected" in a:
                self.select = (self.select[0], a.get("value", ""))
        elif tag == "textarea" and name:
            self.textarea = True
            fields.append((name, ""))

    def handle_data(self, data):
        if self.textarea and self.form:
            name, value = self.form["fields"][-1]
            self.form["fields"][-1] = (name, value + data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select" and self.select and self.form:
            self.form["fields"].append(self.select)
            self.select = None
        elif tag == "textarea":
            self.textarea = False


def form_fields(html: str, want: str = "") -> tuple[list, dict]:
    """(fields, radio choices) of the first form whose action or id contains ``want``; without
    ``want``, of the page's largest form (the page's own, not the header's sign-out)."""
    parser = _Forms()
    parser.feed(html)
    forms = [f for f in parser.forms if want in f["where"]] if want else parser.forms
    if not forms:
        return [], {}
    form = forms[0] if want else max(forms, key=lambda f: len(f["fields"]))
    return form["fields"], form["radios"]


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    return found.group(1) if found else ""


# Think times: a therapist reads a page for some seconds before the next click; a client
# between two pieces of homework comes back after a while (the autosaves while typing are every
# 2-4 s, as the page's script does); a script syncs every several seconds.
class Therapist(HttpUser):
    weight = 3
    wait_time = between(3, 10)

    def on_start(self):
        practice = random.choice(MANIFEST["practices"])
        self.email = random.choice(practice["therapists"])
        page = self.client.get("/accounts/login/", headers=HEADERS, name="/accounts/login/")
        with self.client.post(
            "/accounts/login/",
            data={
                "login": self.email,
                "password": MANIFEST["password"],
                "csrfmiddlewaretoken": csrf_of(page.text),
            },
            headers={**HEADERS, "Referer": self.host + "/accounts/login/"},
            name="/accounts/login/ [sign in]",
            catch_response=True,
        ) as response:
            if "/accounts/login/" in response.url:
                response.failure("still on the sign-in page")
        self.clients = []
        self.caseload()

    def page(self, url: str, name: str):
        """A staff page; landing on the sign-in page instead is a failure, not a fast page."""
        with self.client.get(url, headers=HEADERS, name=name, catch_response=True) as response:
            if "/accounts/login/" in response.url:
                response.failure("sent to the sign-in page")
        return response

    @task(4)
    def caseload(self):
        page = self.page("/clients/", "/clients/ [caseload]")
        self.clients = CLIENT_LINK.findall(page.text) or self.clients

    @task(3)
    def dashboard(self):
        self.page("/dashboard/", "/dashboard/")

    @task(4)
    def client_page(self):
        if not self.clients:
            return
        client_id = random.choice(self.clients)
        page = self.page(f"/clients/{client_id}/", "/clients/<id>/ [client page]")
        reviews = REVIEW_ACTION.findall(page.text)
        if reviews and random.random() < 0.5:
            self.client.post(
                f"/assignments/occurrences/{reviews[0]}/review/",
                data={
                    "csrfmiddlewaretoken": csrf_of(page.text),
                    "rating": random.randint(4, 9),
                    "comment": "Thanks, good to see this.",
                },
                headers={**HEADERS, "Referer": f"{self.host}/clients/{client_id}/"},
                name="/assignments/occurrences/<id>/review/ [review]",
            )

    @task(1)
    def assign(self):
        if not self.clients:
            return
        client_id = random.choice(self.clients)
        choose = self.client.get(
            f"/assignments/new/?client={client_id}",
            headers=HEADERS,
            name="/assignments/new/ [choose]",
        )
        found = CURATED_MOOD.search(choose.text) or re.search(
            r'name="curated" value="([0-9a-f-]{36})"', choose.text
        )
        if not found:
            return
        url = f"/assignments/new/?client={client_id}&curated={found.group(1)}"
        plan = self.client.get(url, headers=HEADERS, name="/assignments/new/ [plan]")
        fields, _ = form_fields(plan.text, "")
        with self.client.post(
            url,
            data=fields,
            headers={**HEADERS, "Referer": self.host + url},
            name="/assignments/new/ [assign]",
            catch_response=True,
            allow_redirects=False,
        ) as response:
            if response.status_code != 302:
                response.failure(f"assign answered {response.status_code}, not a redirect")


class PortalClient(HttpUser):
    weight = 6
    wait_time = between(5, 15)

    def on_start(self):
        self.email = _next(PORTAL_CLIENTS)
        self.sign_in()

    def sign_in(self):
        page = self.client.get("/portal/sign-in/", headers=HEADERS, name="/portal/sign-in/")
        asked = time.time() - 1
        self.client.post(
            "/portal/sign-in/",
            data={"email": self.email, "csrfmiddlewaretoken": csrf_of(page.text)},
            headers={**HEADERS, "Referer": self.host + "/portal/sign-in/"},
            name="/portal/sign-in/ [ask for code]",
        )
        code = self.read_code(asked)
        if code is None:
            events.request.fire(
                request_type="MAIL",
                name="sign-in email (from the worker)",
                response_time=0,
                response_length=0,
                exception=RuntimeError(f"no sign-in email for {self.email} within 60 s"),
                context={},
            )
            return
        page = self.client.get(
            "/portal/sign-in/code/", headers=HEADERS, name="/portal/sign-in/code/"
        )
        with self.client.post(
            "/portal/sign-in/code/",
            data={"email": self.email, "code": code, "csrfmiddlewaretoken": csrf_of(page.text)},
            headers={**HEADERS, "Referer": self.host + "/portal/sign-in/code/"},
            name="/portal/sign-in/code/ [enter code]",
            catch_response=True,
        ) as response:
            if "/portal/sign-in/" in response.url:
                response.failure("still on the sign-in page")

    def read_code(self, since: float):
        """The code from the newest email to this address sent after ``since``. The worker
        sends it, so it is waited for (60 s at most, from the page's answer); the wait is kept
        apart (MAIL_DELAYS_MS), not counted as a page's time."""
        started = answered = time.time()
        while time.time() - started < 60:
            fresh = [code for at, code in MAILBOX.get(self.email, []) if at >= since]
            if fresh:
                MAILBOX[self.email] = []  # a code works once
                # From the page's answer (the request's own time is its own line).
                MAIL_DELAYS_MS.append((time.time() - answered) * 1000)
                return fresh[-1]
            time.sleep(0.25)
        return None

    @task
    def do_homework(self):
        todo = self.client.get("/portal/", headers=HEADERS, name="/portal/ [to-do]")
        if "/portal/sign-in/" in todo.url:
            self.sign_in()
            return
        links = TODO_LINK.findall(todo.text)
        if not links:
            return
        occurrence = links[0]
        page = self.client.get(
            f"/portal/do/{occurrence}/", headers=HEADERS, name="/portal/do/<id>/ [worksheet]"
        )
        if page.status_code != 200:
            return
        fields, radios = form_fields(page.text, "worksheet-form")
        answers = [(k, v) for k, v in fields if k not in radios]
        for name in radios:
            answers.append((name, random.choice(radios[name])))
        if not any(k == "submission_key" for k, _ in answers):
            answers.append(("submission_key", str(uuid.uuid4())))
        csrf = csrf_of(page.text)
        answers = [(k, v) for k, v in answers if k != "f.what_happened"]
        typed = ""
        for _ in range(random.randint(2, 5)):  # typing, with the page's autosave
            time.sleep(random.uniform(2, 4))
            typed += random.choice(["Slept badly. ", "Walked to work. ", "Saw a friend. "])
            self.client.post(
                f"/portal/do/{occurrence}/draft/",
                data=[*answers, ("f.what_happened", typed)],
                headers={
                    **HEADERS,
                    "X-CSRFToken": csrf,
                    "Accept": "application/json",
                    "Referer": f"{self.host}/portal/do/{occurrence}/",
                },
                name="/portal/do/<id>/draft/ [autosave]",
            )
        with self.client.post(
            f"/portal/do/{occurrence}/",
            data=[*answers, ("f.what_happened", typed)],
            headers={**HEADERS, "Referer": f"{self.host}/portal/do/{occurrence}/"},
            name="/portal/do/<id>/ [send]",
            catch_response=True,
            allow_redirects=False,
        ) as response:
            if response.status_code != 302:
                response.failure(f"send answered {response.status_code}, not a redirect")
                return
        self.client.get(response.headers["Location"], headers=HEADERS, name="/portal/entries/<id>/")


class ApiScript(HttpUser):
    weight = 1
    wait_time = between(5, 15)

    def on_start(self):
        practice = random.choice(MANIFEST["practices"])
        self.headers = {**HEADERS, "Authorization": f"Token {practice['api_token']}"}

    @task
    def list_clients(self):
        url = "/api/v1/clients/"
        for _ in range(4):  # the first pages, following "next"
            response = self.client.get(url, headers=self.headers, name="/api/v1/clients/ [page]")
            if response.status_code != 200:
                return
            url = response.json().get("next")
            if not url:
                return
