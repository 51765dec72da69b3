from django.urls import path

from referrals import views

app_name = "referrals"

urlpatterns = [
    path("referrals/", views.referral_list, name="referral-list"),
    path("referrals/new/", views.referral_start, name="referral-start"),
    path("referrals/queue/", views.queue, name="queue"),
    path("referrals/<str:reference>/", views.referral_detail, name="referral-detail"),
    path("referrals/<str:reference>/matches/", views.referral_matches, name="referral-matches"),
    path("referrals/<str:reference>/check/", views.referral_check, name="referral-check"),
    path(
        "referrals/<str:reference>/request-information/",
        views.referral_request_information,
        name="referral-request-information",
    ),
    path("referrals/<str:reference>/withdraw/", views.referral_withdraw, name="referral-withdraw"),
    path("referrals/<str:reference>/<str:step>/", views.referral_step, name="referral-step"),
    path("screening/", views.panel_list, name="panel-list"),
    path("screening/new/", views.panel_create, name="panel-create"),
    path("screening/<int:pk>/", views.panel_detail, name="panel-detail"),
    path("screening/<int:pk>/members/", views.panel_member_add, name="panel-member-add"),
    path("screening/<int:pk>/agenda/", views.panel_agenda_add, name="panel-agenda-add"),
    path("screening/<int:pk>/status/<str:status>/", views.panel_status, name="panel-status"),
    path("screening/<int:pk>/items/<int:item_pk>/decision/", views.panel_decide, name="panel-decide"),
]
