"""The authorization table (mappa/authorization.toml), tried: every role, in every relation, against
every view, must get what the table says; and no view may be missing from the table."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import transaction
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import reverse

from agencies.models import Role
from devtools.signed_in_client import signed_in_client
from mappa import authorization
from mappa.authorization import NO_RELATION, ViewRule, rule_for, rules, undeclared_url_names, walk_urls
from tests.mappa.authorization_world import World, build_world

pytestmark = pytest.mark.django_db

ADMIN_PAGES = sorted(name for name, _route in walk_urls() if name.startswith("admin:") and name.endswith("_changelist"))
# The partner API's operations answer tokens, never sessions: tests/partners tries them.
DECLARED = sorted(
    name for name, rule in rules().items() if not rule.public and not rule.scopes and not name.endswith(":*")
)


@pytest.fixture(scope="module")
def _world_documents(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("authorization") / "documents")


@pytest.fixture(autouse=True)
def _documents_in_a_folder_of_the_test(settings: Any, _world_documents: str) -> None:
    # The world's documents are stored once, for every test of the module.
    settings.MEDIA_ROOT = _world_documents


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any, _world_documents: str) -> Iterator[World]:
    """One world for the module, built once inside a transaction that is rolled back at the end;
    each try is rolled back too (`tried`), so every test sees it as built."""
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=_world_documents, PASSWORD_HASHERS=fast),
        transaction.atomic(),
    ):
        yield build_world()
        transaction.set_rollback(True)


def outcome(response: HttpResponse) -> str:
    """ "allow" or "deny", or what else the view did (which is always wrong)."""
    if response.status_code in (403, 404):
        return "deny"
    location = response.get("Location", "")
    if response.status_code == 302 and location.startswith("/admin/login/"):
        return "deny"  # the admin refuses by sending people to its sign-in, which refuses them
    if response.status_code == 302 and location.split("?")[0] == "/sign-in/":
        return f"sent to sign in ({location})"
    if response.status_code in (200, 302, 400):
        return "allow"
    return f"answered {response.status_code}"


def tried(client: Client, rule: ViewRule, kwargs: dict[str, object]) -> str:
    """The outcome of one request, whose effects are then undone so the next try sees the same world."""
    url = reverse(rule.name, kwargs={**(rule.args or {}), **kwargs})
    with transaction.atomic():
        response = client.post(url) if rule.method == "POST" else client.get(url)
        transaction.set_rollback(True)
    return outcome(response)


def mismatches(world: World, rule: ViewRule) -> Iterator[str]:
    for role, person in world.people.items():
        client = signed_in_client(person)
        for relation in rule.relations:
            kwargs = {} if relation == NO_RELATION else world.kwargs(rule.subject, relation, person)
            if kwargs is None:
                continue  # no such object exists in this relation (a report run shared with an agency)
            expected = "allow" if rule.allows(role, relation) else "deny"
            actual = tried(client, rule, kwargs)
            if actual != expected:
                yield f"{role} / {relation}: expected {expected}, got {actual}"


@pytest.mark.parametrize("name", DECLARED)
def test_view_answers_each_role_as_declared(world: World, name: str) -> None:
    assert list(mismatches(world, rules()[name])) == []


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_admin_pages_answer_each_role_as_declared(world: World, name: str) -> None:
    rule = ViewRule(name=name, allow=rule_for(name).allow)  # type: ignore[union-attr]

    assert list(mismatches(world, rule)) == []


def test_relations_declared_for_a_subject_exist_in_the_world(world: World) -> None:
    """A relation the world cannot make would be declared but never tried."""
    person = world.people[Role.COORDINATOR]
    for name, rule in rules().items():
        for relations in (rule.allow or {}).values():
            for relation in relations - {NO_RELATION}:
                assert world.kwargs(rule.subject, relation, person) is not None, f"{name}: {relation}"


# The table covers the service ------------------------------------------------------------------


def test_every_url_of_the_service_is_declared() -> None:
    assert undeclared_url_names() == set(), "declare these views in mappa/authorization.toml"


def test_the_system_check_passes() -> None:
    call_command("check", fail_level="ERROR")


NEW_VIEW = "tests.mappa.urls_with_a_new_view"


@pytest.mark.urls(NEW_VIEW)
def test_a_new_unlisted_view_fails_the_checks_and_is_refused(world: World) -> None:
    assert undeclared_url_names() == {"new-report"}
    with pytest.raises(SystemCheckError, match=r"mappa\.E001"):
        call_command("check", fail_level="ERROR")

    response = signed_in_client(world.people[Role.COORDINATOR]).get("/new-report/")

    assert response.status_code == 404
    assert b"case data" not in response.content


@pytest.mark.urls(NEW_VIEW)
def test_a_new_view_answers_once_declared(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    declared = {**rules(), "new-report": ViewRule(name="new-report", allow={"coordinator": frozenset({NO_RELATION})})}
    monkeypatch.setattr(authorization, "rules", lambda: declared)

    response = signed_in_client(world.people[Role.COORDINATOR]).get("/new-report/")

    assert undeclared_url_names() == set()
    assert response.status_code == 200


def test_a_declared_name_that_is_no_view_fails_the_check(monkeypatch: pytest.MonkeyPatch) -> None:
    declared = {**rules(), "gone": ViewRule(name="gone", allow={"coordinator": frozenset({NO_RELATION})})}
    monkeypatch.setattr(authorization, "rules", lambda: declared)

    with pytest.raises(SystemCheckError, match=r"mappa\.E002"):
        call_command("check", fail_level="ERROR")


def test_the_table_refuses_unknown_roles_and_relations() -> None:
    from django.core.exceptions import ImproperlyConfigured

    roles = authorization.roles()
    with pytest.raises(ImproperlyConfigured, match="unknown role"):
        authorization._rule("x", {"allow": ["superhero"]}, roles)
    with pytest.raises(ImproperlyConfigured, match="unknown relation"):
        authorization._rule("x", {"subject": "nominal", "allow": {"coordinator": ["next_door"]}}, roles)
    with pytest.raises(ImproperlyConfigured, match="allows nobody"):
        authorization._rule("x", {"allow": []}, roles)


def test_the_table_speaks_of_the_roles_people_hold() -> None:
    assert set(authorization.roles()) == set(Role.values)


def test_a_generated_test_fails_when_a_view_lets_in_someone_the_table_refuses(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tries are not vacuous: widen a policy and they report who got in."""
    import meetings.views

    monkeypatch.setattr(meetings.views, "may_use_agency_workspace", lambda user: True)

    found = list(mismatches(world, rules()["meetings:work"]))

    assert found == [
        "auditor / none: expected deny, got allow",
        "system_administrator / none: expected deny, got allow",
        "smb_member / none: expected deny, got allow",
        "lay_adviser / none: expected deny, got allow",
    ]
