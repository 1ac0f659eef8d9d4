"""Grants URLs. Each area keeps its own module: applicants, board members, officers' pages outside
the admin, and open data anyone can read."""

from django.urls import include, path

app_name = "grants"

urlpatterns = [
    path("", include("grants.urls_apply")),
    path("", include("grants.urls_awards")),
    path("board/", include("grants.urls_board")),
    path("open-data/", include("grants.urls_open_data")),
]
