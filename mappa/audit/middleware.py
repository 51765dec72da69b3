from typing import Any

from auditlog.middleware import AuditlogMiddleware
from django.http import HttpRequest

from mappa.client_address import client_address


class AuditContextMiddleware(AuditlogMiddleware):
    """Attributes every audit entry written during a request to its user and client address.

    django-auditlog's own middleware believes any X-Forwarded-For header; this one takes the address
    the way the rest of the service does.
    """

    def get_extra_data(self, request: HttpRequest) -> dict[str, Any]:
        data: dict[str, Any] = super().get_extra_data(request)
        data["remote_addr"] = client_address(request)
        data["remote_port"] = None
        return data
