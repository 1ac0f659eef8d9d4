"""A family's own pages, mounted at /my-story/. Every address carries the family's signed link."""

from django.urls import path

from outcomes.views import family

urlpatterns = [
    path("", family.no_link, name="family_no_link"),
    path("<str:token>/", family.start, name="family_start"),
    path("<str:token>/help/", family.areas, name="family_areas"),
    path("<str:token>/help/<slug:area>/", family.help_level, name="family_help"),
    path("<str:token>/questions/<slug:key>/", family.question, name="family_question"),
    path("<str:token>/in-your-own-words/", family.own_words, name="family_own_words"),
    path("<str:token>/check/", family.check, name="family_check"),
    path("<str:token>/send/", family.send, name="family_send"),
    path("<str:token>/sent/", family.sent, name="family_sent"),
    path("<str:token>/your-answers/", family.answers, name="family_answers"),
    path("<str:token>/your-answers/download/", family.download, name="family_download"),
]
