"""Open data anyone can read, with no sign-in: the awarded grants in 360Giving's forms."""

from django.urls import path

from grants.views import open_data

urlpatterns = [
    path("360giving.json", open_data.package_json, name="open-data-360giving"),
    path("360giving.csv", open_data.package_csv, name="open-data-360giving-csv"),
]
