from django.urls import path

from reporting import views

app_name = "statistics"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("kpis/<slug:key>/", views.kpi_cases, name="kpi-cases"),
    path("agencies/", views.engagement, name="engagement"),
    path("annual-reports/", views.annual_reports, name="annual-reports"),
    path("annual-reports/<int:pk>/", views.annual_report_run, name="annual-report-run"),
    path("annual-reports/<int:pk>/report.csv", views.annual_report_csv, name="annual-report-csv"),
]
