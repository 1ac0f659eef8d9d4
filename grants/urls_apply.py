from django.http import Http404
from django.urls import path


def _todo(request, *args, **kwargs):
    raise Http404


urlpatterns = [
    path("applications/<int:pk>/", _todo, name="application-status"),
]
