"""Refresh tokens kept at rest encrypted (Fernet), under a key derived from SECRET_KEY."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


def _fernet() -> MultiFernet:
    """Sealed under SECRET_KEY; still readable under the keys of SECRET_KEY_FALLBACKS while a key
    is being rotated."""
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet(
        [
            Fernet(base64.urlsafe_b64encode(hashlib.sha256(f"federation.refresh-token:{secret}".encode()).digest()))
            for secret in secrets
        ]
    )


def seal(token: str) -> str:
    return _fernet().encrypt(token.encode()).decode() if token else ""


def unseal(sealed: str) -> str:
    """The token, or empty if there is none or it was sealed under another SECRET_KEY."""
    if not sealed:
        return ""
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except InvalidToken:
        return ""
