from typing import Any

from django.conf import settings
from django.http import HttpRequest


def service(request: HttpRequest) -> dict[str, Any]:
    return {"service_name": settings.SERVICE_NAME, "security_marking": settings.SECURITY_MARKING}
