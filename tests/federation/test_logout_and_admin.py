"""The provider's back-channel logout, and the administrators' side: approving people, dormant accounts."""

from __future__ import annotations

import datetime
import time
import uuid
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from agencies.models import Role, User
from federation.models import IdentityProvider, LinkedIdentity
from federation.services import identity_approve
from mappa.audit.models import AuditEntry, AuditEvent
from tests.conftest import People, client_for
from tests.oidc_fixtures import Provider, through_provider

pytestmark = pytest.mark.django_db

ALICE = "alice.ashford@kent.police.uk"
BACK_CHANNEL = "http://schemas.openid.net/event/backchannel-logout"


@pytest.fixture
def signing_key(monkeypatch: pytest.MonkeyPatch) -> RSAKey:
    """The provider's key, as the service fetches it from the provider's JWKS."""
    key = RSAKey.generate_key(2048, parameters={"kid": "provider-1"})
    monkeypatch.setattr("federation.client.provider_keys", lambda provider: KeySet([key]))
    return key


def logout_token(key: RSAKey, provider: IdentityProvider, **changes: Any) -> str:
    claims = {
        "iss": provider.issuer,
        "aud": provider.client_id,
        "iat": int(time.time()),
        "jti": str(uuid.uuid4()),
        "sub": "alice-sub",
        "events": {BACK_CHANNEL: {}},
        **changes,
    }
    return jwt.encode({"alg": "RS256", "kid": key.kid}, {k: v for k, v in claims.items() if v is not None}, key)


@pytest.fixture
def signed_in_alice(people: People, agency_provider: IdentityProvider, oidc_provider: Provider) -> Client:
    client = Client()
    through_provider(client, oidc_provider, ALICE, "alice-sub", amr=["mfa"])
    identity = LinkedIdentity.objects.get(subject="alice-sub")
    identity_approve(actor=people.administrator, identity=identity, roles=[Role.RA_PRACTITIONER])
    through_provider(client, oidc_provider, ALICE, "alice-sub", amr=["mfa"])
    assert client.get("/nominals/").status_code == 200
    return client


def test_a_back_channel_logout_ends_the_persons_sessions(
    agency_provider: IdentityProvider, signing_key: RSAKey, signed_in_alice: Client
) -> None:
    response = Client().post(
        f"/sign-in/agency/{agency_provider.pk}/back-channel-logout/",
        {"logout_token": logout_token(signing_key, agency_provider)},
    )

    assert response.status_code == 200
    assert signed_in_alice.get("/nominals/")["Location"].startswith("/sign-in/")
    entry = AuditEntry.objects.get(event=AuditEvent.SIGNED_OUT_BY_PROVIDER)
    assert entry.additional_data["deactivated"] is False
    assert LinkedIdentity.objects.get(subject="alice-sub").user.is_active


@pytest.mark.parametrize(
    "changes",
    [{"aud": "another-client"}, {"iss": "http://elsewhere"}, {"events": None}, {"nonce": "n"}, {"iat": 1_000_000_000}],
    ids=["wrong audience", "wrong issuer", "no logout event", "a nonce", "stale"],
)
def test_a_logout_token_that_is_not_right_is_refused_and_changes_nothing(
    agency_provider: IdentityProvider, signing_key: RSAKey, signed_in_alice: Client, changes: dict[str, Any]
) -> None:
    token = logout_token(signing_key, agency_provider, **changes)
    response = Client().post(f"/sign-in/agency/{agency_provider.pk}/back-channel-logout/", {"logout_token": token})

    assert response.status_code == 400
    assert signed_in_alice.get("/nominals/").status_code == 200
    assert AuditEntry.objects.filter(
        event=AuditEvent.SIGN_IN_FAILED, additional_data__refused__startswith="back-channel"
    ).exists()


def test_a_logout_token_signed_by_another_key_is_refused(
    agency_provider: IdentityProvider, signing_key: RSAKey, signed_in_alice: Client
) -> None:
    impostor = RSAKey.generate_key(2048, parameters={"kid": "provider-1"})
    response = Client().post(
        f"/sign-in/agency/{agency_provider.pk}/back-channel-logout/",
        {"logout_token": logout_token(impostor, agency_provider)},
    )
    assert response.status_code == 400
    assert signed_in_alice.get("/nominals/").status_code == 200


def test_an_administrator_approves_a_waiting_person_with_a_role_in_the_admin(
    people: People, agency_provider: IdentityProvider, oidc_provider: Provider
) -> None:
    through_provider(Client(), oidc_provider, ALICE, "alice-sub")
    identity = LinkedIdentity.objects.get(subject="alice-sub")
    admin = client_for(people.administrator)
    chosen = {"action": "approve", "_selected_action": [identity.pk]}

    asked = admin.post("/admin/federation/linkedidentity/", chosen)
    assert "Approve these people?" in asked.content.decode()
    assert not LinkedIdentity.objects.get(pk=identity.pk).approved

    admin.post("/admin/federation/linkedidentity/", {**chosen, "confirmed": "yes", "roles": [Role.DTC_STAFF]})

    identity.refresh_from_db()
    assert identity.approved
    assert identity.approved_by == people.administrator
    user = User.objects.get(pk=identity.user_id)
    assert user.is_active
    assert user.roles == frozenset({Role.DTC_STAFF})
    assert AuditEntry.objects.filter(event=AuditEvent.IDENTITY_APPROVED, actor=people.administrator).exists()


def test_the_users_list_shows_dormant_accounts(people: People) -> None:
    User.objects.filter(pk=people.chair.pk).update(last_login=timezone.now() - datetime.timedelta(days=120))
    User.objects.filter(pk=people.auditor.pk).update(last_login=timezone.now() - datetime.timedelta(days=10))

    page = client_for(people.administrator).get("/admin/agencies/user/?dormant=yes").content.decode()

    assert f"/admin/agencies/user/{people.chair.pk}/change/" in page
    assert f"/admin/agencies/user/{people.auditor.pk}/change/" not in page


def test_a_logout_token_is_acted_on_once(
    agency_provider: IdentityProvider, signing_key: RSAKey, signed_in_alice: Client
) -> None:
    token = logout_token(signing_key, agency_provider)
    path = f"/sign-in/agency/{agency_provider.pk}/back-channel-logout/"

    assert Client().post(path, {"logout_token": token}).status_code == 200
    assert Client().post(path, {"logout_token": token}).status_code == 400
