"""The site's URLs plus a bare Django view, so benchmarks can show the framework's own ceiling."""

from django.http import HttpResponse
from django.urls import path

from config.urls import handler404, handler500, urlpatterns as site_urlpatterns  # noqa: F401


def bare(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare), *site_urlpatterns]
