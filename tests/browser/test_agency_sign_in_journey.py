"""A police officer signs in with their force's own account: through the force's identity provider
(a real OpenID Connect provider on loopback), with its second factor, or with the service's own
code when the provider did not ask for one; a newcomer waits for approval."""

from __future__ import annotations

from typing import Any

import pytest

from agencies.models import Agency, Role, User
from devtools.demo.agencies import seed_agencies_and_users
from federation.models import IdentityProvider, LinkedIdentity
from federation.services import identity_approve
from mappa.audit.models import AuditEntry, AuditEvent
from tests.browser.conftest import assert_accessible, next_code
from tests.oidc_fixtures import SECRET_VARIABLE, Provider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OFFICER = "pat.officer@kent.police.uk"


@pytest.fixture
def force(oidc_provider: Provider, monkeypatch: pytest.MonkeyPatch) -> IdentityProvider:
    seed_agencies_and_users()
    monkeypatch.setenv(SECRET_VARIABLE, "kent-police-client-secret")
    police = User.objects.get(username="police")
    police.email = OFFICER
    police.save()
    return IdentityProvider.objects.create(
        agency=Agency.objects.get(name="Kent Police"),
        issuer=oidc_provider.issuer,
        client_id="mappa-kent-police",
        client_secret_variable=SECRET_VARIABLE,
        email_domains="kent.police.uk",
        addresses_verified=True,
    )


def through_the_force(page: Any, oidc_provider: Provider, sub: str, **claims: Any) -> None:
    oidc_provider.set_claims(sub, email=OFFICER, **claims)
    page.goto("/sign-in/")
    page.get_by_role("link", name="sign in with your work account").click()
    assert_accessible(page)
    page.get_by_label("Your work e-mail address").fill(OFFICER)
    page.get_by_role("button", name="Continue").click()
    page.get_by_placeholder("sub").fill(sub)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_load_state()


def test_an_officer_signs_in_through_the_forces_provider(
    page: Any, force: IdentityProvider, oidc_provider: Provider
) -> None:
    through_the_force(page, oidc_provider, "pat-sub", amr=["pwd", "mfa"])
    assert page.get_by_role("heading", name="Your account is waiting for approval").is_visible()
    assert_accessible(page)

    identity = LinkedIdentity.objects.get(subject="pat-sub")
    identity_approve(actor=User.objects.get(username="admin"), identity=identity, roles=[Role.RA_PRACTITIONER])

    through_the_force(page, oidc_provider, "pat-sub", amr=["pwd", "mfa"])
    assert page.url.endswith("/")
    assert page.get_by_role("link", name="Sign out").or_(page.get_by_role("button", name="Sign out")).first.is_visible()
    assert_accessible(page)
    assert AuditEntry.objects.filter(event=AuditEvent.SIGN_IN, actor__username="police").exists()


def test_without_the_providers_second_factor_the_officer_gives_the_services_code(
    page: Any, force: IdentityProvider, oidc_provider: Provider
) -> None:
    through_the_force(page, oidc_provider, "pat-sub", amr=["pwd"])
    identity_approve(
        actor=User.objects.get(username="admin"), identity=LinkedIdentity.objects.get(subject="pat-sub"), roles=[]
    )

    through_the_force(page, oidc_provider, "pat-sub", amr=["pwd"])
    assert "/sign-in/code/" in page.url
    assert_accessible(page)
    page.get_by_label("Code").fill(next_code("police"))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    assert "/sign-in/" not in page.url


@pytest.mark.parametrize(
    ("claims", "why"),
    [
        ({"aud": "another-service"}, "'aud'"),
        ({"exp": 1_000_000_000}, "expired"),
        ({"nonce": "another-sessions"}, "'nonce'"),
        ({"iss": "http://127.0.0.1:9/another-provider"}, "'iss'"),
    ],
    ids=["wrong audience", "expired", "bad nonce", "unknown issuer"],
)
def test_a_token_not_for_this_sign_in_is_refused_with_a_clear_page(
    page: Any, force: IdentityProvider, oidc_provider: Provider, claims: dict[str, Any], why: str
) -> None:
    through_the_force(page, oidc_provider, "pat-sub", **claims)
    assert page.get_by_role("heading", name="You could not be signed in").is_visible()
    assert_accessible(page)
    page.goto("/nominals/")
    assert "/sign-in/" in page.url
    refused = AuditEntry.objects.filter(event=AuditEvent.SIGN_IN_FAILED).latest("pk")
    assert why in refused.additional_data["refused"]
