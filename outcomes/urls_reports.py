from django.urls import path

from outcomes.views import reports

urlpatterns = [
    path("", reports.report, name="reports"),
    path("figures.csv", reports.report_csv, name="reports_csv"),
    path("committee/", reports.report_export_create, name="report_export_create"),
    path("committee/<int:pk>/", reports.report_export, name="report_export"),
    path(
        "committee/<int:pk>/download/",
        reports.report_export_download,
        name="report_export_download",
    ),
]
