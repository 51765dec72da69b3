"""Every URL needs a signed-in user, except the few listed here on purpose."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from mappa.authorization import rules, walk_urls

PUBLIC_URL_NAMES = {name for name, rule in rules().items() if rule.public}  # from mappa/authorization.toml
# The partner API answers a call without a partner system's token with 401, never the sign-in page.
TOKEN_URL_NAMES = {name for name, rule in rules().items() if rule.scopes}


def _example_path(route: str) -> str:
    """Turn a route or regex into a concrete path, with made-up values for its parameters."""
    path = re.sub(r"<int:\w+>", "1", route)
    path = re.sub(r"<uuid:\w+>", "00000000-0000-4000-8000-000000000000", path)
    path = re.sub(r"<path:\w+>", "a/b", path)
    path = re.sub(r"<(?:str:|slug:)?\w+>", "x", path)
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "1", path)  # regex groups, as in the admin
    path = path.replace("^", "").replace("$", "").replace("\\Z", "").replace("\\", "")
    return "/" + path


ALL_URLS = sorted(set(walk_urls()))


def test_the_table_declares_only_the_sign_in_pages_and_the_health_check_public() -> None:
    assert {
        "sign-in",
        "healthz",
        "readyz",
        "admin:login",
        "federation:start",
        "federation:callback",
        "federation:back-channel-logout",
    } == PUBLIC_URL_NAMES


def test_the_table_declares_the_partner_api_for_tokens_only() -> None:
    assert {
        "api:custody-report",
        "api:lead-agency-change",
        "api:nominal-lookup",
        "api:release-list",
        "api:agency-list",
    } == TOKEN_URL_NAMES


def test_the_walk_finds_the_service_and_admin_urls() -> None:
    names = {name for name, _ in ALL_URLS}
    assert {"home", "sign-in", "sign-out", "account", "agencies:agency-list", "admin:index"} <= names


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "route"), ALL_URLS, ids=[name for name, _ in ALL_URLS])
def test_url_requires_sign_in_unless_public(name: str, route: str) -> None:
    path = _example_path(route)
    for method in ("get", "post"):
        response = getattr(Client(), method)(path, follow=True)
        if name in PUBLIC_URL_NAMES:
            assert response.status_code < 500
            continue
        if name in TOKEN_URL_NAMES:
            # 405 for the method the operation does not answer, before any token is looked at.
            assert response.status_code in (401, 405), f"{method.upper()} {path} ({name})"
            assert response.redirect_chain == [], f"{method.upper()} {path} ({name})"
            continue
        final = response.request["PATH_INFO"]
        assert response.redirect_chain, f"{method.upper()} {path} ({name}) answered without sign-in"
        assert final == "/sign-in/", f"{method.upper()} {path} ({name}) ended at {final}, not the sign-in page"
        assert response.status_code == 200
