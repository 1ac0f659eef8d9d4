"""Bulk actions on the officer's application list: assign an officer, send to the board, or export
the chosen applications. Each application goes through the same service as one at a time, so the
same rules and the same audit trail apply; any that can't be done are listed, not hidden."""

import csv

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods

from core.spreadsheets import csv_safe
from core.workflow import TransitionRefused
from grants.enums import ApplicationStatus
from grants.models import Application
from grants.services import decisions
from grants.services.exports import COLUMNS, applications_matching

BULK_LIMIT = 200


class _Echo:
    def write(self, value: str) -> str:
        return value


def _scoped(request: HttpRequest) -> QuerySet[Application]:
    from grants.viewsets import application_policy

    return application_policy.instances_user_has_any_permission_for(request.user, ["view"])


def _officers_for(request: HttpRequest):
    from grants.viewsets import _officer_localities

    return (
        get_user_model()
        .objects.filter(is_active=True, groups__permissions__codename="change_application")
        .filter(locality_placements__locality__in=_officer_localities(request))
        .distinct()
        .order_by("full_name", "email")
    )


def _export(applications: QuerySet[Application]) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def rows():
        yield writer.writerow([heading for heading, _ in COLUMNS])
        for application in applications:
            yield writer.writerow([csv_safe(value(application)) for _, value in COLUMNS])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="applications-selected.csv"'
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def application_bulk(request: HttpRequest) -> HttpResponse:
    from grants.viewsets import APPLICATIONS

    scoped = _scoped(request).select_related("fund", "fund__locality", "organisation")
    if request.method == "POST":
        chosen = scoped.filter(pk__in=request.POST.getlist("ids"))
        action = request.POST.get("action", "")
        if not chosen.exists():
            messages.error(request, "Choose at least one application.")
            return redirect(request.get_full_path())
        if action == "export":
            return _export(chosen.order_by("reference"))
        done, refused = 0, []
        for application in chosen:
            try:
                if action == "assign":
                    officer = _officers_for(request).filter(pk=request.POST.get("officer")).first()
                    if officer is None:
                        raise TransitionRefused("Choose an officer to assign.", status=400)
                    decisions.officer_assign(
                        application=application, officer=officer, by=request.user
                    )
                elif action == "send_to_board":
                    decisions.send_to_board(
                        application=application,
                        by=request.user,
                        checked_otherwise=request.POST.get("checked_otherwise", ""),
                    )
                else:
                    raise TransitionRefused("Choose what to do.", status=400)
                done += 1
            except TransitionRefused as refused_action:
                refused.append(f"{application.reference}: {refused_action.message}")
        if done:
            messages.success(request, f"Done for {done} application{'s' if done != 1 else ''}.")
        for message in refused:
            messages.error(request, message)
        # Back to the list as the officer left it: the same filters and search.
        query = request.GET.urlencode()
        return redirect(reverse(f"{APPLICATIONS}:index") + (f"?{query}" if query else ""))

    applications = (
        applications_matching(request.user, request.GET)
        .select_related("fund", "fund__locality", "organisation")
        .order_by("-submitted_at")
    )
    return render(
        request,
        "grants/admin/bulk.html",
        {
            "applications": applications[:BULK_LIMIT],
            "limit": BULK_LIMIT,
            "officers": _officers_for(request),
            "screening": ApplicationStatus.SCREENING,
            "filename": slugify("applications"),
        },
    )
