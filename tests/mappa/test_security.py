"""Two-factor sign-in, lockout, session limits, passwords and security headers."""

from __future__ import annotations

import datetime
import re
import time
from typing import Any

import pytest
import time_machine
from django.contrib.auth.hashers import identify_hasher
from django.test import Client, override_settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies.models import User
from agencies.services import user_deactivate, user_reset_second_factor
from mappa.audit.models import AuditEntry, AuditEvent
from mappa.second_factor import new_recovery_codes
from tests.conftest import People, client_for
from tests.mappa.test_sign_in_required import ALL_URLS, PUBLIC_URL_NAMES, TOKEN_URL_NAMES, _example_path

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough passphrase for tests"
SECOND_FACTOR_PAGES = {"second-factor", "second-factor-setup", "recovery-codes", "sign-out"}


@pytest.fixture
def alice(people: People) -> User:
    user = people.coordinator
    user.set_password(PASSWORD)
    user.save()
    return user


def device_for(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)


def code(device: TOTPDevice, *, at: float | None = None) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = at or time.time()
    return f"{totp.token():06d}"


def password_step(username: str = "coordinator", password: str = PASSWORD, **headers: Any) -> tuple[Client, Any]:
    client = Client(**headers)
    response = client.post("/sign-in/", {"username": username, "password": password})
    return client, response


def test_the_password_leads_to_the_code_page_and_the_code_to_the_service(alice: User) -> None:
    device = device_for(alice)
    client, response = password_step()
    assert response.status_code == 302
    assert client.get(response["Location"], follow=True).request["PATH_INFO"] == "/sign-in/code/"
    response = client.post("/sign-in/code/?next=/nominals/", {"code": code(device)})
    assert response["Location"] == "/nominals/"
    assert client.get("/nominals/").status_code == 200


def test_without_the_second_factor_no_url_shows_anything(alice: User) -> None:
    device_for(alice)
    client, _ = password_step()
    for name, route in ALL_URLS:
        if name in PUBLIC_URL_NAMES or name in SECOND_FACTOR_PAGES:
            continue
        path = _example_path(route)
        if name in TOKEN_URL_NAMES:
            # The partner API takes no session, half signed in or not: it asks for a token.
            assert {getattr(client, method)(path).status_code for method in ("get", "post")} <= {401, 405}, name
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(path)
            assert response.status_code == 302, f"{method.upper()} {path} ({name}) answered {response.status_code}"
            assert response["Location"].startswith("/sign-in/code/?next="), f"{name} went to {response['Location']}"


def test_a_code_cannot_be_used_twice(alice: User) -> None:
    device = device_for(alice)
    used = code(device)
    first, _ = password_step()
    assert first.post("/sign-in/code/", {"code": used}).status_code == 302
    second, _ = password_step()
    response = second.post("/sign-in/code/", {"code": used})
    assert response.status_code == 400
    assert "has been used already" in response.content.decode()
    assert second.get("/nominals/").status_code == 302
    assert AuditEntry.objects.filter(event=AuditEvent.SECOND_FACTOR_FAILED, actor=alice).count() == 1


def test_a_wrong_code_is_refused_and_logged(alice: User) -> None:
    device = device_for(alice)
    client, _ = password_step()
    wrong = f"{(int(code(device)) + 1) % 1_000_000:06d}"
    assert client.post("/sign-in/code/", {"code": wrong}).status_code == 400
    assert client.post("/sign-in/code/", {"code": ""}).status_code == 400
    assert AuditEntry.objects.filter(event=AuditEvent.SECOND_FACTOR_FAILED).count() == 1


def test_a_recovery_code_works_once(alice: User) -> None:
    device_for(alice)
    codes = new_recovery_codes(alice)
    client, _ = password_step()
    assert client.post("/sign-in/code/", {"code": codes[0].upper()}).status_code == 302
    assert not StaticToken.objects.filter(token=codes[0]).exists()
    again, _ = password_step()
    assert again.post("/sign-in/code/", {"code": codes[0]}).status_code == 400


