"""The processes a fault drill starts, breaks and restarts: its own PostgreSQL cluster and Redis on
spare ports (never the machine's own), gunicorn, a Celery worker and beat, and an SMTP server that
counts what it is sent. Everything runs on loopback and is removed at the end."""

from __future__ import annotations

import asyncio
import contextlib
import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import redis
import requests
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
BIN = Path(PYTHON).parent
NOTIFICATION_LINK = re.compile(rb"/notifications/(\d+)/")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def wait_for(check: Any, *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if check():
                return
        time.sleep(0.2)
    raise TimeoutError(f"{what} did not happen within {seconds} s")


class Postgres:
    """A PostgreSQL cluster of the drill's own, which it may stop and start at will."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin = bin_dir
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="mappa-drill-pg-"))
        self.data = self.root / "data"
        self.as_owner: list[str] = []
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            shutil.chown(self.root, "postgres", "postgres")
            self.as_owner = ["runuser", "-u", "postgres", "--"]
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/mappa"

    def _run(self, *command: str) -> None:
        subprocess.run([*self.as_owner, *command], check=True, capture_output=True, cwd=self.root)

    def create(self) -> None:
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                  "--locale=C", "--no-sync")  # fmt: skip
        self.start()
        self._run(str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "mappa")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60"
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "log"), "-w", "-t", "60",
                  "-o", options, "start")  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-w", "-t", "60", "-m", mode, "stop")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


class Redis:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        wait_for(lambda: redis.Redis(port=self.port).ping(), seconds=20, what="Redis answering")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)
            self.process = None


class SmallDisk:
    """A small file system of the drill's own (tmpfs) mounted over the document store's directory, to
    fill up and to make read-only. Mounting needs root: `missing()` says why it cannot be done."""

    SIZE = 1024 * 1024

    def __init__(self, path: Path) -> None:
        self.path = path
        self.filler = path / "filler"
        self.mounted = False

    @staticmethod
    def missing() -> str | None:
        if os.geteuid() != 0 or shutil.which("mount") is None:
            return "mounting a small file system for the document store needs root and mount(8)"
        return None

    def _mount(self, *arguments: str) -> None:
        subprocess.run(["mount", *arguments], check=True, capture_output=True)

    def mount(self) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        self._mount("-t", "tmpfs", "-o", f"size={self.SIZE},mode=0755", "mappa-drill-documents", str(self.path))
        self.mounted = True

    def fill(self, *, leaving: int) -> None:
        """Fill the disk with a file of its own until only `leaving` bytes are free."""
        stats = os.statvfs(self.path)
        with self.filler.open("wb") as filler:
            filler.write(b"\0" * (stats.f_bavail * stats.f_frsize - leaving))

    def free(self) -> int:
        stats = os.statvfs(self.path)
        return stats.f_bavail * stats.f_frsize

    def read_only(self, on: bool) -> None:
        self._mount("-o", f"remount,{'ro' if on else 'rw'}", str(self.path))

    def stored(self) -> set[str]:
        """The document files on the disk, by their names in the store."""
        return {str(file.relative_to(self.path)) for file in self.path.rglob("*") if file.is_file()} - {"filler"}

    def unmount(self) -> None:
        if self.mounted:
            subprocess.run(["umount", "--lazy", str(self.path)], check=False, capture_output=True)
            self.mounted = False


class Mailbox:
    """An SMTP server on loopback counting the notification emails it is sent; while `hold` is set it
    keeps each sender waiting at RCPT TO, before any message is sent, and marks `holding`."""

    def __init__(self) -> None:
        self.received: Counter[int] = Counter()
        self.hold = threading.Event()
        self.holding = threading.Event()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        while self.hold.is_set():
            self.holding.set()
            await asyncio.sleep(0.1)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.content if isinstance(envelope.content, bytes) else str(envelope.content).encode()
        for match in NOTIFICATION_LINK.finditer(content):
            self.received[int(match.group(1))] += 1
        return "250 Message accepted for delivery"


class Process:
    """A service of the drill's (gunicorn, the worker, beat), logging to a file."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], log_dir: Path) -> None:
        self.name, self.command, self.env = name, command, env
        self.log = log_dir / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(self.command, env=self.env, cwd=ROOT, stdout=log, stderr=log)

    def children(self) -> list[int]:
        """The process ids of the service's own processes (a worker's pool, gunicorn's workers)."""
        assert self.process is not None
        found = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True, check=False)
        return [int(pid) for pid in found.stdout.split()]

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


