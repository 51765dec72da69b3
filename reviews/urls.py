from django.urls import path

from reviews import views

app_name = "reviews"

urlpatterns = [
    path("", views.review_register, name="register"),
    path("nominals/<str:reference>/serious-further-offence/", views.record_charge, name="record-charge"),
    path("<int:pk>/", views.review_detail, name="review-detail"),
    path("<int:pk>/notification/", views.review_notify, name="review-notify"),
    path("<int:pk>/decision/", views.review_decide, name="review-decide"),
    path("<int:pk>/terms/", views.review_terms, name="review-terms"),
    path("<int:pk>/milestones/new/", views.milestone_add, name="milestone-add"),
    path("<int:pk>/milestones/<int:milestone_pk>/done/", views.milestone_done, name="milestone-done"),
    path("<int:pk>/report/", views.report_received, name="report-received"),
    path("<int:pk>/recommendations/new/", views.recommendation_add, name="recommendation-add"),
    path("<int:pk>/actions/new/", views.action_add, name="action-add"),
    path("<int:pk>/actions/<int:action_pk>/", views.action_update, name="action-update"),
    path("<int:pk>/complete/", views.review_complete, name="review-complete"),
]
