"""Talking to an agency's provider with Authlib: the authorization code flow with PKCE, state and
nonce, the ID token checked for its issuer, audience, expiry, nonce and signature; the refresh that
tells whether the provider still knows a person; and the back-channel logout token."""

from __future__ import annotations

import time
from typing import Any

import requests
from authlib.integrations.django_client import DjangoIntegration, DjangoOAuth2App
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from federation.models import IdentityProvider

SCOPE = "openid email profile offline_access"
# Clock difference allowed between the provider and the service when checking a token's times.
LEEWAY_SECONDS = 30
TIMEOUT_SECONDS = 10
BACK_CHANNEL_LOGOUT = "http://schemas.openid.net/event/backchannel-logout"
LOGOUT_TOKEN_MAX_AGE_SECONDS = 10 * 60


class TokenRefused(Exception):
    """The provider's answer or token is not one to trust; the message says why, for the audit log."""


def _app(provider: IdentityProvider) -> DjangoOAuth2App:
    # A new client each time: an administrator's change to the provider applies at the next sign-in.
    name = f"agency-provider-{provider.pk}"
    return DjangoOAuth2App(
        DjangoIntegration(name),
        name,
        client_id=provider.client_id,
        client_secret=provider.client_secret(),
        server_metadata_url=provider.issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={"scope": SCOPE, "code_challenge_method": "S256", "timeout": TIMEOUT_SECONDS},
    )


def authorize_redirect(
    request: HttpRequest, provider: IdentityProvider, redirect_uri: str, login_hint: str
) -> HttpResponse:
    """Send the person to their provider; the state, nonce and PKCE verifier wait in their session."""
    response: HttpResponse = _app(provider).authorize_redirect(request, redirect_uri, login_hint=login_hint)
    return response


def claims_of_callback(request: HttpRequest, provider: IdentityProvider) -> tuple[dict[str, Any], str]:
    """The ID token's claims and the refresh token, once the code is exchanged and the ID token is
    checked: signed by the provider's keys, issued by the configured issuer, for this client, not
    expired, and carrying the nonce of this person's session."""
    app = _app(provider)
    options = {
        "iss": {"essential": True, "value": provider.issuer},
        "aud": {"essential": True, "value": provider.client_id},
        "exp": {"essential": True},
        "sub": {"essential": True},
    }
    try:
        token = app.authorize_access_token(request, claims_options=options, leeway=LEEWAY_SECONDS)
    except (JoseError, requests.RequestException) as error:
        raise TokenRefused(_reason(error)) from error
    except Exception as error:  # Authlib's OAuthError, MismatchingStateError and the like
        raise TokenRefused(_reason(error)) from error
    claims = token.get("userinfo")
    if not claims:
        raise TokenRefused("no ID token")
    return dict(claims), str(token.get("refresh_token") or "")


def _reason(error: Exception) -> str:
    description = getattr(error, "description", "") or str(error)
    return f"{type(error).__name__}: {description}"[:300]


class ProviderTrouble(Exception):
    """The provider did not answer as a provider should: unreachable, misconfigured (our secret
    refused, say) or garbled. Never taken to mean anything about a person."""


def still_known(provider: IdentityProvider, refresh_token: str) -> tuple[bool, str]:
    """Ask the provider for a new token with the person's refresh token: (False, "") only when it
    says the grant is no longer good (`invalid_grant`: the person disabled, deleted or signed out
    everywhere); (True, the refresh token to keep) when it gives a token. Anything else raises
    ProviderTrouble."""
    secret = provider.client_secret()
    if not secret:
        raise ProviderTrouble(f"the environment variable {provider.client_secret_variable} is not set")
    try:
        endpoint = _app(provider).load_server_metadata()["token_endpoint"]
        answer = requests.post(
            endpoint,
            data={"grant_type": "refresh_token", "refresh_token": refresh_token},
            auth=(provider.client_id, secret),
            timeout=TIMEOUT_SECONDS,
        )
        body = answer.json()
    except (requests.RequestException, ValueError, KeyError, TypeError) as error:
        raise ProviderTrouble(_reason(error)) from error
    if not isinstance(body, dict):
        raise ProviderTrouble("the token endpoint's answer is not a JSON object")
    if answer.status_code == 200 and body.get("access_token"):
        return True, str(body.get("refresh_token") or refresh_token)
    if answer.status_code in (400, 401) and body.get("error") == "invalid_grant":
        return False, ""
    raise ProviderTrouble(f"the token endpoint answered {answer.status_code} {body.get('error', '')}".strip())


def provider_keys(provider: IdentityProvider) -> KeySet:
    """The provider's public signing keys, from the JWKS its discovery document names."""
    metadata = _app(provider).load_server_metadata()
    return KeySet.import_key_set(requests.get(metadata["jwks_uri"], timeout=TIMEOUT_SECONDS).json())


def logout_claims(provider: IdentityProvider, logout_token: str) -> dict[str, Any]:
    """The claims of a back-channel logout token (OpenID Connect Back-Channel Logout 1.0, s.2.6),
    once checked: signed by the provider, issued by it, for this client, recent, with the logout
    event and a subject, and without a nonce."""
    try:
        keys = provider_keys(provider)
        token = jwt.decode(logout_token, keys, algorithms=["RS256", "ES256", "PS256"])
        jwt.JWTClaimsRegistry(
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": provider.issuer},
            aud={"essential": True, "value": provider.client_id},
            iat={"essential": True},
            jti={"essential": True},
            events={"essential": True},
        ).validate(token.claims)
        claims = token.claims
    except Exception as error:  # any failure to fetch the keys, read or check the token refuses it
        raise TokenRefused(_reason(error)) from error
    events = claims.get("events")
    if not isinstance(events, dict) or BACK_CHANNEL_LOGOUT not in events or "nonce" in claims or not claims.get("sub"):
        raise TokenRefused("not a back-channel logout token")
    if not isinstance(claims["iat"], int) or claims["iat"] < time.time() - LOGOUT_TOKEN_MAX_AGE_SECONDS:
        raise TokenRefused("the logout token is too old")
    # Each token is acted on once: a replay (of a token seen in the last minutes) is refused. Acting
    # on one twice would only end sessions twice, so while the cache cannot be reached (when it
    # remembers nothing) the token is acted on rather than refused.
    seen = f"federation-logout-jti:{provider.pk}:{claims['jti']}"
    if cache.has_key(seen):
        raise TokenRefused("the logout token was used already")
    cache.set(seen, 1, timeout=2 * LOGOUT_TOKEN_MAX_AGE_SECONDS)
    return dict(claims)
