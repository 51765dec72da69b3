from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from agencies.auth import signed_in_user
from notifications.models import EmailState
from notifications.policy import delivery_failures_visible_to, may_see_delivery_failures, notifications_for
from notifications.tasks import queue_delivery


def notification_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    notifications = notifications_for(user)
    if request.GET.get("show") == "unread":
        notifications = notifications.filter(read_at__isnull=True)
    page = Paginator(notifications, 50).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page, "show": request.GET.get("show", "")})


def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Where an email's link lands: marks the notification read and goes to what it is about."""
    user = signed_in_user(request)
    notification = notifications_for(user).filter(pk=pk).first()
    if notification is None:
        raise Http404
    if notification.read_at is None:
        notifications_for(user).filter(pk=pk).update(read_at=timezone.now())
    target = notification.url if url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None) else "/"
    return redirect(target)


@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    count = notifications_for(user).filter(read_at__isnull=True).update(read_at=timezone.now())
    messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked as read.")
    return redirect("notifications:list")


def delivery_failures(request: HttpRequest) -> HttpResponse:
    """Emails that could not be sent after every retry, for the area's co-ordinators to act on."""
    user = signed_in_user(request)
    if not may_see_delivery_failures(user):
        raise PermissionDenied
    failed = delivery_failures_visible_to(user).select_related("recipient__agency").order_by("-created_at")
    page = Paginator(failed, 50).get_page(request.GET.get("page"))
    return render(request, "notifications/failures.html", {"page": page})


@require_POST
def delivery_retry(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    if not may_see_delivery_failures(user):
        raise PermissionDenied
    updated = (
        delivery_failures_visible_to(user)
        .filter(pk=pk)
        .update(email_state=EmailState.PENDING, attempts=0, last_error="")
    )
    if not updated:
        raise Http404
    queue_delivery([pk])
    messages.success(request, "The email will be tried again.")
    return redirect("notifications:failures")
