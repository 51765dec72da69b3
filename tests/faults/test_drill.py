"""Fault drills: real processes failing under load.

The drill starts its own PostgreSQL cluster and Redis on spare ports (never the machine's own),
gunicorn, a Celery worker and beat, and an SMTP server that counts what it receives; makes people,
a nominal and notifications through the service's own code; then breaks one thing at a time and
checks that nothing is lost, nothing is done twice and no request fails with a 500 or hangs. Each
scenario prints what it injected, what it checked and its counts. See docs/reliability.md.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
import requests
from PIL import Image

from tests.faults.stack import SmallDisk, Stack, form_fields, postgres_bin, signed_in, wait_for

pytestmark = [pytest.mark.faults]

PAGES = ["/", "/account/", "/nominals/", "/statistics/", "/notifications/"]
REDIS_OUTAGE_SECONDS = 60
REQUEST_TIMEOUT_SECONDS = 15  # a request taking longer than this counts as a hang
CONCURRENT_EDITORS = 20


def _missing() -> str | None:
    if postgres_bin() is None:
        return "PostgreSQL's server programs (initdb, pg_ctl) are not installed"
    if shutil.which("redis-server") is None:
        return "redis-server is not installed"
    return None


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    missing = _missing()
    if missing:
        pytest.skip(f"The fault drill starts its own services: {missing}")
    stack = Stack()
    try:
        stack.start()
        made = stack.manage("shell", "-c", "from tests.faults.prepare import people; people()")
        stack.made = json.loads(made.strip().splitlines()[-1])
        yield stack
    except BaseException:
        for process in (stack.web, stack.worker, stack.beat):
            print(f"--- {process.name} log (end) ---\n{process.text()[-4000:]}")
        raise
    finally:
        stack.stop()


@pytest.fixture
def say(capsys: pytest.CaptureFixture[str]) -> Callable[[str], None]:
    def say(line: str) -> None:
        with capsys.disabled():
            print(f"  drill: {line}")

    return say


def _burst(stack: Stack, label: str) -> list[int]:
    stack.manage("shell", "-c", f"from tests.faults.prepare import burst; burst({label!r})")
    return [pk for (pk,) in stack.sql("SELECT id FROM notifications_notification WHERE title = %s", f"Drill {label}")]


def _delivered_once(stack: Stack, ids: list[int], *, seconds: float) -> None:
    wait_for(lambda: all(stack.mailbox.received[pk] for pk in ids), seconds=seconds, what="every email delivered")
    time.sleep(12)  # two more sweeps: a second copy of any task would have sent by now


def _counts(stack: Stack, ids: list[int]) -> dict[str, int]:
    sent = [stack.mailbox.received[pk] for pk in ids]
    return {
        "notifications": len(ids),
        "delivered": sum(count >= 1 for count in sent),
        "duplicated": sum(count > 1 for count in sent),
        "lost": sum(count == 0 for count in sent),
    }


def _get(browser: requests.Session, base: str, path: str) -> tuple[int, float]:
    started = time.monotonic()
    try:
        status = browser.get(base + path, timeout=REQUEST_TIMEOUT_SECONDS, allow_redirects=False).status_code
    except requests.RequestException:
        status = 0  # no answer in time, or the connection dropped
    return status, time.monotonic() - started


def test_redis_stopped_for_a_minute_loses_no_email_and_stops_no_page(stack: Stack, say: Callable[[str], None]) -> None:
    say(f"injecting: Redis (the broker and the cache) stopped for {REDIS_OUTAGE_SECONDS} s during a burst")
    stack.redis.stop()
    stopped = time.monotonic()
    ids = _burst(stack, "redis-down")
    statuses: Counter[int] = Counter()
    with signed_in(stack, stack.made["sessions"][0]) as browser:
        while time.monotonic() - stopped < REDIS_OUTAGE_SECONDS:
            for path in PAGES:
                statuses[_get(browser, stack.base, path)[0]] += 1
    pending = stack.sql("SELECT count(*) FROM notifications_notification WHERE email_state = 'pending'")[0][0]
    stack.redis.start()
    say(f"while Redis was down: {sum(statuses.values())} page requests, by status {dict(statuses)}; "
        f"{len(ids)} notifications written, {pending} emails waiting")  # fmt: skip
    _delivered_once(stack, ids, seconds=120)
    counts = _counts(stack, ids)
    say(f"after Redis came back: {counts}")
    assert statuses
    assert set(statuses) == {200}, statuses
    assert counts["delivered"] == counts["notifications"] == 30
    assert counts["duplicated"] == counts["lost"] == 0


def test_a_worker_killed_mid_task_sends_the_email_once(stack: Stack, say: Callable[[str], None]) -> None:
    stack.mailbox.hold.set()
    stack.mailbox.holding.clear()
    ids = _burst(stack, "worker-killed")
    wait_for(stack.mailbox.holding.is_set, seconds=60, what="the worker sending an email")
    children = stack.worker.children()
    say(f"injecting: SIGKILL to the worker's pool process {children} while it sends an email")
    for child in children:
        os.kill(child, signal.SIGKILL)
    # A second copy of every task still to run, as a redelivery by the broker or the sweep makes:
    # the email must still go once.
    stack.manage("shell", "-c", "from notifications.tasks import sweep_notifications; sweep_notifications(0)")
    say("injecting: a second copy of every delivery still waiting")
    stack.mailbox.hold.clear()
    _delivered_once(stack, ids, seconds=120)
    counts = _counts(stack, ids)
    lost_worker = "WorkerLostError" in stack.worker.text() or "SIGKILL" in stack.worker.text()
    say(f"after: {counts}; the worker reported the lost task: {lost_worker}")
    assert lost_worker
    assert counts["delivered"] == counts["notifications"] == 30
    assert counts["duplicated"] == counts["lost"] == 0


def test_postgresql_restarted_under_load_is_a_503_then_recovers(stack: Stack, say: Callable[[str], None]) -> None:
    entries_before = stack.sql("SELECT count(*) FROM audit_auditentry")[0][0]
    results: list[tuple[float, int, float]] = []
    stop = threading.Event()
    paths = ["/account/", "/nominals/", f"/nominals/{stack.made['nominal']}/"]

    def load(session_key: str) -> None:
        with signed_in(stack, session_key) as browser:
            while not stop.is_set():
                for path in paths:
                    status, took = _get(browser, stack.base, path)
                    results.append((time.monotonic(), status, took))

    threads = [threading.Thread(target=load, args=(key,)) for key in stack.made["sessions"][:4]]
    for thread in threads:
        thread.start()
    time.sleep(3)
    say("injecting: PostgreSQL stopped (fast shutdown) under 4 users' load, started again 5 s later")
    down = time.monotonic()
    stack.postgres.stop("fast")
    time.sleep(5)
    stack.postgres.start()
    up = time.monotonic()
    time.sleep(10)
    stop.set()
    for thread in threads:
        thread.join()
    statuses = Counter(status for _, status, _ in results)
    during = Counter(status for at, status, _ in results if down <= at <= up + 1)
    after = [status for at, status, _ in results if at > up + 3]
    slowest = max(took for _, _, took in results)
    verified = stack.manage("verify_audit_log")
    entries_after = stack.sql("SELECT count(*) FROM audit_auditentry")[0][0]
    say(f"requests {len(results)} by status {dict(statuses)}; while it was down {dict(during)}; "
        f"slowest {slowest:.1f} s; {len(after)} requests from 3 s after it was back, all 200: {set(after) == {200}}")  # fmt: skip
    say(f"audit entries {entries_before} -> {entries_after}; {verified.strip()}")
    assert set(statuses) <= {200, 503}, statuses
    assert during[503] > 0  # the fault was felt, and answered as unavailable
    assert slowest < REQUEST_TIMEOUT_SECONDS
    assert after
    assert set(after) == {200}
    assert "intact" in verified


@dataclass(frozen=True)
class Record:
    """Something several people may edit at once: its edit page, the field each editor fills in, and
    how to read its version and that field's saved value back."""

    name: str
    path: str
    field: str
    saved: str  # SQL: (version, saved value) of the record, given its id
    identifier: tuple[str, str]  # SQL giving the record's id, and which of the drill's made records it takes
    logged: str  # SQL: how many entries in the audit log record saves of the record, given its id


