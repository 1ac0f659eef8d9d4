from django.urls import path

from outcomes.views import imports

urlpatterns = [
    path("", imports.import_page, name="import"),
]
