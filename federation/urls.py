from django.urls import path

from federation import views

app_name = "federation"
urlpatterns = [
    path("", views.start, name="start"),
    path("<int:provider_id>/callback/", views.callback, name="callback"),
    path("<int:provider_id>/back-channel-logout/", views.back_channel_logout, name="back-channel-logout"),
]
