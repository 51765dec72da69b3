from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from agencies.selectors import user_is_category4_cleared
from mappa.auth import signed_in_user
from mappa.celery import app as celery_app
from mappa.forms import SignInForm
from mappa.navigation import ROLE_SUMMARIES, tasks_for


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


def home(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    roles = [(role, ROLE_SUMMARIES[role]) for role in sorted(user.roles, key=list(ROLE_SUMMARIES).index)]
    return render(request, "home.html", {"roles": roles, "tasks": tasks_for(user)})


def account(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    return render(request, "account.html", {"account": user, "category4_cleared": user_is_category4_cleared(user)})


@login_not_required
@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and dependency status for load balancers and containers. Contains no data."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:  # noqa: BLE001  (any failure means unhealthy; the reason goes to the log, not the response)
        checks["database"] = "unavailable"
    if settings.REDIS_URL:
        try:
            with celery_app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
            checks["broker"] = "ok"
        except Exception:  # noqa: BLE001
            checks["broker"] = "unavailable"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503)
