"""The busy weeks under load, run by `make load` (and by `make bench`): gunicorn with the repository's
config (config/gunicorn.conf.py) on loopback, on a throwaway copy of the seed_scale data set
(PostgreSQL when DATABASE_URL is set, else SQLite), with DEBUG off as in production.

(a) Staff at work: LOAD_USERS people (50) for LOAD_SECONDS (120), each thinking 3–10 s between
    actions. Department staff (four in five) open their list, fill records and save them, submit some,
    download their results sheet and look at their dashboard; the DX office reads the dashboards, the
    board and the explanation page. Target: every page's p95 ≤ 500 ms, and no error at all.
(b) Saturation: each main page in turn, SATURATION_CLIENTS clients (16, more than gunicorn's workers ×
    threads) asking without pause for SATURATION_SECONDS (10): the requests per second it sustains.

Afterwards the database is checked against what the server acknowledged: every save (a redirect after
「保存」 or 「提出する」) is in the record's history exactly once, with its indicator value in the result's
history, every submission is recorded once, each record holds its last save, and no result row is
duplicated. Everything is printed as one table; the exit status is 1 when a target is missed.

Accounts: seed_scale's are demo accounts, which production refuses, so the run adds its own
(`load-dx-<n>`, `load-<section code>-<n>`). The database is dropped at the end.
"""

import itertools
import math
import os
import random
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402

from bench.client import RequestFailed, Session, Timing, form_fields  # noqa: E402
from bench.scale import scale_data  # noqa: E402
from bench.table import Row, all_met, rows_json, table_text  # noqa: E402
from core.roles import DEPARTMENT_STAFF, DX_OFFICE  # noqa: E402
from evaluation.enums import CycleStatus  # noqa: E402
from evaluation.models import ActionResult, FiscalYear, IndicatorResult, ProjectRecord  # noqa: E402
from evaluation.services import reference_data_load  # noqa: E402
from measures.models import Measure  # noqa: E402
from strategy.models import Membership  # noqa: E402


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


SECONDS = _env_int("LOAD_SECONDS", 120)
USERS = _env_int("LOAD_USERS", 50)
PROJECTS = _env_int("LOAD_PROJECTS", 2000)
SATURATION_SECONDS = _env_int("SATURATION_SECONDS", 10)
SATURATION_CLIENTS = _env_int("SATURATION_CLIENTS", 16)
WORKERS = _env_int("GUNICORN_WORKERS", os.cpu_count() + 1)  # as config/gunicorn.conf.py reads it
WARM_UP_CLIENTS = 2 * WORKERS
THINK = (3.0, 10.0)  # seconds a person reads or types between two actions
P95_TARGET = 0.5
PASSWORD = "load-run-only-password"
HOST = "127.0.0.1"
TOKEN = "負荷試験"  # starts every 実績の概要 the run saves, so the check finds exactly its saves

LOGIN, MINE, EXPORT = (
    "/admin/login/",
    "/admin/evaluation/projectrecord/mine/",
    "/admin/evaluation/projectrecord/results/export/",
)
BOARD = "/admin/evaluation/projectrecord/board/"
EDITABLE = re.compile(r'href="/admin/evaluation/projectrecord/(\d+)/change/">入力する')
SAVE_REASON, SUBMIT_REASONS = "入力内容を保存", ("提出", "再提出")


@dataclass(frozen=True)
class Ack:
    """A save the server acknowledged: the record, the 実績の概要 typed, and the indicator value typed."""

    kind: str  # "save" or "submit"
    record: int
    summary: str
    result: int | None
    actual: Decimal | None
    at: float


@dataclass
class City:
    """What the simulated people need to know of the data set, read once before the run."""

    open_year: int
    measures: list[str]
    staff: list[str] = field(default_factory=list)  # usernames, one person each
    dx: list[str] = field(default_factory=list)


@dataclass
class Person:
    session: Session
    username: str
    share: tuple[int, int] = (0, 1)  # this person's part of the department's records (index, of how many)
    records: list[int] = field(default_factory=list)