CHANGES = (
    "SELECT count(*) FROM audit_auditentry WHERE event = 'change' AND object_pk = %s::text AND content_type_id = "
    "(SELECT id FROM django_content_type WHERE app_label = '{app}' AND model = '{model}')"
)
RECORDS = [
    Record(
        name="nominal",
        path="/nominals/{nominal}/edit/",
        field="middle_names",
        saved="SELECT version, middle_names FROM cases_nominal WHERE id = %s",
        identifier=("SELECT id FROM cases_nominal WHERE case_reference = %s", "nominal"),
        logged=CHANGES.format(app="cases", model="nominal"),
    ),
    Record(
        name="risk management plan",
        path="/meetings/{meeting}/plan/",
        field="supervision",
        saved="SELECT version, supervision FROM meetings_riskmanagementplan WHERE id = %s",
        identifier=("SELECT id FROM meetings_riskmanagementplan WHERE meeting_id = %s", "meeting"),
        logged=CHANGES.format(app="meetings", model="riskmanagementplan"),
    ),
    Record(
        name="action",
        path="/meetings/{meeting}/actions/{action}/",
        field="note",
        saved=(
            "SELECT version, (SELECT note FROM meetings_actionupdate WHERE action_id = meetings_action.id "
            "ORDER BY id DESC LIMIT 1) FROM meetings_action WHERE id = %s"
        ),
        identifier=("SELECT id FROM meetings_action WHERE id = %s", "action"),
        # An action's update is kept as a record of its own, logged as created.
        logged=(
            "SELECT count(*) FROM audit_auditentry WHERE event = 'create' AND object_pk IN "
            "(SELECT id::text FROM meetings_actionupdate WHERE action_id = %s) AND content_type_id = "
            "(SELECT id FROM django_content_type WHERE app_label = 'meetings' AND model = 'actionupdate')"
        ),
    ),
]


