"""The staff admin for the outcomes set-up (screens declared in outcomes/viewsets.py)."""

from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.permissions import register_permission_policy

from outcomes.viewsets import all_viewsets

VIEWSETS = all_viewsets()


def _each_viewset(registerables):
    for registerable in registerables:
        if isinstance(registerable, ViewSetGroup):
            yield from _each_viewset(registerable.registerables)
        else:
            yield registerable


# Policies first: Wagtail refuses a model's own policy once it has made a default one for it.
for viewset in _each_viewset(VIEWSETS):
    register_permission_policy(viewset.model, viewset.permission_policy, exact_class=True)


@hooks.register("register_admin_viewset")
def register_viewsets():
    return list(VIEWSETS)