class Stack:
    def __init__(self) -> None:
        pg_bin = postgres_bin()
        assert pg_bin is not None
        self.postgres = Postgres(pg_bin)
        self.redis = Redis()
        self.mailbox = Mailbox()
        self.logs = Path(tempfile.mkdtemp(prefix="mappa-drill-logs-"))
        self.web_port = free_port()
        self.base = f"http://127.0.0.1:{self.web_port}"
        self.made: dict[str, Any] = {}  # what tests.faults.prepare made: sessions, a nominal
        self.documents = SmallDisk(self.logs / "documents")
        self.env = {
            **os.environ,
            "DATABASE_URL": self.postgres.url,
            "REDIS_URL": self.redis.url,
            "DEBUG": "false",
            "DEVTOOLS": "false",
            "SECRET_KEY": "fault-drill-only-" + os.urandom(16).hex(),
            "SECURE_SSL_REDIRECT": "false",
            "STATIC_MANIFEST": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.mailbox.port),
            "EMAIL_USE_TLS": "false",
            "EMAIL_FILE_PATH": "",
            "NOTIFICATION_SWEEP_SECONDS": "5",
            "NOTIFICATION_SWEEP_AFTER_SECONDS": "5",
            "DATABASE_CONNECT_TIMEOUT_SECONDS": "3",
            "LOG_LEVEL": "WARNING",
            "DOCUMENTS_DIR": str(self.logs / "documents"),
        }
        self.env.pop("EMAIL_FILE_PATH")
        self.env.pop("DOCUMENTS_S3_BUCKET", None)  # the drill's documents are on its own small disk
        self.web = Process(
            "gunicorn",
            [str(BIN / "gunicorn"), "mappa.wsgi:application", "--bind", f"127.0.0.1:{self.web_port}",
             "--workers", "3", "--timeout", "30", "--access-logfile", "-"],
            self.env, self.logs,
        )  # fmt: skip
        self.worker = Process(
            "worker",
            [str(BIN / "celery"), "--app", "mappa", "worker", "--pool", "prefork", "--concurrency", "1",
             "--without-gossip", "--without-mingle", "--loglevel", "INFO"],
            self.env, self.logs,
        )  # fmt: skip
        self.beat = Process(
            "beat",
            [str(BIN / "celery"), "--app", "mappa", "beat", "--loglevel", "INFO", "--schedule",
             str(self.logs / "beat-schedule")],
            self.env, self.logs,
        )  # fmt: skip

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [PYTHON, "manage.py", *args], env=self.env, cwd=ROOT, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def start(self) -> None:
        self.postgres.create()
        self.redis.start()
        self.mailbox.controller.start()
        self.manage("migrate", "--noinput", "-v0")
        self.web.start()
        wait_for(lambda: requests.get(f"{self.base}/healthz", timeout=2).ok, seconds=60, what="gunicorn answering")
        self.worker.start()
        self.beat.start()
        wait_for(lambda: "ready" in self.worker.text(), seconds=60, what="the worker ready")

    def stop(self) -> None:
        for process in (self.beat, self.worker, self.web):
            process.stop()
        self.mailbox.controller.stop()
        self.redis.stop()
        self.documents.unmount()
        self.postgres.remove()
        shutil.rmtree(self.logs, ignore_errors=True)

    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        import psycopg

        # The drill's own connection, as an administrator's: writable even while the service's are not.
        options = "-c default_transaction_read_only=off"
        with psycopg.connect(self.postgres.url, autocommit=True, connect_timeout=5, options=options) as connection:
            cursor = connection.execute(query, params)
            return cursor.fetchall() if cursor.description else []


class FormReader(HTMLParser):
    """The fields of the first form on a page that posts back to the page itself (no `action`), as
    a browser would send them."""

    def __init__(self) -> None:
        super().__init__()
        self.found, self.inside, self.fields = False, False, {}  # type: ignore[var-annotated]
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "form" and not attributes.get("action") and not self.found:
            self.inside = self.found = True
        if not self.inside:
            return
        name = attributes.get("name")
        if tag == "input" and name and attributes.get("type") not in ("submit", "button"):
            if attributes.get("type") in ("radio", "checkbox"):
                if "checked" in attributes:
                    self.fields[name] = attributes.get("value") or "on"
            else:
                self.fields[name] = attributes.get("value") or ""
        elif tag == "select" and name:
            self._select = name
            self.fields.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attributes:
            self.fields[self._select] = attributes.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self.inside = False


def form_fields(html: str) -> dict[str, str]:
    reader = FormReader()
    reader.feed(html)
    return dict(reader.fields)


@contextlib.contextmanager
def signed_in(stack: Stack, session_key: str) -> Iterator[requests.Session]:
    """A browser with the session's cookie. The service marks its cookies Secure (it runs as in
    production), which a client keeps from plain HTTP; the drill's loopback is plain HTTP, so the
    cookie is sent as a header of every request instead."""
    with requests.Session() as browser:
        browser.headers["Cookie"] = f"sessionid={session_key}"
        yield browser
