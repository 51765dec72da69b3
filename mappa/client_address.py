"""The client's address, taken from X-Forwarded-For only as far as our own proxies vouch for it."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_ipv46_address
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """The address of the client that sent the request.

    With TRUSTED_PROXY_COUNT = n, the n-th address from the right of X-Forwarded-For is the one our
    outermost proxy saw; anything further left was written by the client and cannot be trusted.
    """
    address: str | None = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    if not address:
        return None
    try:
        validate_ipv46_address(address)
    except ValidationError:
        return None
    return address
