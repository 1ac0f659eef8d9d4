"""The narrative coding queue, mounted at /outcomes/coding/."""

from django.urls import path

from outcomes.views import coding

urlpatterns = [
    path("", coding.coding_next, name="coding_next"),
    path("<int:narrative_id>/", coding.coding_save, name="coding_save"),
    path("skipped/clear/", coding.coding_skipped_clear, name="coding_skipped_clear"),
]
