"""Sign-in through an agency's provider at its edges: addresses nobody checked, a provider in
trouble, a misconfigured client, and administrators who may not change what they do not own."""

from __future__ import annotations

import pytest
from django.test import Client

from agencies.models import Role, User
from federation.models import IdentityProvider, LinkedIdentity
from federation.services import (
    MOST_LEAVERS_PER_RUN,
    identity_approve,
    identity_provider_save,
    leavers_check,
)
from tests.conftest import People, client_for
from tests.factories import make_user
from tests.oidc_fixtures import SECRET_VARIABLE, Provider, through_provider

pytestmark = pytest.mark.django_db

ALICE = "alice.ashford@kent.police.uk"


def test_an_unverified_address_never_links_an_existing_account(
    people: People, agency_provider: IdentityProvider, oidc_provider: Provider
) -> None:
    people.practitioner.email = ALICE
    people.practitioner.save()

    through_provider(Client(), oidc_provider, ALICE.upper(), "alice-sub", email_verified=False)

    identity = LinkedIdentity.objects.get(subject="alice-sub")
    assert identity.user != people.practitioner
    assert not identity.existing_account


def test_a_directory_the_agency_manages_vouches_for_its_addresses(
    people: People, agency_provider: IdentityProvider, oidc_provider: Provider
) -> None:
    agency_provider.addresses_verified = True
    agency_provider.save()
    people.practitioner.email = ALICE
    people.practitioner.save()

    through_provider(Client(), oidc_provider, ALICE, "alice-sub", email_verified=None)

    assert LinkedIdentity.objects.get(subject="alice-sub").user == people.practitioner


def test_linking_an_existing_account_ends_its_password_and_never_reactivates_it(
    people: People, agency_provider: IdentityProvider, oidc_provider: Provider
) -> None:
    practitioner = people.practitioner
    practitioner.email = ALICE
    practitioner.save()
    through_provider(Client(), oidc_provider, ALICE, "alice-sub")
    identity = LinkedIdentity.objects.get(subject="alice-sub")

    User.objects.filter(pk=practitioner.pk).update(is_active=False)
    identity.refresh_from_db()
    with pytest.raises(Exception, match="reactivate it under Users first"):
        identity_approve(actor=people.administrator, identity=identity, roles=[])

    User.objects.filter(pk=practitioner.pk).update(is_active=True)
    identity.refresh_from_db()
    identity_approve(actor=people.administrator, identity=identity, roles=[])
    practitioner.refresh_from_db()
    assert not practitioner.has_usable_password()


def test_an_administrators_account_is_never_linked_to_an_agency_sign_in(
    people: People, agency_provider: IdentityProvider, oidc_provider: Provider
) -> None:
    officer = make_user("officer-admin", agency=people.police, roles=(Role.SYSTEM_ADMINISTRATOR,))
    officer.email = ALICE
    officer.save()
    through_provider(Client(), oidc_provider, ALICE, "alice-sub")

    with pytest.raises(Exception, match="System administrators sign in with their password"):
        identity_approve(actor=people.administrator, identity=LinkedIdentity.objects.get(subject="alice-sub"), roles=[])


@pytest.mark.parametrize(
    ("email", "sub"),
    [("", "alice-sub"), ("alice@example.org", "alice-sub"), (ALICE, "x" * 300)],
    ids=["no address", "an address not the agency's", "an identifier too long"],
)
def test_a_token_without_a_usable_person_is_refused_and_links_nobody(
    agency_provider: IdentityProvider, oidc_provider: Provider, email: str, sub: str
) -> None:
    client = Client()
    oidc_provider.set_claims(sub, email=email, email_verified=True)
    started = client.post("/sign-in/agency/", {"email": ALICE})
    back = oidc_provider.authorize(started["Location"], sub)

    response = client.get(back.split("testserver", 1)[1])

    assert response.status_code == 400
    assert not LinkedIdentity.objects.exists()


def test_a_provider_that_does_not_answer_is_a_clear_page_not_an_error(people: People, monkeypatch) -> None:
    monkeypatch.setenv(SECRET_VARIABLE, "secret")
    IdentityProvider.objects.create(
        agency=people.police,
        issuer="http://127.0.0.1:9",
        client_id="mappa",
        client_secret_variable=SECRET_VARIABLE,
        email_domains="kent.police.uk",
    )
    response = Client().post("/sign-in/agency/", {"email": ALICE})
    assert response.status_code == 503
    assert "sign-in is not answering" in response.content.decode()


def approved(people: People, client: Client, oidc_provider: Provider, sub: str, email: str) -> LinkedIdentity:
    through_provider(client, oidc_provider, email, sub, amr=["mfa"])
    identity = LinkedIdentity.objects.get(subject=sub)
    identity_approve(actor=people.administrator, identity=identity, roles=[Role.DTC_STAFF])
    through_provider(client, oidc_provider, email, sub, amr=["mfa"])
    return identity


def test_a_refused_client_secret_is_trouble_with_the_provider_and_ends_no_one(
    people: People, agency_provider: IdentityProvider, oidc_provider: Provider, monkeypatch
) -> None:
    client = Client()
    approved(people, client, oidc_provider, "alice-sub", ALICE)
    monkeypatch.delenv(SECRET_VARIABLE)

    counts = leavers_check()

    assert (counts["ended"], counts["unreachable"]) == (0, 1)
    assert client.get("/nominals/").status_code == 200


