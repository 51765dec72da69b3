"""The service's URLs and one more view, which nobody has declared in the authorization table."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from mappa.urls import urlpatterns as service


def new_report(request: HttpRequest) -> HttpResponse:
    return HttpResponse("case data")


urlpatterns = [*service, path("new-report/", new_report, name="new-report")]
