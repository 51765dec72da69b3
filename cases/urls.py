from django.urls import path

from cases import views

app_name = "cases"

urlpatterns = [
    path("", views.nominal_list_view, name="nominal-list"),
    path("export.csv", views.nominal_export, name="nominal-export"),
    path("new/", views.nominal_create, name="nominal-create"),
    path("<str:reference>/", views.nominal_detail, name="nominal-detail"),
    path("<str:reference>/orders-and-events/", views.nominal_records, name="nominal-records"),
    path("<str:reference>/risk/", views.nominal_risk, name="nominal-risk"),
    path("<str:reference>/history/", views.nominal_history, name="nominal-history"),
    path("<str:reference>/audit/", views.nominal_audit, name="nominal-audit"),
    path("<str:reference>/purpose/", views.nominal_purpose, name="nominal-purpose"),
    path("<str:reference>/edit/", views.nominal_edit, name="nominal-edit"),
    path("<str:reference>/exit/", views.nominal_exit, name="nominal-exit"),
    path("<str:reference>/new-episode/", views.nominal_reenter, name="nominal-reenter"),
    path("<str:reference>/shares/", views.nominal_share, name="nominal-share"),
    path("<str:reference>/shares/<int:agency_id>/revoke/", views.nominal_unshare, name="nominal-unshare"),
    path("<str:reference>/change/<str:what>/", views.nominal_decision, name="nominal-decision"),
    path("<str:reference>/<str:kind>/new/", views.nominal_record_add, name="nominal-record-add"),
]
