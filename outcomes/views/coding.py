"""The narrative coding queue: one family's words at a time, the codebook as checkboxes, and the
codes whose keywords appear marked as suggestions. Nothing is coded until the coder ticks it.

A coder sees the words, the checkpoint's kind and date, and the family's reference: nothing else
about the family. Each showing of a narrative is recorded in the audit trail."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from core.audit import audit_denied, audit_view
from core.permissions import signed_in_or_not_found
from outcomes.forms_staff import CodingForm
from outcomes.models import Code, Narrative
from outcomes.permissions import can_code_narratives
from outcomes.services.coding import (
    can_code_narrative,
    code_suggestions,
    coding_queue,
    matched_keywords,
    narrative_code,
)

SESSION_SKIPPED = "outcomes_coding_skipped"
MAX_SKIPPED = 500


def _require_coder(request: HttpRequest) -> None:
    if not can_code_narratives(request.user):
        audit_denied(actor=request.user, detail={"page": "coding queue"})
        raise PermissionDenied


def _skipped(request: HttpRequest) -> list[int]:
    return [int(pk) for pk in request.session.get(SESSION_SKIPPED, [])]


def _show(request: HttpRequest, narrative: Narrative, form: CodingForm, *, status: int = 200):
    codes = list(Code.objects.select_related("codebook"))
    suggested = {code.pk for code in code_suggestions(narrative, codes)}
    ticked = {str(value) for value in form["codes"].value() or []} if form.is_bound else set()
    choices = [
        {
            "code": code,
            "suggested": code.pk in suggested,
            "keywords": matched_keywords(code, narrative) if code.pk in suggested else [],
            "checked": str(code.pk) in ticked,
        }
        for code in codes
    ]
    queue = coding_queue(request.user)
    audit_view(actor=request.user, obj=narrative)
    return render(
        request,
        "outcomes/coding/narrative.html",
        {
            "narrative": narrative,
            "checkpoint": narrative.checkpoint,
            "reference": narrative.checkpoint.episode.family.reference,
            "form": form,
            "choices": choices,
            "remaining": queue.count(),
            "skipped_count": queue.filter(pk__in=_skipped(request)).count(),
        },
        status=status,
    )


@login_required
@require_GET
def coding_next(request: HttpRequest) -> HttpResponse:
    """The oldest narrative still waiting that the coder has not skipped, or "all done"."""
    _require_coder(request)
    queue = coding_queue(request.user)
    skipped = _skipped(request)
    narrative = queue.exclude(pk__in=skipped).select_related("checkpoint__episode__family").first()
    if narrative is None:
        return render(
            request,
            "outcomes/coding/done.html",
            {"remaining": queue.count(), "skipped_count": queue.filter(pk__in=skipped).count()},
        )
    return _show(request, narrative, CodingForm(codes=Code.objects.all()))


@signed_in_or_not_found
@require_POST
def coding_save(request: HttpRequest, narrative_id: int) -> HttpResponse:
    """Save the ticked codes, or skip; either way, on to the next. Not found for anyone who may
    not code it, coder or not, as for a narrative that does not exist."""
    narrative = (
        Narrative.objects.filter(pk=narrative_id)
        .select_related("checkpoint__episode__family")
        .first()
    )
    # can_code_narrative asks the coding right first: a non-coder may code nothing.
    if narrative is None or not can_code_narrative(request.user, narrative):
        audit_denied(
            actor=request.user,
            obj=narrative,
            detail=None if narrative else {"narrative_id": narrative_id},
        )
        raise Http404("No such narrative")
    skipped = _skipped(request)
    if "skip" in request.POST:
        if narrative.pk not in skipped:
            request.session[SESSION_SKIPPED] = [*skipped, narrative.pk][-MAX_SKIPPED:]
        return redirect("outcomes:coding_next")
    if narrative.codings.exists():
        messages.info(request, "Someone else has just coded that one. Here is the next.")
        return redirect("outcomes:coding_next")
    form = CodingForm(request.POST, codes=Code.objects.all())
    if not form.is_valid():
        return _show(request, narrative, form, status=400)
    narrative_code(narrative=narrative, codes=form.cleaned_data["codes"], by=request.user)
    if narrative.pk in skipped:
        request.session[SESSION_SKIPPED] = [pk for pk in skipped if pk != narrative.pk]
    messages.success(request, "Codes saved.")
    return redirect("outcomes:coding_next")


@login_required
@require_POST
def coding_skipped_clear(request: HttpRequest) -> HttpResponse:
    """Bring back the narratives this coder skipped."""
    _require_coder(request)
    request.session.pop(SESSION_SKIPPED, None)
    return redirect("outcomes:coding_next")
