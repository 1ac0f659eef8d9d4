"""A group's pages for applying: the eligibility checker, starting, the question pages, checking,
sending, and following an application afterwards."""

from django.urls import path

from grants.views import apply, apply_pages

urlpatterns = [
    path("funds/<slug:slug>/eligibility/", apply.eligibility, name="eligibility"),
    path("funds/<slug:slug>/apply/", apply.apply_start, name="apply-start"),
    path("applications/", apply.applications, name="applications"),
    path("applications/<int:pk>/", apply.application_status, name="application-status"),
    path(
        "applications/<int:pk>/about/",
        apply_pages.draft_page,
        {"section": "about"},
        name="application-about",
    ),
    path(
        "applications/<int:pk>/questions/",
        apply_pages.draft_page,
        {"section": "questions"},
        name="application-questions",
    ),
    path(
        "applications/<int:pk>/budget/",
        apply_pages.draft_page,
        {"section": "budget"},
        name="application-budget",
    ),
    path(
        "applications/<int:pk>/contact/",
        apply_pages.draft_page,
        {"section": "contact"},
        name="application-contact",
    ),
    path("applications/<int:pk>/check/", apply_pages.check, name="application-check"),
    path("applications/<int:pk>/submit/", apply_pages.submit, name="application-submit"),
    path("applications/<int:pk>/sent/", apply_pages.confirmation, name="application-confirmation"),
    path("applications/<int:pk>/autosave/", apply_pages.autosave, name="application-autosave"),
    path(
        "applications/<int:pk>/resume-link/",
        apply_pages.resume_link,
        name="application-resume-link",
    ),
    path("applications/<int:pk>/information/", apply.information, name="application-information"),
    path("applications/<int:pk>/withdraw/", apply.withdraw, name="application-withdraw"),
]
