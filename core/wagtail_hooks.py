"""The staff admin for the shared records (screens declared in core/viewsets.py)."""

from wagtail import hooks

from core.admin_registration import register_policies
from core.viewsets import all_viewsets

VIEWSETS = all_viewsets()
register_policies(VIEWSETS)


@hooks.register("register_admin_viewset")
def register_viewsets():
    return list(VIEWSETS)
