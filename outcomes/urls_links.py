"""Practitioners' pages for a family's links, mounted under /families/<reference>/links/: every
pattern receives the family's `reference` from the address it is mounted under."""

from django.urls import path

from outcomes.views import links

urlpatterns = [
    path("", links.link_list, name="link_list"),
    path("new/", links.link_create_view, name="link_create"),
    path("<int:link_id>/", links.link_detail, name="link_detail"),
    path("<int:link_id>/revoke/", links.link_revoke_view, name="link_revoke"),
]
