from django.urls import path

from meetings import views

app_name = "meetings"

urlpatterns = [
    path("", views.my_meetings, name="my-meetings"),
    path("work/", views.agency_work, name="work"),
    path("work/actions/<int:pk>/", views.agency_action_update, name="work-action-update"),
    path("panel-days/", views.panel_day_list, name="panel-day-list"),
    path("panel-days/new/", views.panel_day_schedule, name="panel-day-schedule"),
    path("panel-days/<int:pk>/", views.panel_day_detail, name="panel-day-detail"),
    path("panel-days/<int:pk>/add/", views.meeting_add, name="meeting-add"),
    path("urgent/", views.meeting_urgent, name="meeting-urgent"),
    path("reviews/", views.reviews, name="reviews"),
    path("<int:pk>/", views.meeting_detail, name="meeting-detail"),
    path("<int:pk>/invite/", views.meeting_invite, name="meeting-invite"),
    path("<int:pk>/attendance/", views.meeting_attendance, name="meeting-attendance"),
    path("<int:pk>/minutes/", views.meeting_minutes, name="meeting-minutes"),
    path("<int:pk>/minutes.pdf", views.minutes_download, name="minutes-pdf"),
    path("<int:pk>/plan/", views.meeting_rmp, name="meeting-rmp"),
    path("<int:pk>/status/<str:transition>/", views.meeting_transition, name="meeting-transition"),
    path("<int:pk>/actions/<int:action_pk>/", views.action_update, name="action-update"),
    path("<int:pk>/requests/new/", views.minutes_request_add, name="minutes-request-add"),
    path("<int:pk>/requests/<int:request_pk>/release/", views.minutes_request_release, name="minutes-request-release"),
    path(
        "<int:pk>/requests/<int:request_pk>/executive-summary.pdf",
        views.executive_summary_download,
        name="executive-summary-pdf",
    ),
    path("<int:pk>/<str:kind>/new/", views.meeting_record_add, name="meeting-record-add"),
]
