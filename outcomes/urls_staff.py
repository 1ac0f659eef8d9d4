"""Practitioners' pages for family records, mounted at /families/."""

from django.urls import include, path

from outcomes.views import staff

urlpatterns = [
    path("", staff.family_list, name="families_list"),
    path("new/", staff.family_add, name="families_add"),
    path("<str:reference>/", staff.family_detail, name="families_detail"),
    path("<str:reference>/episodes/new/", staff.episode_open, name="families_episode_open"),
    path(
        "<str:reference>/episodes/<int:episode_id>/checkpoints/new/",
        staff.checkpoint_record,
        name="families_checkpoint_record",
    ),
    path(
        "<str:reference>/episodes/<int:episode_id>/close/",
        staff.episode_close_view,
        name="families_episode_close",
    ),
    path("<str:reference>/links/", include("outcomes.urls_links")),
]
