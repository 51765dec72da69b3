"""The audit log cannot be changed in place, and any change made behind the database's back is found."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from auditing.tasks import verify_audit_chain
from mappa.audit.models import AuditEntry, AuditEvent
from mappa.audit.services import audit_record
from notifications.models import Kind, Notification
from tests.conftest import People

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only trigger is PostgreSQL's")


def _entries(people: People, count: int = 5) -> list[AuditEntry]:
    return [
        audit_record(event=AuditEvent.VIEW, actor=people.coordinator, subject=people.police, ground=f"Check {number}")
        for number in range(count)
    ]


@postgres_only
@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_auditentry SET ground = 'forged' WHERE id = %s", "DELETE FROM audit_auditentry WHERE id = %s"],
)
def test_the_database_refuses_to_update_or_delete_an_entry(people: People, statement: str) -> None:
    entry = _entries(people, 1)[0]

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, [entry.pk])

    assert AuditEntry.objects.get(pk=entry.pk).ground == "Check 0"


def test_the_model_refuses_to_change_or_delete_an_entry(people: People) -> None:
    entry = _entries(people, 1)[0]

    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()


def test_an_untouched_log_verifies(people: People, capsys: pytest.CaptureFixture[str]) -> None:
    _entries(people)

    call_command("verify_audit_log")

    assert "the chain is intact" in capsys.readouterr().out


def _behind_the_triggers_back(sql: str, params: list[object]) -> None:
    """Change the table as a database superuser could, with triggers switched off for the session."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = origin")


def test_an_altered_entry_is_named_and_the_check_fails(people: People) -> None:
    entries = _entries(people)
    forged = entries[2]
    _behind_the_triggers_back("UPDATE audit_auditentry SET ground = %s WHERE id = %s", ["Forged ground", forged.pk])

    with pytest.raises(CommandError) as excinfo:
        call_command("verify_audit_log")

    assert f"entry {forged.pk}" in str(excinfo.value)
    assert "its content does not match its hash" in str(excinfo.value)


def test_a_removed_entry_is_found_at_the_next_one(people: People) -> None:
    entries = _entries(people)
    _behind_the_triggers_back("DELETE FROM audit_auditentry WHERE id = %s", [entries[1].pk])

    with pytest.raises(CommandError) as excinfo:
        call_command("verify_audit_log")

    assert f"entry {entries[2].pk}" in str(excinfo.value)
    assert "does not follow the entry before it" in str(excinfo.value)


def test_the_nightly_check_tells_the_auditors_when_it_fails(people: People) -> None:
    entries = _entries(people)
    assert verify_audit_chain() == f"{AuditEntry.objects.count()} entries intact"
    _behind_the_triggers_back("UPDATE audit_auditentry SET object_repr = %s WHERE id = %s", ["x", entries[0].pk])

    verify_audit_chain()

    told = Notification.objects.filter(kind=Kind.AUDIT_CHAIN_BROKEN).values_list("recipient__username", flat=True)
    assert list(told) == ["auditor"]


def test_entries_written_together_are_chained_in_order(people: People, cases) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import client_for

    client_for(people.coordinator).get("/nominals/export.csv")  # one disclosure entry per nominal, in bulk

    call_command("verify_audit_log")
    assert AuditEntry.objects.filter(event=AuditEvent.DISCLOSURE).count() == 4


@postgres_only
def test_the_planner_knows_a_nominal_all_but_decides_the_area() -> None:
    """Without these statistics PostgreSQL expects a nominal's entries in an area to number one or
    two, and reads every entry of a long history to sort it instead of walking the index to a page."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT stxkind, ARRAY(SELECT attname FROM pg_attribute WHERE attrelid = stxrelid "
            "AND attnum = ANY(stxkeys) ORDER BY attname) FROM pg_statistic_ext "
            "WHERE stxname = 'audit_area_nominal_stats' AND stxrelid = 'audit_auditentry'::regclass"
        )
        assert cursor.fetchall() == [(["f"], ["area_id", "nominal_id"])]
