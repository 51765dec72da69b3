"""Session limits and caching rules for signed-in pages.

- A session lasts at most SESSION_ABSOLUTE_TIMEOUT_SECONDS from sign-in, however busy it is; the
  idle limit is the session's own expiry, moved on by a signed-in request when it was last moved
  more than SESSION_TOUCH_SECONDS ago (a tenth of the idle limit, at most a minute). A session
  therefore ends between SESSION_COOKIE_AGE - SESSION_TOUCH_SECONDS and SESSION_COOKIE_AGE after its
  last request, never later, and most requests write nothing.
- Signing out ends all of the person's sessions, on every device (see `user_end_sessions`).
- No page shown to a signed-in person may be kept by the browser or a proxy: it may hold personal data.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers, patch_cache_control

SIGNED_IN_AT = "signed_in_at"
TOUCHED_AT = "touched_at"


@receiver(user_logged_in, dispatch_uid="session_signed_in_at")
def _note_sign_in_time(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = request.session[TOUCHED_AT] = time.time()


class SessionLimitsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            started = request.session.get(SIGNED_IN_AT)
            if started is None or now - float(started) > settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS:
                logout(request)
                messages.info(request, "For your security you have been signed out. Sign in again to carry on.")
                return redirect_to_login(request.get_full_path())
            if now - float(request.session.get(TOUCHED_AT, 0)) >= settings.SESSION_TOUCH_SECONDS:
                request.session[TOUCHED_AT] = now  # saved, so the idle limit counts from now
        return self.get_response(request)


class NoStoreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated:  # the sign-in pages are never_cache views themselves
            add_never_cache_headers(response)
            patch_cache_control(response, no_store=True, private=True)
        return response
