from django.urls import path

from documents import views

app_name = "documents"

urlpatterns = [
    path("nominals/<str:reference>/new/", views.upload, {"kind": "nominal"}, name="upload-for-nominal"),
    path("referrals/<str:reference>/new/", views.upload, {"kind": "referral"}, name="upload-for-referral"),
    path("meetings/<int:pk>/new/", views.upload, {"kind": "meeting"}, name="upload-for-meeting"),
    path("serious-case-reviews/<int:pk>/new/", views.upload, {"kind": "review"}, name="upload-for-review"),
    path("<uuid:pk>/", views.download, name="download"),
    path("<uuid:pk>/preview/", views.preview, name="preview"),
    path("<uuid:pk>/withdraw/", views.withdraw, name="withdraw"),
]
