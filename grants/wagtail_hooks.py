"""The staff admin for grants (screens declared in grants/viewsets.py)."""

from wagtail import hooks

from core.admin_registration import register_policies
from grants.viewsets import all_viewsets

VIEWSETS = all_viewsets()
register_policies(VIEWSETS)


@hooks.register("register_admin_viewset")
def register_viewsets():
    return list(VIEWSETS)
