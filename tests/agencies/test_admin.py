"""System administrators manage people and agencies in the admin; nobody else gets in, and nothing is deleted."""

from __future__ import annotations

import pytest

from agencies.models import Agency, AgencyKind, Role, User
from agencies.selectors import user_is_category4_cleared
from agencies.services import user_deactivate
from mappa.audit.models import AuditEntry, AuditEvent
from tests.conftest import People, client_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("persona", ["coordinator", "chair", "practitioner", "housing_officer", "auditor"])
def test_only_system_administrators_reach_the_admin(people: People, persona: str) -> None:
    response = client_for(getattr(people, persona)).get("/admin/", follow=True)

    assert response.status_code == 403


def test_system_administrator_reaches_the_admin(people: People) -> None:
    assert client_for(people.administrator).get("/admin/agencies/user/").status_code == 200


def test_audit_log_is_not_in_the_admin(people: People) -> None:
    content = client_for(people.administrator).get("/admin/").content.decode()

    assert "audit" not in content.lower()


def test_administrator_adds_a_user_with_roles_and_clearance(people: People) -> None:
    client = client_for(people.administrator)

    response = client.post(
        "/admin/agencies/user/add/",
        {
            "username": "new-officer",
            "first_name": "Pat",
            "last_name": "Ellery",
            "email": "pat@example.org",
            "job_title": "Offender Manager",
            "password": "a-long-and-unusual-passphrase",
            "agency": people.police.pk,
            "roles": [Role.RA_PRACTITIONER, Role.CHAIR],
            "category4_cleared": "on",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="new-officer")
    assert user.roles == {Role.RA_PRACTITIONER, Role.CHAIR}
    assert user_is_category4_cleared(user)
    assert list(user.groups.all()) == [people.police.group]
    assert user.check_password("a-long-and-unusual-passphrase")
    grant = AuditEntry.objects.get(event=AuditEvent.PERMISSION_GRANTED, object_pk=str(user.pk))
    assert grant.actor == people.administrator
    assert grant.object_pk == str(user.pk)
    created = AuditEntry.objects.get(event=AuditEvent.CREATE, object_pk=str(user.pk), content_type__model="user")
    assert created.actor == people.administrator
    assert created.changes["password"][1] != user.password  # masked, never the hash


def test_removing_clearance_is_logged_as_a_revocation(people: People) -> None:
    client = client_for(people.administrator)
    coordinator = people.coordinator

    client.post(
        f"/admin/agencies/user/{coordinator.pk}/change/",
        {
            "username": coordinator.username,
            "first_name": coordinator.first_name,
            "last_name": coordinator.last_name,
            "email": coordinator.email,
            "job_title": "",
            "agency": coordinator.agency_id,
            "roles": [Role.COORDINATOR],
            "is_active": "on",
        },
    )

    assert not user_is_category4_cleared(User.objects.get(pk=coordinator.pk))
    revoked = AuditEntry.objects.get(event=AuditEvent.PERMISSION_REVOKED)
    assert revoked.actor == people.administrator


def test_weak_password_is_refused_with_a_message(people: People) -> None:
    response = client_for(people.administrator).post(
        "/admin/agencies/user/add/",
        {"username": "weak", "password": "password", "agency": people.police.pk, "roles": [Role.DTC_STAFF]},
    )

    assert response.status_code == 200
    assert "This password is too short" in response.content.decode()
    assert not User.objects.filter(username="weak").exists()


def test_user_without_an_agency_is_refused(people: People) -> None:
    response = client_for(people.administrator).post(
        "/admin/agencies/user/add/", {"username": "floating", "password": "a-long-and-unusual-passphrase"}
    )

    assert response.status_code == 200
    assert not User.objects.filter(username="floating").exists()


def test_users_cannot_be_deleted(people: People) -> None:
    client = client_for(people.administrator)

    response = client.post(f"/admin/agencies/user/{people.housing_officer.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    assert User.objects.filter(pk=people.housing_officer.pk).exists()
    with pytest.raises(PermissionError):
        people.housing_officer.delete()


def test_deactivation_keeps_the_user_and_their_audit_entries(people: People) -> None:
    client_for(people.housing_officer)  # signs in, so there is history
    client = client_for(people.administrator)

    response = client.post(
        "/admin/agencies/user/",
        {"action": "deactivate", "_selected_action": [people.housing_officer.pk]},
    )

    assert response.status_code == 302
    housing = User.objects.get(pk=people.housing_officer.pk)
    assert not housing.is_active
    change = AuditEntry.objects.filter(event=AuditEvent.CHANGE, object_pk=str(housing.pk)).latest("timestamp")
    assert change.changes["is_active"] == [True, False]
    assert change.actor == people.administrator


def test_deactivated_user_cannot_use_the_service(people: People) -> None:
    client = client_for(people.housing_officer)
    user_deactivate(actor=people.administrator, user=people.housing_officer)

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


def test_administrator_adds_an_agency_with_its_own_group(people: People) -> None:
    response = client_for(people.administrator).post(
        "/admin/agencies/agency/add/",
        {"name": "Swale Council Housing", "kind": AgencyKind.HOUSING, "area": people.area.pk, "is_active": "on"},
    )

    assert response.status_code == 302
    agency = Agency.objects.get(name="Swale Council Housing")
    assert agency.group.name == "agency:KENT:Swale Council Housing"
    assert AuditEntry.objects.filter(event=AuditEvent.CREATE, object_pk=str(agency.pk)).exists()


def test_duplicate_agency_name_in_an_area_is_refused(people: People) -> None:
    response = client_for(people.administrator).post(
        "/admin/agencies/agency/add/",
        {"name": "Kent Police", "kind": AgencyKind.POLICE, "area": people.area.pk, "is_active": "on"},
    )

    assert response.status_code == 200
    assert Agency.objects.filter(name="Kent Police").count() == 1
