"""Every request has an id, in its response, its log lines and the audit entries it writes."""

from __future__ import annotations

import logging

import pytest
from django.db import connection
from django.test import Client

from mappa.audit.models import AuditEntry, AuditEvent
from mappa.audit.verify import Break, verify_chain
from mappa.request_id import RequestIdFilter
from tests.audit.test_chain import _behind_the_triggers_back
from tests.conftest import People, client_for
from tests.nominal_fixtures import Cases

pytestmark = pytest.mark.django_db


def test_each_response_carries_a_new_request_id() -> None:
    first, second = Client().get("/healthz"), Client().get("/healthz")

    assert len(first["X-Request-ID"]) == 32
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_a_proxys_request_id_is_kept_if_well_formed() -> None:
    kept = Client().get("/healthz", headers={"X-Request-ID": "nginx-4f3a9c1e"})
    replaced = Client().get("/healthz", headers={"X-Request-ID": "bad id\r\nSet-Cookie: x"})

    assert kept["X-Request-ID"] == "nginx-4f3a9c1e"
    assert replaced["X-Request-ID"] != "bad id\r\nSet-Cookie: x"
    assert len(replaced["X-Request-ID"]) == 32


def test_audit_entries_carry_the_request_id_and_the_chain_still_verifies(people: People, cases: Cases) -> None:
    client = client_for(people.coordinator)

    response = client.get(f"/nominals/{cases.own.case_reference}/")

    view = AuditEntry.objects.filter(event=AuditEvent.VIEW, actor=people.coordinator).latest("pk")
    assert view.cid == response["X-Request-ID"]
    assert AuditEntry.objects.filter(cid__isnull=True).exists()  # entries written outside a request
    assert verify_chain()[1] is None


def test_a_changed_request_id_breaks_the_chain(people: People, cases: Cases) -> None:
    client_for(people.coordinator).get(f"/nominals/{cases.own.case_reference}/")
    view = AuditEntry.objects.filter(event=AuditEvent.VIEW).latest("pk")

    _behind_the_triggers_back("UPDATE audit_auditentry SET cid = %s WHERE id = %s", ["someone-else", view.pk])

    assert verify_chain()[1] == Break(view.pk, view.timestamp, "its content does not match its hash")


def test_log_records_carry_the_request_id_during_a_request(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []

    class Remember(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.request_id)  # type: ignore[attr-defined]

    def unavailable() -> None:
        raise ConnectionError("database down")

    handler = Remember()
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("mappa.views")
    logger.addHandler(handler)
    try:
        with monkeypatch.context() as patched:
            patched.setattr(connection, "cursor", unavailable)
            Client().get("/readyz", headers={"X-Request-ID": "probe-12345678"})  # logs why it is not ready
        logger.warning("outside a request")
    finally:
        logger.removeHandler(handler)

    assert seen == ["probe-12345678", ""]
