"""A real OpenID Connect provider on loopback (oidc-provider-mock, a Flask app served by werkzeug in
a thread), an agency configured to sign in through it, and the journey there and back."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import oidc_provider_mock  # type: ignore[import-untyped]
import pytest
import requests
from django.test import Client
from werkzeug.serving import make_server

from federation.models import IdentityProvider
from tests.conftest import People

SECRET_VARIABLE = "OIDC_SECRET_TESTS"


@dataclass
class Provider:
    issuer: str

    def set_claims(self, sub: str, **claims: Any) -> None:
        answer = requests.put(f"{self.issuer}/users/{quote(sub, safe='')}", json=claims, timeout=5)
        answer.raise_for_status()

    def revoke(self, sub: str) -> None:
        requests.post(f"{self.issuer}/users/{quote(sub, safe='')}/revoke-tokens", timeout=5).raise_for_status()

    def authorize(self, location: str, sub: str) -> str:
        """What a person does at the provider's page: says who they are; the provider sends them back."""
        answer = requests.post(location, data={"sub": sub}, allow_redirects=False, timeout=5)
        assert answer.status_code == 302, answer.text[:500]
        return str(answer.headers["Location"])


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[Provider]:
    server = make_server("127.0.0.1", 0, oidc_provider_mock.app(require_nonce=True), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield Provider(issuer=f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def agency_provider(people: People, oidc_provider: Provider, monkeypatch: pytest.MonkeyPatch) -> IdentityProvider:
    monkeypatch.setenv(SECRET_VARIABLE, "kent-police-client-secret")
    return IdentityProvider.objects.create(
        agency=people.police,
        issuer=oidc_provider.issuer,
        client_id="mappa-kent-police",
        client_secret_variable=SECRET_VARIABLE,
        email_domains="kent.police.uk",
    )


def through_provider(client: Client, provider: Provider, email: str, sub: str, **claims: Any) -> Any:
    """Start at the service with a work address, sign in at the provider as `sub` (with `claims`),
    and come back: the service's answer to the callback."""
    provider.set_claims(sub, **{"email": email, "email_verified": True, **claims})
    started = client.post("/sign-in/agency/", {"email": email})
    assert started.status_code == 302, started.content.decode()[:1000]
    back = urlsplit(provider.authorize(started["Location"], sub))
    return client.get(f"{back.path}?{back.query}")
