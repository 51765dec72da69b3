"""The service's URLs, with the Django admin replaced by one that lists nominals, for `benchmark` to
time the admin's changelist beside the service's name search.

Never the service's URLconf: the service's admin has no nominals, because the admin neither checks
who may see a nominal nor records who looked.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.urls import URLPattern, URLResolver, path

from cases.models import Nominal
from mappa.urls import urlpatterns as service_urlpatterns

PAGE_SIZE = 50  # as the service's nominal list


class NominalAdmin(admin.ModelAdmin[Nominal]):
    list_display = ["case_reference", "first_name", "last_name", "category", "level", "status"]
    search_fields = ["search_names__name"]  # every name and alias, as the service searches
    list_per_page = PAGE_SIZE


class NominalAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)


site = NominalAdminSite(name="admin")
site.register(Nominal, NominalAdmin)

urlpatterns: list[URLPattern | URLResolver] = [
    path("admin/", site.urls),
    *(pattern for pattern in service_urlpatterns if str(pattern.pattern) != "admin/"),
]