def test_first_sign_in_sets_up_an_authenticator(alice: User) -> None:
    with time_machine.travel(datetime.datetime(2025, 6, 2, 9, 0, 5, tzinfo=datetime.UTC), tick=False) as traveller:
        client, _ = password_step()
        assert client.get("/nominals/")["Location"].startswith("/sign-in/set-up/")
        page = client.get("/sign-in/set-up/").content.decode()
        assert "<svg" in page
        device = TOTPDevice.objects.get(user=alice, confirmed=False)
        wrong = f"{(int(code(device)) + 1) % 1_000_000:06d}"
        assert client.post("/sign-in/set-up/", {"code": wrong}).status_code == 400
        traveller.shift(datetime.timedelta(seconds=2))  # each failure makes the next attempt wait
        response = client.post("/sign-in/set-up/", {"code": code(device)})
        assert response["Location"].startswith("/sign-in/recovery-codes/")
        codes_page = client.get(response["Location"]).content.decode()
        assert codes_page.count("<li>") == 10
        assert "shown once" in client.get("/sign-in/recovery-codes/").content.decode()  # not shown again
        assert client.get("/nominals/").status_code == 200
    assert AuditEntry.objects.filter(event=AuditEvent.SECOND_FACTOR_ENROLLED, actor=alice).exists()


def test_wrong_codes_make_the_next_attempt_wait(alice: User) -> None:
    device = device_for(alice)
    with time_machine.travel(datetime.datetime(2025, 6, 2, 9, 0, 5, tzinfo=datetime.UTC), tick=False) as traveller:
        client, _ = password_step()
        wrong = f"{(int(code(device)) + 1) % 1_000_000:06d}"
        assert client.post("/sign-in/code/", {"code": wrong}).status_code == 400
        assert client.post("/sign-in/code/", {"code": code(device)}).status_code == 400  # too soon
        traveller.shift(datetime.timedelta(seconds=3))
        assert client.post("/sign-in/code/", {"code": code(device)}).status_code == 302


def test_an_administrator_resets_a_second_factor_and_it_is_logged(people: People, alice: User) -> None:
    device_for(alice)
    signed_in = client_for(alice)
    user_reset_second_factor(actor=people.administrator, user=alice)
    assert not TOTPDevice.objects.filter(user=alice).exists()
    assert signed_in.get("/nominals/").status_code == 302  # their session has ended
    entry = AuditEntry.objects.get(event=AuditEvent.SECOND_FACTOR_RESET)
    assert (entry.actor, entry.object_pk) == (people.administrator, str(alice.pk))


def test_the_admin_action_resets_a_second_factor(people: People, alice: User) -> None:
    device_for(alice)
    admin = client_for(people.administrator)
    admin.post("/admin/agencies/user/", {"action": "reset_second_factor", "_selected_action": [alice.pk]}, follow=True)
    assert not TOTPDevice.objects.filter(user=alice).exists()
    assert AuditEntry.objects.filter(event=AuditEvent.SECOND_FACTOR_RESET, actor=people.administrator).exists()


@override_settings(AXES_FAILURE_LIMIT=3)
def test_lockout_after_repeated_failures_is_logged_and_looks_the_same_for_unknown_users(alice: User) -> None:
    answers = {}
    for username in ("coordinator", "nobody-by-this-name"):
        for _ in range(3):
            password_step(username, "wrong password")
        _, response = password_step(username, PASSWORD if username == "coordinator" else "wrong password")
        assert response.status_code == 429
        answers[username] = re.sub(r'value="[^"]*"', "", response.content.decode())
    assert "Too many failed attempts" in answers["coordinator"]
    assert answers["coordinator"] == answers["nobody-by-this-name"]
    assert AuditEntry.objects.filter(event=AuditEvent.LOCKED_OUT, attempted_username="coordinator").exists()
    assert AuditEntry.objects.filter(event=AuditEvent.LOCKED_OUT, attempted_username="nobody-by-this-name").exists()