# --- the data set and its accounts ---------------------------------------------------------------


def database_create() -> tuple[str, Callable[[], None]]:
    """A throwaway database holding nothing yet: the DATABASE_URL to give gunicorn, and how to drop it."""
    settings = connection.settings_dict
    original = settings["NAME"]
    if connection.vendor == "sqlite":
        path = Path(tempfile.mkdtemp(prefix="portal-load-")) / "load.sqlite3"
        settings["TEST"]["NAME"] = str(path)
        connection.creation.create_test_db(verbosity=0, autoclobber=True)

        def drop():
            connection.creation.destroy_test_db(original, verbosity=0)
            shutil.rmtree(path.parent)  # with any -wal and -shm files beside it

        return f"sqlite:///{path}", drop
    settings["TEST"]["NAME"] = f"{original}_load"
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    url = urlsplit(os.environ["DATABASE_URL"])._replace(path="/" + connection.settings_dict["NAME"])
    return urlunsplit(url), lambda: connection.creation.destroy_test_db(original, verbosity=0)


def city_create() -> City:
    """The seed_scale data and one account per simulated person: a fifth DX office, the rest staff
    spread over the departments (two people of one department never share a record)."""
    reference_data_load()
    scale_data(projects=PROJECTS)
    open_year = FiscalYear.objects.get(plan__code="ict2", status=CycleStatus.OPEN).year
    measures = list(Measure.objects.filter(plan__code="ict2").order_by("code").values_list("code", flat=True))
    city = City(open_year=open_year, measures=measures)
    hashed = make_password(PASSWORD)
    users = get_user_model().objects
    dx_group, staff_group = Group.objects.get(name=DX_OFFICE), Group.objects.get(name=DEPARTMENT_STAFF)
    dx_count = max(1, USERS // 5)
    for n in range(dx_count):
        user = users.create(username=f"load-dx-{n}", is_staff=True, password=hashed)
        user.groups.add(dx_group)
        city.dx.append(user.username)
    sections = list(
        Membership.objects.filter(user__username__startswith="scale-S").select_related("department")
    )
    for n in range(USERS - dx_count):
        department = sections[n % len(sections)].department
        user = users.create(
            username=f"load-{department.code}-{n // len(sections)}", is_staff=True, password=hashed
        )
        user.groups.add(staff_group)
        Membership.objects.create(user=user, department=department)
        city.staff.append(user.username)
    return city


# --- the server ----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(database_url: str, log: Path) -> Iterator[int]:
    """gunicorn with config/gunicorn.conf.py on a free loopback port, as `make serve` starts it;
    stopped (gracefully) at the end. Yields the port once /healthz answers."""
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "DATABASE_URL": database_url,
        "GUNICORN_BIND": f"{HOST}:{port}",
        "STATIC_MANIFEST": "0",  # no collectstatic here; the run asks for pages, not static files
        # Plain HTTP on loopback: the TLS proxy a server sits behind is no part of the run.
        "SECURE_SSL_REDIRECT": "0",
    }
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            _wait_until_healthy(port, process, log)
            yield port
        finally:
            process.terminate()
            process.wait(timeout=60)