@pytest.mark.parametrize(
    "answer",
    [
        (401, {"error": "invalid_client"}),
        (500, {"error": "server_error"}),
        (200, ["not", "an", "object"]),
    ],
    ids=["invalid client", "server error", "garbled"],
)
def test_only_an_invalid_grant_counts_as_a_leaver(
    people: People, agency_provider: IdentityProvider, oidc_provider: Provider, monkeypatch, answer
) -> None:
    client = Client()
    approved(people, client, oidc_provider, "alice-sub", ALICE)
    status, body = answer

    class Answer:
        status_code = status

        @staticmethod
        def json() -> object:
            return body

    monkeypatch.setattr("federation.client.requests.post", lambda *args, **kwargs: Answer())
    counts = leavers_check()

    assert (counts["ended"], counts["unreachable"]) == (0, 1)
    assert client.get("/nominals/").status_code == 200


def test_a_provider_refusing_too_many_at_once_is_stopped_not_believed(
    people: People, agency_provider: IdentityProvider, oidc_provider: Provider
) -> None:
    clients = []
    for number in range(MOST_LEAVERS_PER_RUN + 2):
        client = Client()
        approved(people, client, oidc_provider, f"sub-{number}", f"person{number}@kent.police.uk")
        oidc_provider.revoke(f"sub-{number}")
        clients.append(client)

    counts = leavers_check()

    assert (counts["ended"], counts["halted"]) == (MOST_LEAVERS_PER_RUN, 1)
    assert User.objects.filter(linked_identity__isnull=False, is_active=True).count() == 2


def test_the_provider_of_linked_people_cannot_be_repointed(
    people: People, agency_provider: IdentityProvider, oidc_provider: Provider
) -> None:
    through_provider(Client(), oidc_provider, ALICE, "alice-sub")
    agency_provider.issuer = "http://127.0.0.1:1/someone-elses"

    with pytest.raises(Exception, match="its agency, issuer and client cannot change"):
        identity_provider_save(actor=people.administrator, provider=agency_provider)


def test_an_administrator_connects_only_agencies_of_their_area_and_no_domain_twice(
    people: People, agency_provider: IdentityProvider
) -> None:
    sussex_admin = make_user(
        "sussex-admin", agency=people.other_area_coordinator.agency, roles=(Role.SYSTEM_ADMINISTRATOR,)
    )
    with pytest.raises(Exception, match="your own area"):
        identity_provider_save(
            actor=sussex_admin,
            provider=IdentityProvider(
                agency=people.housing,
                issuer="http://127.0.0.1:2",
                client_id="c",
                client_secret_variable="OIDC_SECRET_X",
                email_domains="maidstone.gov.uk",
            ),
        )
    with pytest.raises(Exception, match="already Kent Police's"):
        identity_provider_save(
            actor=people.administrator,
            provider=IdentityProvider(
                agency=people.housing,
                issuer="http://127.0.0.1:2",
                client_id="c",
                client_secret_variable="OIDC_SECRET_X",
                email_domains="maidstone.gov.uk, kent.police.uk",
            ),
        )
    assert (
        client_for(sussex_admin).get("/admin/federation/identityprovider/").content.decode().count("kent.police.uk")
        == 0
    )


def test_the_approval_page_says_when_the_account_already_exists(
    people: People, agency_provider: IdentityProvider, oidc_provider: Provider
) -> None:
    people.practitioner.email = ALICE
    people.practitioner.save()
    through_provider(Client(), oidc_provider, ALICE, "alice-sub")
    identity = LinkedIdentity.objects.get(subject="alice-sub")

    page = client_for(people.administrator).post(
        "/admin/federation/linkedidentity/", {"action": "approve", "_selected_action": [identity.pk]}
    )

    assert "already has an account here" in page.content.decode()
    assert "RA practitioner" in page.content.decode()


def test_an_administrator_connects_an_agency_in_the_admin(people: People) -> None:
    response = client_for(people.administrator).post(
        "/admin/federation/identityprovider/add/",
        {
            "agency": people.housing.pk,
            "issuer": "https://login.example.org/maidstone/v2.0",
            "client_id": "mappa-maidstone",
            "client_secret_variable": "OIDC_SECRET_MAIDSTONE",
            "subject_claim": "oid",
            "email_domains": "maidstone.gov.uk",
            "mfa_amr_values": "mfa",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    provider = IdentityProvider.objects.get(agency=people.housing)
    assert (provider.subject_claim, provider.domains) == ("oid", {"maidstone.gov.uk"})
    clash = client_for(people.administrator).post(
        "/admin/federation/identityprovider/add/",
        {
            "agency": people.police.pk,
            "issuer": "https://login.example.org/kent/v2.0",
            "client_id": "mappa-kent",
            "client_secret_variable": "OIDC_SECRET_KENT",
            "subject_claim": "sub",
            "email_domains": "maidstone.gov.uk",
            "mfa_amr_values": "mfa",
        },
    )
    assert clash.status_code == 200
    assert "is already Maidstone Housing&#x27;s" in clash.content.decode()


def test_refresh_tokens_stay_readable_while_the_secret_key_is_rotated(settings) -> None:
    from federation.secrets import seal, unseal

    sealed = seal("a-refresh-token")
    old = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-secret-key-for-the-rotation-0123456789abcdefghijklmnop"
    assert unseal(sealed) == ""
    settings.SECRET_KEY_FALLBACKS = [old]
    assert unseal(sealed) == "a-refresh-token"
