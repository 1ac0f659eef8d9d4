from django.http import Http404
from django.urls import path


def _todo(request, *args, **kwargs):
    raise Http404


urlpatterns = [
    path("applications/<int:pk>/agreement/", _todo, name="agreement"),
    path("applications/<int:pk>/report/", _todo, name="report"),
]