def _wait_until_healthy(port: int, process, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn stopped at start-up:\n{log.read_text()[-3000:]}")
        try:
            Session(HOST, port, []).get("healthz", "/healthz")
            return
        except RequestFailed:
            time.sleep(0.2)
    sys.exit(f"gunicorn did not answer /healthz within 60 s; its log: {log}")


# --- what people do --------------------------------------------------------------------------------


def log_in(port: int, username: str, timings: list) -> Session:
    session = Session(HOST, port, timings)
    form = form_fields(session.get("login", LOGIN).body, "login-form")
    form.set("username", username)
    form.set("password", PASSWORD)
    session.post("login", LOGIN, form.fields)
    return session


class Actions:
    """The actions of department staff and of the DX office; each records the requests it makes."""

    def __init__(self, city: City, acks: list, stop: threading.Event):
        self.city, self.acks, self.stop = city, acks, stop
        self.serial = itertools.count(1)

    def think(self, rng: random.Random) -> bool:
        """Pause as a person does; False once the run is over."""
        return not self.stop.wait(rng.uniform(*THINK))

    # department staff

    def mine(self, person: Person, rng) -> None:
        body = person.session.get("mine", MINE).body
        index, of = person.share
        person.records = [int(pk) for pk in EDITABLE.findall(body) if int(pk) % of == index]

    def save(self, person: Person, rng, *, submit: bool = False, pause: bool = True) -> None:
        """Open one of the person's records, type (think), and press 「保存」 or 「提出する」."""
        if not person.records:
            return self.mine(person, rng)
        pk = rng.choice(person.records)
        path = f"/admin/evaluation/projectrecord/{pk}/change/"
        form = form_fields(person.session.get("entry page", path).body, "projectrecord_form")
        if pause and not self.think(rng):
            return None
        ack = self._type(form, pk, complete=submit)
        button = ("_submit", "提出する") if submit else ("_save", "保存")
        answer = person.session.post("entry submit" if submit else "entry save", path, [*form.fields, button])
        if not answer.location.endswith(MINE):
            raise RequestFailed(f"record {pk}: not acknowledged (sent to {answer.location})")
        self.acks.append(ack)
        if submit:
            person.records.remove(pk)
        person.session.get("mine", MINE)  # where the redirect leads
        return None

    def _type(self, form, pk: int, *, complete: bool) -> Ack:
        """A new 実績の概要 and a new value for the first indicator; everything else too to submit.

        The value is the save's serial number, unlike the one the page showed: typing the value that
        is there already changes nothing, so the check would look in vain for its history row (seeded
        values meet small serial numbers now and then: 1 is the value of 49 of the open year's first
        indicators)."""
        shown = dict(form.fields).get("indicator_results-0-actual") or None
        if complete:
            self._complete(form)
        number = next(self.serial)
        while shown is not None and Decimal(shown) == number:
            number = next(self.serial)
        summary = f"{TOKEN} {number}"
        form.set("results_summary", summary)
        actual = Decimal(number)
        form.set("indicator_results-0-actual", str(actual))
        form.set("indicator_results-0-actual_status", "confirmed")
        names = form.names()
        result = (
            dict(form.fields).get("indicator_results-0-id") if "indicator_results-0-id" in names else None
        )
        return Ack(
            "submit" if complete else "save", pk, summary, int(result) if result else None,
            actual if result else None, time.monotonic(),
        )  # fmt: skip

    @staticmethod
    def _complete(form) -> None:
        grades = [value for value in form.options.get("self_grade", []) if value]
        form.set("self_grade", grades[0])
        form.set("self_grade_reason", "負荷試験による自己評価")
        form.set("next_direction", "continue")
        for name in form.names():
            if re.fullmatch(r"action_results-\d+-completion", name):
                form.set(name, "achieved")
            elif re.fullmatch(r"action_results-\d+-done", name):
                form.set(name, "負荷試験で実施")
            elif re.fullmatch(r"indicator_results-\d+-actual", name):
                form.set(name, "1")
                form.set(name.replace("actual", "actual_status"), "confirmed")

    def submit(self, person: Person, rng) -> None:
        self.save(person, rng, submit=True)

    def export(self, person: Person, rng) -> None:
        person.session.get("results export", EXPORT)

    def dashboard(self, person: Person, rng) -> None:
        person.session.get("dashboard", "/dashboard/")

    # the DX office

    def measure(self, person: Person, rng) -> None:
        code = rng.choice(self.city.measures)
        person.session.get("dashboard measure", f"/dashboard/measures/{code}/")

    def board(self, person: Person, rng) -> None:
        person.session.get("board", BOARD)

    def explanation(self, person: Person, rng) -> None:
        person.session.get("explanation", f"/rollups/ict2/{self.city.open_year}/plan/ict2/")

    def submissions(self, person: Person, rng) -> None:
        person.session.get("dashboard submissions", "/dashboard/submissions/")

    def staff_mix(self):
        return [(self.mine, 25), (self.save, 30), (self.submit, 8), (self.export, 12), (self.dashboard, 25)]

    def dx_mix(self):
        return [
            (self.dashboard, 30), (self.measure, 25), (self.board, 20), (self.explanation, 15),
            (self.submissions, 10),
        ]  # fmt: skip


@dataclass
class Busy:
    """What run (a) measured: its requests, its length, the logins before it, and the stale
    keep-alive connections reopened."""

    timings: list[Timing]
    seconds: float
    logins: list[Timing]
    retries: int


def busy_weeks(port: int, city: City, acks: list) -> Busy:
    """Run (a): everyone logs in before the clock starts (a person logs in once a day), then works."""
    timings: list[Timing] = []
    logins: list[Timing] = []
    stop = threading.Event()
    actions = Actions(city, acks, stop)
    people = [(person, actions.staff_mix()) for person in _staff(port, city, logins)]
    people += [(Person(log_in(port, name, logins), name), actions.dx_mix()) for name in city.dx]
    for person, _ in people:
        person.session.timings = timings
    dx = people[-1][0].session
    _warm_up(
        port, dx, actions.dashboard, actions.measure, actions.board, actions.explanation, actions.submissions
    )
    seconds = _run_for(
        SECONDS,
        stop,
        [
            threading.Thread(target=_live, args=(actions, person, mix, random.Random(n)))
            for n, (person, mix) in enumerate(people)
        ],
    )
    retries = sum(person.session.retries for person, _ in people)
    return Busy(timings, seconds, logins, retries)


def _staff(port: int, city: City, logins: list) -> list[Person]:
    """Department staff, logged in; people of one department split its records between them."""
    department = {name: name.rsplit("-", 1)[0] for name in city.staff}
    colleagues = Counter(department.values())
    return [
        Person(
            log_in(port, name, logins),
            name,
            share=(int(name.rsplit("-", 1)[1]), colleagues[department[name]]),
        )
        for name in city.staff
    ]


def _live(actions: Actions, person: Person, mix, rng: random.Random) -> None:
    doings, weights = zip(*mix, strict=True)
    while actions.think(rng):
        with suppress(RequestFailed):  # recorded with its timing; the person carries on
            rng.choices(doings, weights)[0](person, rng)
    person.session.close()


# --- saturation -----------------------------------------------------------------------------------


def saturation(port: int, city: City, acks: list) -> list[tuple[str, list[Timing], float]]:
    """Run (b): each main page alone, as fast as SATURATION_CLIENTS clients ask."""
    stop = threading.Event()
    actions = Actions(city, acks, stop)
    staff = [log_in(port, name, []) for name in city.staff[:SATURATION_CLIENTS]]
    dx = log_in(port, city.dx[0], [])
    pages = [
        ("dashboard", dx, actions.dashboard), ("dashboard measure", dx, actions.measure),
        ("board", dx, actions.board), ("explanation", dx, actions.explanation),
        ("dashboard submissions", dx, actions.submissions),
        ("mine", staff, actions.mine), ("results export", staff, actions.export),
        ("entry save", staff, lambda person, rng: actions.save(person, rng, pause=False)),
    ]  # fmt: skip
    rows = []
    for page, who, work in pages:
        timings, seconds = _saturate(port, who, work)
        rows.append((page, timings, seconds))
    return rows


def _saturate(port: int, who, work) -> tuple[list[Timing], float]:
    timings: list[Timing] = []
    stop = threading.Event()
    logged_in = who if isinstance(who, list) else [who] * SATURATION_CLIENTS

    def client(n: int) -> None:
        session = Session(HOST, port, timings)
        session.cookies = dict(logged_in[n % len(logged_in)].cookies)
        # Clients sharing a login split its records, so none refuses another's save as outdated.
        share = (n // len(logged_in), -(-SATURATION_CLIENTS // len(logged_in)))
        person, rng = Person(session, f"client-{n}", share=share), random.Random(n)
        while not stop.is_set():
            with suppress(RequestFailed):
                work(person, rng)
        session.close()

    _warm_up(port, logged_in[0], work)
    threads = [threading.Thread(target=client, args=(n,)) for n in range(SATURATION_CLIENTS)]
    return timings, _run_for(SATURATION_SECONDS, stop, threads)


def _run_for(seconds: int, stop: threading.Event, threads: list[threading.Thread]) -> float:
    """Start the threads, tell them to stop after `seconds`, wait for them; how long it all took."""
    started = time.monotonic()
    for thread in threads:
        thread.start()
    stop.wait(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    return time.monotonic() - started


def _warm_up(port: int, logged_in: Session, *works) -> None:
    """Each page asked, unmeasured, before the clock starts, by WARM_UP_CLIENTS clients at once, so
    that every worker most likely serves it: the first request after a change computes and stores the
    year's figures, and a worker's first one reads them and compiles the page's templates, which a
    server at work has done long before."""

    def client(n: int) -> None:
        person = Person(Session(HOST, port, []), f"warm-up-{n}")
        person.session.cookies = dict(logged_in.cookies)
        for work in works:
            with suppress(RequestFailed):
                work(person, random.Random(n))
        person.session.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(WARM_UP_CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


# --- the database afterwards ------------------------------------------------------------------------


def database_check(acks: list[Ack]) -> dict[str, int]:
    """What the database holds of the acknowledged saves; every count but `acknowledged` must be 0."""
    records = ProjectRecord.history.model.objects.filter(results_summary__startswith=TOKEN)
    saved = Counter(records.filter(history_change_reason=SAVE_REASON).values_list("id", "results_summary"))
    submitted = Counter(
        records.filter(history_change_reason__in=SUBMIT_REASONS).values_list("id", "results_summary")
    )
    values = Counter(
        IndicatorResult.history.model.objects.filter(
            id__in={a.result for a in acks if a.result}, history_change_reason=SAVE_REASON
        ).values_list("id", "actual")
    )
    last = {a.record: a.summary for a in sorted(acks, key=lambda a: a.at)}
    now = dict(ProjectRecord.objects.filter(pk__in=last).values_list("pk", "results_summary"))
    return {
        "acknowledged": len(acks),
        "lost": sum(saved[(a.record, a.summary)] == 0 for a in acks),
        "saved twice": sum(saved[(a.record, a.summary)] > 1 for a in acks),
        "submissions lost or twice": sum(
            submitted[(a.record, a.summary)] != 1 for a in acks if a.kind == "submit"
        ),
        "indicator values missing from history": sum(
            values[(a.result, a.actual)] != 1 for a in acks if a.result
        ),
        "records not holding their last save": sum(now.get(pk) != summary for pk, summary in last.items()),
        "duplicated result rows": _duplicates(IndicatorResult, "record", "indicator")
        + _duplicates(ActionResult, "record", "action_goal"),
    }


def _duplicates(model, *key) -> int:
    return model.objects.values(*key).annotate(rows=Count("id")).filter(rows__gt=1).count()


# --- the table --------------------------------------------------------------------------------------


def _percentile(values: list[float], share: float) -> float:
    """Nearest rank: the smallest value at least `share` of the values do not exceed."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * share) - 1)]


def _figure(timings: list[Timing], seconds: float) -> str:
    times = [t.seconds * 1000 for t in timings] or [0.0]
    errors = sum(bool(t.error) for t in timings)
    return (
        f"{len(timings):5d} requests {len(timings) / seconds:6.1f}/s  median {_percentile(times, 0.5):5.0f}  "
        f"p95 {_percentile(times, 0.95):5.0f}  p99 {_percentile(times, 0.99):5.0f} ms  {errors} errors"
    )


def _quick(timings: list[Timing]) -> bool:
    return bool(timings) and _percentile([t.seconds for t in timings], 0.95) <= P95_TARGET


def load_rows(busy: Busy, saturated, check: dict) -> list[Row]:
    """The table's rows: (a) per page and in all, (b) per page, and the database check."""
    staff, target = f"load (a) {USERS} staff", "p95 ≤ 500 ms, 0 errors"
    rows = [Row("load: logins before (a)", _figure(busy.logins, sum(t.seconds for t in busy.logins) or 1))]
    by_page = defaultdict(list)
    for timing in busy.timings:
        by_page[timing.page].append(timing)
    for page, timings in [*sorted(by_page.items()), ("all pages", busy.timings)]:
        ok = _quick(timings) and not any(t.error for t in timings)
        rows.append(Row(f"{staff}: {page}", _figure(timings, busy.seconds), target, ok))
    for page, timings, seconds in saturated:
        shown = [t for t in timings if t.page == page]  # a save's own page view is not a save
        errors = any(t.error for t in timings)
        rows.append(
            Row(
                f"load (b) {SATURATION_CLIENTS} clients: {page}",
                _figure(shown, seconds),
                "0 errors",
                not errors,
            )
        )
    problems = {name: count for name, count in check.items() if name != "acknowledged" and count}
    found = ", ".join(f"{count} {name}" for name, count in problems.items()) or "all in the history once"
    rows.append(
        Row("load: database after (a) and (b)", f"{check['acknowledged']} saves acknowledged: {found}",
            "none lost, none twice", not problems)
    )  # fmt: skip
    return rows


def notes(busy: Busy, saturated, log: Path) -> list[str]:
    """What to read beside the table: the set-up, the retried connections and the errors seen."""
    workers = os.environ.get("GUNICORN_WORKERS") or f"{os.cpu_count() + 1} (cores + 1)"
    lines = [
        f"load: gunicorn {workers} workers × {os.environ.get('GUNICORN_THREADS') or 4} threads on "
        f"{connection.vendor}, seed_scale {PROJECTS} projects, think {THINK[0]:.0f}–{THINK[1]:.0f} s; "
        f"server log {log}",
        f"load: idle keep-alive connections the server had closed, reopened and retried: {busy.retries}",
    ]
    everything = [*busy.timings, *(t for _, timings, _ in saturated for t in timings)]
    errors = Counter(f"{t.page}: {t.error}" for t in everything if t.error)
    lines += [f"load: error ×{count}: {error}" for error, count in errors.most_common(5)]
    return lines


START = time.monotonic()


def _progress(doing: str) -> None:
    print(f"[{time.monotonic() - START:5.0f} s] {doing}…", file=sys.stderr, flush=True)


def bulk_load_settle() -> None:
    """Write the bulk load's pages to disk before the clock starts (PostgreSQL's CHECKPOINT): a busy
    week does not begin a minute after 2,000 projects were inserted, and left to itself the server
    writes them out during the run (a timed checkpoint spread over its minutes), stalling requests."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")


def main() -> None:
    database_url, drop = database_create()
    log = Path(tempfile.mkdtemp(prefix="portal-load-log-")) / "gunicorn.log"
    try:
        _progress(f"building the seed_scale data ({PROJECTS} projects) on {connection.vendor}")
        city = city_create()
        bulk_load_settle()
        acks: list[Ack] = []
        with gunicorn(database_url, log) as port:
            _progress(f"(a) {USERS} people for {SECONDS} s")
            busy = busy_weeks(port, city, acks)
            _progress(f"(b) saturation, {SATURATION_SECONDS} s a page")
            saturated = saturation(port, city, acks)
        _progress("checking the database")
        rows = load_rows(busy, saturated, database_check(acks))
    finally:
        drop()
    as_json = "--json" in sys.argv
    print(rows_json(rows) if as_json else table_text(rows))
    print("\n".join(notes(busy, saturated, log)), file=sys.stderr if as_json else sys.stdout)
    sys.exit(0 if all_met(rows) else 1)


if __name__ == "__main__":
    main()
