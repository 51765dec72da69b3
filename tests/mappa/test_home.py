"""The home page and navigation follow the user's roles."""

from __future__ import annotations

import html

import pytest

from agencies.models import Role
from tests.conftest import People, client_for
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "summary"),
    [
        ("coordinator", "You manage your area's MAPPA work"),
        ("chair", "You chair Level 2 and 3 meetings"),
        ("practitioner", "You manage the cases your agency leads"),
        ("housing_officer", "You see the cases and meetings your agency has been brought into"),
        ("auditor", "You review who has seen and changed what"),
        ("administrator", "You manage users, agencies and reference data"),
    ],
)
def test_each_role_sees_its_own_home_page(people: People, persona: str, summary: str) -> None:
    user = getattr(people, persona)

    content = html.unescape(client_for(user).get("/").content.decode())

    assert summary in content
    assert user.agency.name in content
    assert "OFFICIAL-SENSITIVE" in content


def test_only_system_administrators_are_offered_administration(people: People) -> None:
    admin_home = client_for(people.administrator).get("/").content.decode()
    coordinator_home = client_for(people.coordinator).get("/").content.decode()

    assert 'href="/admin/"' in admin_home
    assert 'href="/admin/"' not in coordinator_home


def test_user_with_two_roles_sees_both(people: People) -> None:
    both = make_user("both", agency=people.unit, roles=(Role.COORDINATOR, Role.CHAIR))

    content = html.unescape(client_for(both).get("/").content.decode())

    assert "You manage your area's MAPPA work" in content
    assert "You chair Level 2 and 3 meetings" in content


def test_user_without_a_role_is_told_to_ask_for_one(people: People) -> None:
    nobody = make_user("no-role", agency=people.unit)

    content = client_for(nobody).get("/").content.decode()

    assert "You have no role in this service yet" in content
    assert 'href="/agencies/"' not in content


def test_account_page_shows_roles_and_clearance(people: People) -> None:
    content = client_for(people.coordinator).get("/account/").content.decode()

    assert "Co-ordinator" in content
    assert "Cleared for Kent and Medway" in content
    assert "Not cleared" in client_for(people.housing_officer).get("/account/").content.decode()


def test_every_page_carries_the_security_marking_top_and_bottom(people: People) -> None:
    for path in ["/", "/account/", "/agencies/", f"/agencies/{people.police.pk}/", "/no-such-page/"]:
        content = client_for(people.coordinator).get(path).content.decode()
        assert 'id="security-marking-top">OFFICIAL-SENSITIVE' in content, path
        assert 'id="security-marking-bottom">OFFICIAL-SENSITIVE' in content, path


def test_unknown_page_is_a_404_in_the_service_layout(people: People) -> None:
    response = client_for(people.coordinator).get("/no-such-page/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_home_page_runs_a_fixed_number_of_queries(people: People, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    client = client_for(people.coordinator)
    client.get("/")
    # The session; the user with their agency, area and roles; their second-factor
    # device; the unread count. The session is not written back: nothing in it changed.
    with django_assert_max_num_queries(4):
        client.get("/")