@override_settings(AXES_FAILURE_LIMIT=2, TRUSTED_PROXY_COUNT=1)
def test_lockout_is_per_client_address_as_the_proxy_saw_it(alice: User) -> None:
    for _ in range(2):
        password_step("coordinator", "wrong", HTTP_X_FORWARDED_FOR="198.51.100.7", REMOTE_ADDR="10.0.0.1")
    # A forged leftmost address does not escape the lockout...
    _, response = password_step(HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7", REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 429
    # ...and another client behind the same proxy is not locked out.
    _, response = password_step(HTTP_X_FORWARDED_FOR="203.0.113.9", REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 302


def test_an_idle_session_expires_after_15_minutes(alice: User) -> None:
    with time_machine.travel(datetime.datetime(2025, 6, 2, 9, 0, tzinfo=datetime.UTC), tick=False) as traveller:
        client = client_for(alice)
        traveller.shift(datetime.timedelta(minutes=14))
        assert client.get("/nominals/").status_code == 200  # activity moves the expiry on
        traveller.shift(datetime.timedelta(minutes=14))
        assert client.get("/nominals/").status_code == 200
        traveller.shift(datetime.timedelta(minutes=16))
        assert client.get("/nominals/")["Location"].startswith("/sign-in/")


def test_a_busy_session_still_ends_12_hours_after_sign_in(alice: User) -> None:
    with time_machine.travel(datetime.datetime(2025, 6, 2, 7, 0, tzinfo=datetime.UTC), tick=False) as traveller:
        client = client_for(alice)
        for _ in range(12 * 6 - 1):
            traveller.shift(datetime.timedelta(minutes=10))
            assert client.get("/account/").status_code == 200
        traveller.shift(datetime.timedelta(minutes=11))
        assert client.get("/account/")["Location"].startswith("/sign-in/")


def test_deactivating_a_user_ends_their_open_session(people: People, alice: User) -> None:
    client = client_for(alice)
    assert client.get("/nominals/").status_code == 200
    user_deactivate(actor=people.administrator, user=alice)
    assert client.get("/nominals/")["Location"].startswith("/sign-in/")


def test_signing_out_ends_every_session_of_the_user(alice: User) -> None:
    laptop, phone = client_for(alice), client_for(alice)
    laptop.post("/sign-out/")
    assert phone.get("/nominals/")["Location"].startswith("/sign-in/")


def test_signing_in_starts_a_new_session(alice: User) -> None:
    device = device_for(alice)
    client = Client()
    client.get("/sign-in/")
    before = client.cookies.get("sessionid")
    client.post("/sign-in/", {"username": "coordinator", "password": PASSWORD})
    after_password = client.cookies["sessionid"].value
    client.post("/sign-in/code/", {"code": code(device)})
    assert before is None or before.value != after_password
    assert client.cookies["sessionid"].value != after_password


def test_new_passwords_are_hashed_with_argon2(alice: User) -> None:
    from mappa import settings as project_settings  # the tests themselves use a fast hasher

    with override_settings(PASSWORD_HASHERS=project_settings.PASSWORD_HASHERS):
        alice.set_password(PASSWORD)
        assert identify_hasher(alice.password).algorithm == "argon2"


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-one", "at least 12 characters"),
        ("password1234", "too common"),
        ("123456789012345", "entirely numeric"),
    ],
)
def test_weak_passwords_are_refused(alice: User, password: str, message: str) -> None:
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match=message):
        validate_password(password, alice)


def test_security_headers_on_a_page_with_personal_data(alice: User) -> None:
    response = client_for(alice).get("/nominals/")
    policy = response["Content-Security-Policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'"):
        assert directive in policy
    assert "unsafe-inline" not in policy
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_hsts_is_sent_over_https(alice: User, settings: Any) -> None:
    settings.SECURE_HSTS_SECONDS = 31_536_000
    response = client_for(alice).get("/account/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_pages_carry_no_inline_script_or_style(alice: User) -> None:
    page = client_for(alice).get("/").content.decode()
    assert "<script>" not in page
    assert " style=" not in page
    assert "<style" not in page


def test_the_sign_in_pages_are_not_kept_either(alice: User) -> None:
    device_for(alice)
    client, _ = password_step()
    assert "no-store" in Client().get("/sign-in/")["Cache-Control"]
    assert "no-store" in client.get("/sign-in/code/")["Cache-Control"]
