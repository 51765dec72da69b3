"""A system administrator registers a partner system, hands its token over, and reads the API's
reference; the partner system then calls with that token."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest

from devtools.demo.agencies import DEMO_PASSWORD, seed_agencies_and_users
from mappa.audit.models import AuditEntry, AuditEvent
from partners.models import PartnerSystem
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_administrator_registers_a_partner_system_whose_token_then_works(page: Any, live_server: Any) -> None:
    seed_agencies_and_users()
    refused: list[str] = []
    page.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )

    sign_in(page, "admin", DEMO_PASSWORD)
    page.goto("/admin/")
    page.get_by_role("link", name="Partner systems", exact=True).last.click()
    page.get_by_role("link", name="Add partner system").click()
    page.get_by_label("Name:").fill("Kent prisons release feed")
    page.get_by_label("Agency:").select_option(label="HM Prison and Probation Service, Kent prisons")
    page.get_by_label("Report custody periods and release dates").check()
    page.get_by_label("List the area's agencies").check()
    page.get_by_role("button", name="Save", exact=True).click()

    assert page.get_by_role("heading", name="Kent prisons release feed is registered").is_visible()
    assert_accessible(page)
    token = page.get_by_label("Token").input_value()
    partner = PartnerSystem.objects.get(name="Kent prisons release feed")
    assert token.startswith(f"mappa_{partner.token_prefix}_")

    # The test's own server, on loopback.
    call = urllib.request.Request(f"{live_server.url}/api/v1/agencies", headers={"Authorization": f"Bearer {token}"})  # noqa: S310
    with urllib.request.urlopen(call) as answer:  # noqa: S310  # nosec B310
        agencies = json.load(answer)
    assert "Kent Police" in {agency["name"] for agency in agencies}
    assert AuditEntry.objects.filter(actor=partner.account, event=AuditEvent.API_CALL).count() == 1

    page.goto("/api/v1/")
    page.get_by_text("Report a custody period and its release date").wait_for()
    assert page.get_by_text("Find a person by identifier").is_visible()
    assert refused == []
