"""Practitioners' pages for family records: the list, adding a family, a family's page, opening an
episode, recording a checkpoint with the family and closing an episode.

Every page that takes a family's reference, or an id under it, finds the family through
`outcomes.permissions`; a person who may not see it gets the same 404 as for a reference that does
not exist, and the attempt goes into the audit trail."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dateformat
from django.views.decorators.http import require_GET, require_http_methods

from core.audit import audit_denied, audit_view
from core.models import Locality
from core.permissions import signed_in_or_not_found
from core.refusals import refusal_page
from core.workflow import TransitionRefused
from outcomes.enums import EpisodeStatus
from outcomes.forms_staff import (
    NARRATIVE_PROMPT,
    CheckpointForm,
    EpisodeCloseForm,
    EpisodeOpenForm,
    FamilyCreateForm,
    FamilyFilterForm,
)
from outcomes.models import (
    Checkpoint,
    DomainScore,
    Episode,
    FamilyRecord,
    Narrative,
    TriagedIssue,
)
from outcomes.permissions import families_for
from outcomes.services.families import (
    checkpoint_record_assisted,
    family_create,
    family_episode_open,
)
from outcomes.services.records import episode_close
from outcomes.views.common import family_or_404

PAGE_SIZE = 25

# GOV.UK Frontend's tag colours, as the nearest match for a triage level's own colour (levels are
# data, and inline styles are blocked by the content security policy). The level's name is always
# written in the tag too: colour is never the only way a level is told apart.
TAG_COLOURS = {
    "": (0x1D, 0x70, 0xB8),  # the default tag is blue
    "govuk-tag--green": (0x00, 0x70, 0x3C),
    "govuk-tag--teal": (0x15, 0x81, 0x87),
    "govuk-tag--turquoise": (0x28, 0xA1, 0x97),
    "govuk-tag--yellow": (0xFF, 0xDD, 0x00),
    "govuk-tag--orange": (0xF4, 0x77, 0x38),
    "govuk-tag--red": (0xD4, 0x35, 0x1C),
    "govuk-tag--purple": (0x4C, 0x2C, 0x92),
    "govuk-tag--pink": (0xD5, 0x38, 0x80),
    "govuk-tag--grey": (0x50, 0x5A, 0x5F),
}


def level_tag_class(colour: str) -> str:
    value = colour.strip().lstrip("#")
    if len(value) != 6:
        return "govuk-tag--grey"
    try:
        rgb = tuple(int(value[i : i + 2], 16) for i in (0, 2, 4))
    except ValueError:
        return "govuk-tag--grey"
    return min(
        TAG_COLOURS,
        key=lambda name: sum((a - b) ** 2 for a, b in zip(rgb, TAG_COLOURS[name], strict=True)),
    )


def _episode_or_404(request: HttpRequest, family: FamilyRecord, episode_id: int) -> Episode:
    episode = (
        Episode.objects.filter(pk=episode_id)
        .select_related("framework_version__framework__triage_scale")
        .first()
    )
    if episode is None or episode.family_id != family.pk:
        audit_denied(
            actor=request.user,
            obj=episode,
            detail={"family_reference": family.reference, "episode_id": episode_id},
        )
        raise Http404("No such episode")
    episode.family = family
    return episode


def _refused(request: HttpRequest, family: FamilyRecord, message: str, status: int = 409):
    return refusal_page(
        request, message, status, reverse("outcomes:families_detail", args=[family.reference])
    )


def _self_report_url(family: FamilyRecord) -> str:
    """Where a practitioner makes a link for the family to fill a checkpoint in themselves."""
    return reverse("outcomes:link_create", kwargs={"reference": family.reference})


@login_required
@require_GET
def family_list(request: HttpRequest) -> HttpResponse:
    visible = families_for(request.user)
    localities = Locality.objects.filter(families__in=visible.values("pk")).distinct()
    filters = FamilyFilterForm(request.GET, localities=localities)
    families = (
        FamilyRecord.objects.filter(pk__in=visible.values("pk"))
        .select_related("locality", "supporting_organisation")
        .annotate(
            open_episodes=Count("episodes", filter=Q(episodes__status=EpisodeStatus.OPEN)),
            all_episodes=Count("episodes"),
        )
        .order_by("reference")
    )
    if filters.is_valid():
        if locality := filters.cleaned_data["locality"]:
            families = families.filter(locality=locality)
        if filters.cleaned_data["status"] == "open":
            families = families.filter(open_episodes__gt=0)
        elif filters.cleaned_data["status"] == "not_open":
            families = families.filter(open_episodes=0)
    page = Paginator(families, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "outcomes/staff/family_list.html",
        {
            "page_obj": page,
            "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=1),
            "families": page.object_list,
            "filters": filters,
            "filtered": any(request.GET.get(name) for name in ("locality", "status")),
            "can_add": request.user.has_perm("outcomes.add_familyrecord"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def family_add(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("outcomes.add_familyrecord"):
        audit_denied(actor=request.user, detail={"page": "add a family"})
        raise PermissionDenied
    form = FamilyCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        family = family_create(
            by=request.user,
            locality=data["locality"],
            supporting_organisation=data["supporting_organisation"],
            supporting_team=data["supporting_team"],
            consent_scope=data["consent_scope"],
        )
        messages.success(
            request, f"The family has been added. Their reference is {family.reference}."
        )
        return redirect("outcomes:families_detail", reference=family.reference)
    return render(
        request,
        "outcomes/staff/family_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@signed_in_or_not_found
@require_GET
def family_detail(request: HttpRequest, reference: str) -> HttpResponse:
    family = family_or_404(request, reference)
    checkpoints = Checkpoint.objects.select_related("assisted_by").prefetch_related(
        Prefetch("issues", queryset=TriagedIssue.objects.select_related("level")),
        Prefetch("narratives", queryset=Narrative.objects.prefetch_related("codings__code")),
        Prefetch("scores", queryset=DomainScore.objects.select_related("domain", "level")),
    )
    episodes = list(
        family.episodes.select_related("framework_version__framework", "provider").prefetch_related(
            Prefetch("checkpoints", queryset=checkpoints)
        )
    )
    for episode in episodes:
        for checkpoint in episode.checkpoints.all():
            for issue in checkpoint.issues.all():
                issue.tag_class = level_tag_class(issue.level.colour)
            for score in checkpoint.scores.all():
                if score.level is not None:
                    score.tag_class = level_tag_class(score.level.colour)
    audit_view(actor=request.user, obj=family)
    return render(
        request,
        "outcomes/staff/family_detail.html",
        {
            "family": family,
            "episodes": episodes,
            "self_report_url": _self_report_url(family),
        },
    )


@signed_in_or_not_found
@require_http_methods(["GET", "POST"])
def episode_open(request: HttpRequest, reference: str) -> HttpResponse:
    family = family_or_404(request, reference)
    form = EpisodeOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            episode = family_episode_open(
                family=family,
                framework=data["framework"],
                started_on=data["started_on"],
                reference=data["reference"],
                by=request.user,
            )
        except ValueError as error:
            form.add_error("framework", str(error))
        except IntegrityError:
            form.add_error("reference", "That case reference is already used. Enter another one.")
        else:
            messages.success(request, f"Episode {episode.reference} is open.")
            return redirect("outcomes:families_detail", reference=family.reference)
    return render(
        request,
        "outcomes/staff/episode_form.html",
        {"form": form, "family": family},
        status=400 if form.errors else 200,
    )


@signed_in_or_not_found
@require_http_methods(["GET", "POST"])
def checkpoint_record(request: HttpRequest, reference: str, episode_id: int) -> HttpResponse:
    family = family_or_404(request, reference)
    episode = _episode_or_404(request, family, episode_id)
    if episode.status == EpisodeStatus.CLOSED:
        return _refused(
            request,
            family,
            f"Episode {episode.reference} is closed, so nothing more can be recorded for it. "
            "Open a new episode if the family needs help again.",
        )
    form = CheckpointForm(request.POST or None, episode=episode)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            checkpoint = checkpoint_record_assisted(
                episode=episode,
                by=request.user,
                kind=data["kind"],
                recorded_on=data["recorded_on"],
                issues=form.issue_entries,
                narrative=data["narrative"],
                prompt=NARRATIVE_PROMPT,
                narrative_by_family=data["narrative_by_family"],
                scores=form.score_entries,
            )
        except TransitionRefused as refusal:
            return _refused(request, family, refusal.message, refusal.status)
        except IntegrityError:
            return _refused(
                request,
                family,
                "Someone has just recorded this checkpoint for the episode. "
                "Go back to the family’s page to see it.",
            )
        messages.success(
            request,
            f"The {checkpoint.get_kind_display().lower()} for {episode.reference} has been submitted.",
        )
        return redirect("outcomes:families_detail", reference=family.reference)
    return render(
        request,
        "outcomes/staff/checkpoint_form.html",
        {"form": form, "family": family, "episode": episode},
        status=400 if form.errors else 200,
    )


def _already_closed(episode: Episode) -> str:
    closed_on = episode.closed_on
    when = f" on {dateformat.format(closed_on, 'j F Y')}" if closed_on else ""
    return f"Episode {episode.reference} is already closed: it was closed{when}. Nothing has been changed."


@signed_in_or_not_found
@require_http_methods(["GET", "POST"])
def episode_close_view(request: HttpRequest, reference: str, episode_id: int) -> HttpResponse:
    family = family_or_404(request, reference)
    episode = _episode_or_404(request, family, episode_id)
    if request.method == "GET" and episode.status == EpisodeStatus.CLOSED:
        return _refused(request, family, _already_closed(episode))
    form = EpisodeCloseForm(request.POST or None, episode=episode)
    if request.method == "POST" and form.is_valid():
        try:
            episode_close(
                episode=episode,
                outcome=form.cleaned_data["outcome"],
                closed_on=form.cleaned_data["closed_on"],
                by=request.user,
            )
        except TransitionRefused as refusal:
            current = Episode.objects.filter(pk=episode.pk).first()
            if current is not None and current.status == EpisodeStatus.CLOSED:
                return _refused(request, family, _already_closed(current), refusal.status)
            return _refused(request, family, refusal.message, refusal.status)
        messages.success(request, f"Episode {episode.reference} is closed.")
        return redirect("outcomes:families_detail", reference=family.reference)
    return render(
        request,
        "outcomes/staff/episode_close.html",
        {"form": form, "family": family, "episode": episode},
        status=400 if form.errors else 200,
    )
