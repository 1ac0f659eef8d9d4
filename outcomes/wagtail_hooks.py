"""The staff admin for the outcomes set-up (screens declared in outcomes/viewsets.py)."""

from wagtail import hooks

from core.admin_registration import register_policies
from outcomes.viewsets import all_viewsets

VIEWSETS = all_viewsets()
register_policies(VIEWSETS)


@hooks.register("register_admin_viewset")
def register_viewsets():
    return list(VIEWSETS)
