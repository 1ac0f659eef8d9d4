"""Outcomes URLs. Each area keeps its own module: families' own pages need no account; the rest are
for practitioners, coders and report readers."""

from django.urls import include, path

app_name = "outcomes"

urlpatterns = [
    path("my-story/", include("outcomes.urls_family")),
    path("families/", include("outcomes.urls_staff")),
    path("outcomes/coding/", include("outcomes.urls_coding")),
    path("outcomes/reports/", include("outcomes.urls_reports")),
    path("outcomes/import/", include("outcomes.urls_import")),
]