@pytest.mark.parametrize("record", RECORDS, ids=[record.name for record in RECORDS])
def test_twenty_people_saving_one_record_at_once(stack: Stack, say: Callable[[str], None], record: Record) -> None:
    path = record.path.format(**stack.made)
    query, made = record.identifier
    (record_id,) = stack.sql(query, stack.made[made])[0]
    version_before = stack.sql(record.saved, record_id)[0][0]
    entries_before = stack.sql(record.logged, record_id)[0][0]
    browsers, forms = [], []
    for key in stack.made["sessions"][:CONCURRENT_EDITORS]:
        browser = requests.Session()
        browser.headers["Cookie"] = f"sessionid={key}"  # as `signed_in` does
        page = browser.get(stack.base + path, timeout=REQUEST_TIMEOUT_SECONDS)
        assert page.status_code == 200
        csrf = page.cookies["csrftoken"]
        browser.headers["Cookie"] = f"sessionid={key}; csrftoken={csrf}"
        browsers.append(browser)
        forms.append({**form_fields(page.text), "csrfmiddlewaretoken": csrf})
    gate = threading.Barrier(CONCURRENT_EDITORS)

    def save(index: int) -> tuple[int, str]:
        data = {**forms[index], record.field: f"Editor{index:02d}"}
        gate.wait()
        response = browsers[index].post(stack.base + path, data=data, timeout=30, allow_redirects=False)
        return response.status_code, response.text

    say(f"injecting: {CONCURRENT_EDITORS} people saving the same {record.name} from the same version at once")
    with ThreadPoolExecutor(CONCURRENT_EDITORS) as pool:
        answers = list(pool.map(save, range(CONCURRENT_EDITORS)))
    statuses = Counter(status for status, _ in answers)
    winners = [index for index, (status, _) in enumerate(answers) if status == 302]
    kept = sum(f"Editor{index:02d}" in text for index, (status, text) in enumerate(answers) if status == 409)
    saved = stack.sql(record.saved, record_id)[0]
    entries_after = stack.sql(record.logged, record_id)[0][0]
    verified = stack.manage("verify_audit_log")
    say(f"answers by status {dict(statuses)}; version {version_before} -> {saved[0]}, saved {saved[1]!r}; "
        f"refused saves that kept their input {kept}; saves of the {record.name} in the audit log "
        f"+{entries_after - entries_before}; {verified.strip()}")  # fmt: skip
    assert statuses == Counter({302: 1, 409: CONCURRENT_EDITORS - 1})
    assert saved == (version_before + 1, f"Editor{winners[0]:02d}")
    assert kept == CONCURRENT_EDITORS - 1
    assert entries_after - entries_before == 1
    assert "intact" in verified


