from django.urls import path

from transfers import views

app_name = "transfers"

urlpatterns = [
    path("", views.transfer_list, name="transfer-list"),
    path("nominals/<str:reference>/new/", views.transfer_request, name="transfer-request"),
    path("<int:pk>/", views.transfer_detail, name="transfer-detail"),
    path("<int:pk>/accept/", views.transfer_accept, name="transfer-accept"),
    path("<int:pk>/decline/", views.transfer_decline, name="transfer-decline"),
    path("<int:pk>/withdraw/", views.transfer_withdraw, name="transfer-withdraw"),
]
