from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from agencies import views as people
from mappa import second_factor, views

admin.site.site_header = "MAPPA case management administration"
admin.site.site_title = "MAPPA administration"
# One sign-in page for the whole service, so that every sign-in is audited and looks the same.
admin.site.login = views.admin_sign_in  # type: ignore[method-assign]

urlpatterns: list[URLPattern | URLResolver] = [
    # The root URLconf is the one place the core names the apps' views.
    path("", people.home, name="home"),
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-in/code/", second_factor.verify, name="second-factor"),
    path("sign-in/agency/", include("federation.urls")),
    path("sign-in/set-up/", second_factor.setup, name="second-factor-setup"),
    path("sign-in/recovery-codes/", second_factor.recovery_codes, name="recovery-codes"),
    path("sign-out/", second_factor.sign_out, name="sign-out"),
    path("account/", people.account, name="account"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("agencies/", include("agencies.urls")),
    path("nominals/", include("cases.urls")),
    path("", include("referrals.urls")),
    path("meetings/", include("meetings.urls")),
    path("documents/", include("documents.urls")),
    path("notifications/", include("notifications.urls")),
    path("audit/", include("auditing.urls")),
    path("statistics/", include("reporting.urls")),
    path("transfers/", include("transfers.urls")),
    path("serious-case-reviews/", include("reviews.urls")),
    path("board/", include("governance.urls")),
    path("api/v1/", include("partners.urls")),
    path("admin/", admin.site.urls),
]

handler404 = "mappa.errors.not_found"
handler403 = "mappa.errors.forbidden"
handler400 = "mappa.errors.bad_request"
handler500 = "mappa.errors.server_error"
