import logging

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from mappa import health
from mappa.celery import app as celery_app
from mappa.forms import SignInForm

logger = logging.getLogger(__name__)


class SignInView(auth_views.LoginView):
    template_name = "registration/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


sign_in = login_not_required(SignInView.as_view())


@login_not_required
def admin_sign_in(request: HttpRequest, extra_context: object = None) -> HttpResponse:
    """The admin's sign-in URL: people without admin rights are refused, everyone else signs in here."""
    if request.user.is_authenticated:
        raise PermissionDenied
    return redirect_to_login(request.GET.get("next", reverse("admin:index")))


@login_not_required
@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. It checks nothing else, so that an outage of the database does
    not get every web process restarted; readiness is /readyz."""
    return JsonResponse({"status": "ok"})


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # any failure means not ready; the reason goes to the log, not the response
        logger.exception("Readiness: the database is unavailable")
        return "unavailable"
    return "ok"


def _broker() -> str:
    if not settings.REDIS_URL:
        return "ok"  # tasks run in the web process
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception:
        logger.exception("Readiness: the broker is unavailable")
        return "unavailable"
    return "ok"


@login_not_required
@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness for load balancers and monitoring: the database, the broker, and the checks the apps
    add (`mappa.health`: how long the oldest email has been waiting to go, say, where a stuck worker
    shows). Statuses and numbers only; no data."""
    checks: dict[str, object] = {"database": _database(), "broker": _broker()}
    for known in health.CHECKS:
        if checks["database"] != "ok" and known.without_database is not None:
            checks.update(known.without_database)
        else:
            checks.update(known.check())
    ready = all(value == "ok" for key, value in checks.items() if key in health.statuses())
    return JsonResponse({"status": "ok" if ready else "unavailable", **checks}, status=200 if ready else 503)