def test_a_read_only_database_refuses_clearly_and_writes_nothing(stack: Stack, say: Callable[[str], None]) -> None:
    reference = stack.made["nominal"]
    version_before = stack.sql("SELECT version FROM cases_nominal WHERE case_reference = %s", reference)[0][0]
    with signed_in(stack, stack.made["sessions"][0]) as browser:
        page = browser.get(f"{stack.base}/nominals/{reference}/edit/", timeout=REQUEST_TIMEOUT_SECONDS)
        entries_before = stack.sql("SELECT count(*) FROM audit_auditentry")[0][0]
        csrf = page.cookies["csrftoken"]
        form = {**form_fields(page.text), "csrfmiddlewaretoken": csrf, "middle_names": "Never Saved"}
        browser.headers["Cookie"] += f"; csrftoken={csrf}"
        say("injecting: the database made read-only (as when its disk is full or it fails over to a replica)")
        stack.sql("ALTER DATABASE mappa SET default_transaction_read_only = on")
        stack.sql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'mappa' AND pid <> pg_backend_pid()"
        )
        try:
            reading = [_get(browser, stack.base, f"/nominals/{reference}/")[0] for _ in range(5)]  # an audited read
            listing = [_get(browser, stack.base, "/account/")[0] for _ in range(5)]  # nothing to write
            saving = browser.post(
                f"{stack.base}/nominals/{reference}/edit/", data=form, timeout=30, allow_redirects=False
            )
        finally:
            stack.sql("ALTER DATABASE mappa SET default_transaction_read_only = off")
            stack.sql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'mappa' AND pid <> pg_backend_pid()"
            )
    version_after = stack.sql("SELECT version FROM cases_nominal WHERE case_reference = %s", reference)[0][0]
    entries_after = stack.sql("SELECT count(*) FROM audit_auditentry")[0][0]
    verified = stack.manage("verify_audit_log")
    say(f"a nominal's page (its view is audited): {Counter(reading)}; the account page: {Counter(listing)}; "
        f"saving the nominal: {saving.status_code}; version {version_before} -> {version_after}; "
        f"audit entries {entries_before} -> {entries_after}; {verified.strip()}")  # fmt: skip
    assert set(reading) == {503}  # a read that cannot be recorded is not shown
    assert set(listing) == {200}
    assert saving.status_code == 503
    assert "unavailable for a moment" in saving.text
    assert version_after == version_before
    assert entries_after == entries_before
    assert "intact" in verified


def _upload(browser: requests.Session, stack: Stack, title: str, content: bytes, name: str) -> requests.Response:
    path = f"{stack.base}/documents/nominals/{stack.made['nominal']}/new/"
    page = browser.get(path, timeout=REQUEST_TIMEOUT_SECONDS)
    csrf = page.cookies.get("csrftoken") or browser.cookies.get("csrftoken", "")
    today = time.localtime()
    form = {
        **form_fields(page.text),
        "csrfmiddlewaretoken": csrf,
        "title": title,
        "kind": "other",
        "dated_0": str(today.tm_mday),
        "dated_1": str(today.tm_mon),
        "dated_2": str(today.tm_year),
        "marking": "official_sensitive",
        "audience": "everyone",
    }
    form.pop("file", None)
    headers = {"Cookie": f"{browser.headers['Cookie'].split(';')[0]}; csrftoken={csrf}"}
    return requests.post(path, data=form, files={"file": (name, content)}, headers=headers, timeout=30,
                         allow_redirects=False)  # fmt: skip


