"""Signing in through an agency's own identity provider, end to end against a real provider."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from agencies.models import Role, User
from federation.models import IdentityProvider, LinkedIdentity
from federation.services import identity_approve, leavers_check
from federation.tasks import LEAVERS_CHECK_SECONDS
from mappa.audit.models import AuditEntry, AuditEvent
from tests.conftest import People
from tests.factories import make_user
from tests.oidc_fixtures import Provider, through_provider

pytestmark = pytest.mark.django_db

ALICE = "alice.ashford@kent.police.uk"


def approved_alice(people: People, client: Client, oidc_provider: Provider, **claims: object) -> LinkedIdentity:
    through_provider(client, oidc_provider, ALICE, "alice-sub", **claims)
    identity = LinkedIdentity.objects.get(subject="alice-sub")
    identity_approve(actor=people.administrator, identity=identity, roles=[Role.RA_PRACTITIONER])
    return identity


def test_a_first_sign_in_links_a_pending_account_with_no_rights(
    people: People, agency_provider: IdentityProvider, oidc_provider: Provider
) -> None:
    response = through_provider(Client(), oidc_provider, ALICE, "alice-sub", agency="Sussex Police")

    assert response.status_code == 403
    assert "waiting for approval" in response.content.decode()
    identity = LinkedIdentity.objects.get(subject="alice-sub")
    user = identity.user
    assert (user.agency, user.is_active, set(user.roles), identity.approved) == (people.police, False, set(), False)
    assert AuditEntry.objects.filter(event=AuditEvent.IDENTITY_LINKED, object_pk=str(user.pk)).exists()


def test_once_approved_the_providers_second_factor_counts(
    people: People, agency_provider: IdentityProvider, oidc_provider: Provider
) -> None:
    client = Client()
    approved_alice(people, client, oidc_provider, amr=["pwd", "mfa"])

    response = through_provider(client, oidc_provider, ALICE, "alice-sub", amr=["pwd", "mfa"])

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/nominals/").status_code == 200
    entry = AuditEntry.objects.filter(event=AuditEvent.SIGN_IN).latest("pk")
    assert entry.additional_data["provider_second_factor"] is True
    assert LinkedIdentity.objects.get(subject="alice-sub").last_sign_in_at is not None


def test_without_the_mfa_claim_the_local_second_factor_is_asked(
    people: People, agency_provider: IdentityProvider, oidc_provider: Provider
) -> None:
    client = Client()
    approved_alice(people, client, oidc_provider)

    response = through_provider(client, oidc_provider, ALICE, "alice-sub", amr=["pwd"])

    assert response["Location"].startswith("/sign-in/code/")
    # Signed in with one factor: nothing answers but the second factor's pages, and a person with no
    # authenticator yet is asked to set one up.
    assert client.get("/nominals/")["Location"].startswith("/sign-in/set-up/")


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"aud": "another-client"}, "aud"),
        ({"exp": 1_000_000_000}, "expired"),
        ({"nonce": "not-the-sessions"}, "nonce"),
        ({"iss": "http://127.0.0.1:9/elsewhere"}, "iss"),
    ],
    ids=["wrong audience", "expired", "bad nonce", "unknown issuer"],
)
def test_a_token_that_is_not_for_us_is_refused_with_a_page_and_an_audit_entry(
    people: People, agency_provider: IdentityProvider, oidc_provider: Provider, claims: dict[str, object], reason: str
) -> None:
    client = Client()
    approved_alice(people, client, oidc_provider)

    response = through_provider(client, oidc_provider, ALICE, "alice-sub", **claims)

    assert response.status_code == 400
    assert "You could not be signed in" in response.content.decode()
    assert "_auth_user_id" not in client.session
    refused = AuditEntry.objects.filter(event=AuditEvent.SIGN_IN_FAILED).latest("pk")
    assert reason in refused.additional_data["refused"].lower()


def test_an_address_of_no_configured_agency_is_told_to_use_a_password(people: People) -> None:
    response = Client().post("/sign-in/agency/", {"email": "someone@example.org"})
    assert response.status_code == 400
    assert "No agency signs in to this service with addresses like this one" in response.content.decode()


def test_the_agency_comes_from_the_configuration_never_from_a_claim(
    people: People, agency_provider: IdentityProvider, oidc_provider: Provider
) -> None:
    through_provider(Client(), oidc_provider, ALICE, "alice-sub", agency_id=people.unit.pk, agency="Co-ordination Unit")
    assert LinkedIdentity.objects.get(subject="alice-sub").user.agency == people.police


def test_an_address_outside_the_agencys_domains_is_refused(
    people: People, agency_provider: IdentityProvider, oidc_provider: Provider
) -> None:
    client = Client()
    oidc_provider.set_claims("mallory", email="mallory@example.org")
    started = client.post("/sign-in/agency/", {"email": ALICE})
    back = oidc_provider.authorize(started["Location"], "mallory")
    response = client.get(back.split("testserver", 1)[1])
    assert response.status_code == 400
    assert not LinkedIdentity.objects.exists()


def test_an_existing_account_of_the_agency_is_linked_and_keeps_its_roles_once_approved(
    people: People, agency_provider: IdentityProvider, oidc_provider: Provider
) -> None:
    practitioner = people.practitioner
    practitioner.email = ALICE
    practitioner.save()
    through_provider(Client(), oidc_provider, ALICE, "alice-sub")
    identity = LinkedIdentity.objects.get(subject="alice-sub")
    assert identity.user == practitioner

    identity_approve(actor=people.administrator, identity=identity, roles=[Role.COORDINATOR])

    practitioner.refresh_from_db()
    assert practitioner.roles == frozenset({Role.RA_PRACTITIONER})


def test_only_an_administrator_of_the_area_approves(
    people: People, agency_provider: IdentityProvider, oidc_provider: Provider
) -> None:
    through_provider(Client(), oidc_provider, ALICE, "alice-sub")
    identity = LinkedIdentity.objects.get(subject="alice-sub")
    sussex_admin = make_user(
        "sussex-admin", agency=people.other_area_coordinator.agency, roles=(Role.SYSTEM_ADMINISTRATOR,)
    )
    with pytest.raises(Exception, match="administrator of the agency's area"):
        identity_approve(actor=sussex_admin, identity=identity, roles=[Role.RA_PRACTITIONER])
    with pytest.raises(Exception, match="administrator of the agency's area"):
        identity_approve(actor=people.coordinator, identity=identity, roles=[Role.RA_PRACTITIONER])


def test_a_person_disabled_at_the_provider_loses_their_sessions_within_the_checks_interval(
    people: People, agency_provider: IdentityProvider, oidc_provider: Provider
) -> None:
    client = Client()
    approved_alice(people, client, oidc_provider, amr=["mfa"])
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        through_provider(client, oidc_provider, ALICE, "alice-sub", amr=["mfa"])
        assert client.get("/nominals/").status_code == 200

    oidc_provider.revoke("alice-sub")
    with time_machine.travel(start + datetime.timedelta(seconds=LEAVERS_CHECK_SECONDS), tick=False):
        counts = leavers_check()

    assert counts == {"checked": 1, "ended": 1, "unreachable": 0, "unreadable": 0, "halted": 0}
    assert client.get("/nominals/")["Location"].startswith("/sign-in/")
    user = LinkedIdentity.objects.get(subject="alice-sub").user
    assert not user.is_active
    ended = AuditEntry.objects.get(event=AuditEvent.SIGNED_OUT_BY_PROVIDER)
    assert ended.additional_data["deactivated"] is True


def test_a_person_the_provider_still_knows_keeps_their_session(
    people: People, agency_provider: IdentityProvider, oidc_provider: Provider
) -> None:
    client = Client()
    approved_alice(people, client, oidc_provider, amr=["mfa"])
    through_provider(client, oidc_provider, ALICE, "alice-sub", amr=["mfa"])

    assert leavers_check() == {"checked": 1, "ended": 0, "unreachable": 0, "unreadable": 0, "halted": 0}
    assert client.get("/nominals/").status_code == 200


def test_the_leavers_check_is_scheduled_at_its_interval() -> None:
    from django.conf import settings

    schedule = settings.CELERY_BEAT_SCHEDULE["check-leavers-with-identity-providers"]
    assert (schedule["task"], schedule["schedule"]) == ("federation.tasks.check_leavers", float(LEAVERS_CHECK_SECONDS))


def test_a_deactivated_person_is_refused_even_though_the_provider_vouches_for_them(
    people: People, agency_provider: IdentityProvider, oidc_provider: Provider
) -> None:
    client = Client()
    identity = approved_alice(people, client, oidc_provider, amr=["mfa"])
    User.objects.filter(pk=identity.user_id).update(is_active=False)

    response = through_provider(client, oidc_provider, ALICE, "alice-sub", amr=["mfa"])

    assert response.status_code == 403
    assert "_auth_user_id" not in client.session
    refused = AuditEntry.objects.filter(event=AuditEvent.SIGN_IN_FAILED).latest("pk")
    assert refused.additional_data["refused"] == "the account here is deactivated"


def test_a_new_account_is_not_approved_without_a_role(
    people: People, agency_provider: IdentityProvider, oidc_provider: Provider
) -> None:
    through_provider(Client(), oidc_provider, ALICE, "alice-sub")
    with pytest.raises(Exception, match="at least one role"):
        identity_approve(actor=people.administrator, identity=LinkedIdentity.objects.get(subject="alice-sub"), roles=[])
    assert not LinkedIdentity.objects.get(subject="alice-sub").user.is_active
