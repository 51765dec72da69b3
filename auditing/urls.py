from django.urls import path

from auditing import views

app_name = "audit"

urlpatterns = [
    path("", views.audit_search, name="search"),
    path("export.csv", views.audit_export, name="export"),
    path("nominals/<str:reference>/", views.nominal_history, name="nominal-history"),
    path("users/<str:username>/", views.user_activity, name="user-activity"),
    path("reports/<str:report>/", views.access_report, name="report"),
    path("reports/<str:report>/review/", views.report_review, name="report-review"),
]
