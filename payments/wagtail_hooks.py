"""The staff admin for money (screens declared in payments/viewsets.py)."""

from wagtail import hooks

from core.admin_registration import register_policies
from payments.viewsets import all_viewsets, model_viewsets

VIEWSETS = all_viewsets()
# The dashboard and its menu entries show no one model: only the model screens have policies.
register_policies(model_viewsets(VIEWSETS))


@hooks.register("register_admin_viewset")
def register_viewsets():
    return list(VIEWSETS)