def _noise_png(size: int) -> bytes:
    """A real PNG that does not compress: random pixels, about `size` bytes."""
    side = int((size / 3) ** 0.5)
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, format="PNG")
    return out.getvalue()


def test_a_full_or_read_only_document_store_refuses_uploads_clearly_and_keeps_no_part(
    stack: Stack, say: Callable[[str], None]
) -> None:
    missing = SmallDisk.missing()
    if missing:
        pytest.skip(f"The document store drill cannot run here: {missing}")
    uploaded = "SELECT count(*) FROM audit_auditentry WHERE event = 'document_uploaded'"
    rows_before, entries_before = stack.sql("SELECT count(*) FROM documents_document")[0][0], stack.sql(uploaded)[0][0]
    statuses: dict[str, int] = {}
    disk = stack.documents
    disk.mount()
    try:
        with signed_in(stack, stack.made["sessions"][0]) as browser:
            small = _noise_png(20_000)
            statuses["upload with room"] = _upload(browser, stack, "Before", small, "before.png").status_code
            (before,) = stack.sql("SELECT id FROM documents_document WHERE title = 'Before'")[0]
            large = _noise_png(400_000)
            disk.fill(leaving=100_000)
            say(f"injecting: the document store's disk full ({disk.free() // 1000} kB left) for a "
                f"{len(large) // 1000} kB upload")  # fmt: skip
            full = _upload(browser, stack, "Too big", large, "large.png")
            statuses["upload to a full disk"] = full.status_code
            download = browser.get(f"{stack.base}/documents/{before}/", timeout=REQUEST_TIMEOUT_SECONDS)
            statuses["download from a full disk"] = download.status_code
            say("injecting: the document store's disk made read-only")
            disk.read_only(True)
            read_only = _upload(browser, stack, "Read only", small, "small.png")
            statuses["upload to a read-only disk"] = read_only.status_code
            statuses["download from a read-only disk"] = browser.get(
                f"{stack.base}/documents/{before}/", timeout=REQUEST_TIMEOUT_SECONDS
            ).status_code
            disk.read_only(False)
            disk.filler.unlink()
            statuses["upload once there is room again"] = _upload(
                browser, stack, "After", small, "after.png"
            ).status_code
        names = {name for (name,) in stack.sql("SELECT file FROM documents_document")}
        on_disk = disk.stored()
    finally:
        disk.unmount()
    rows_after, entries_after = stack.sql("SELECT count(*) FROM documents_document")[0][0], stack.sql(uploaded)[0][0]
    titles = {title for (title,) in stack.sql("SELECT title FROM documents_document")}
    verified = stack.manage("verify_audit_log")
    say(f"answers: {statuses}")
    say(f"documents +{rows_after - rows_before}, uploads in the audit log +{entries_after - entries_before}; "
        f"files on the disk {len(on_disk)}, of which kept by no document {len(on_disk - names)}; {verified.strip()}")  # fmt: skip
    assert statuses == {
        "upload with room": 302,
        "upload to a full disk": 503,
        "download from a full disk": 200,
        "upload to a read-only disk": 503,
        "download from a read-only disk": 200,
        "upload once there is room again": 302,
    }
    for refused in (full, read_only):
        assert "document store is not accepting files" in refused.text
    assert download.content == small
    assert rows_after - rows_before == entries_after - entries_before == 2
    assert {"Before", "After"} <= titles
    assert not {"Too big", "Read only"} & titles
    assert on_disk <= names
    assert len(on_disk) == 2
    assert "intact" in verified
