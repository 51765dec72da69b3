from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("read-all/", views.notification_read_all, name="read-all"),
    path("delivery-failures/", views.delivery_failures, name="failures"),
    path("delivery-failures/<int:pk>/retry/", views.delivery_retry, name="retry"),
    path("<int:pk>/", views.notification_open, name="open"),
]
