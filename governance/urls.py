from django.urls import path

from governance import views

app_name = "governance"

urlpatterns = [
    path("", views.board, name="board"),
    path("meeting-audits/", views.audit_list, name="audit-list"),
    path("meeting-audits/draw/", views.audit_draw, name="audit-draw"),
    path("meeting-audits/<int:pk>/", views.audit_checklist, name="audit-record"),
]
