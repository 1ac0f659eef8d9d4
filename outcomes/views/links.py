"""Practitioners' pages for the links families use to tell their story: make one, show it (with a QR
code to scan or print), and stop one working. Mounted under /families/<reference>/links/.

A person who may not see the family gets the same 404 as for a family that does not exist, and the
attempt goes into the audit trail.
"""

import base64

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

import qrcode
import qrcode.image.svg

from core.audit import audit_denied, audit_view
from core.permissions import signed_in_or_not_found
from outcomes.enums import EpisodeStatus
from outcomes.forms_family import LinkCreateForm
from outcomes.models import CheckpointLink, FamilyRecord
from outcomes.services.links import LinkRefused, link_create, link_revoke, link_state, link_token
from outcomes.views.common import family_or_404


def _link_or_404(request: HttpRequest, family: FamilyRecord, link_id: int) -> CheckpointLink:
    link = (
        CheckpointLink.objects.filter(pk=link_id, episode__family=family)
        .select_related("episode__framework_version__framework", "created_by")
        .first()
    )
    if link is None:
        audit_denied(actor=request.user, obj=family, detail={"checkpoint_link_id": link_id})
        raise Http404("No such link")
    return link


def family_link_url(request: HttpRequest, link: CheckpointLink) -> str:
    return request.build_absolute_uri(reverse("outcomes:family_start", args=[link_token(link)]))


def qr_code_data_uri(text: str) -> str:
    """An SVG QR code as a data: URI, so it can be shown and printed with no script and no request
    to anyone else."""
    image = qrcode.make(
        text,
        image_factory=qrcode.image.svg.SvgPathFillImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        box_size=10,
        border=4,
    )
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode("ascii")


@signed_in_or_not_found
@require_GET
def link_list(request: HttpRequest, reference: str) -> HttpResponse:
    family = family_or_404(request, reference)
    links = (
        CheckpointLink.objects.filter(episode__family=family)
        .select_related("episode", "created_by")
        .order_by("-created_at")
    )
    rows = [(link, link_state(link)) for link in links]
    can_make = family.episodes.filter(status=EpisodeStatus.OPEN).exists()
    return render(
        request,
        "outcomes/links/list.html",
        {"family": family, "rows": rows, "can_make": can_make},
    )


@signed_in_or_not_found
@require_http_methods(["GET", "POST"])
def link_create_view(request: HttpRequest, reference: str) -> HttpResponse:
    family = family_or_404(request, reference)
    episodes = list(
        family.episodes.filter(status=EpisodeStatus.OPEN)
        .select_related("framework_version__framework")
        .order_by("-started_on")
    )
    form = LinkCreateForm(request.POST if request.method == "POST" else None, episodes=episodes)
    if request.method == "POST" and episodes and form.is_valid():
        data = form.cleaned_data
        try:
            link = link_create(
                episode=data["episode"],
                kind=data["kind"],
                by=request.user,
                assisted=data["together"] == "together",
                days=data["days"],
            )
        except PermissionDenied as exc:  # the family was moved away from them meanwhile
            raise Http404("No such family") from exc
        except LinkRefused as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "The link has been made. Give it to the family.")
            return redirect("outcomes:link_detail", family.reference, link.pk)
    return render(
        request,
        "outcomes/links/create.html",
        {"family": family, "form": form, "episodes": episodes},
    )


@signed_in_or_not_found
@require_GET
def link_detail(request: HttpRequest, reference: str, link_id: int) -> HttpResponse:
    family = family_or_404(request, reference)
    link = _link_or_404(request, family, link_id)
    state = link_state(link)
    context = {"family": family, "link": link, "state": state}
    if state.usable:
        url = family_link_url(request, link)
        context.update(url=url, qr_code=qr_code_data_uri(url))
    audit_view(actor=request.user, obj=link)
    response = render(request, "outcomes/links/detail.html", context)
    # The page carries a working link to a family's record: keep it out of caches and referrers.
    response["Cache-Control"] = "no-store, private"
    response["Referrer-Policy"] = "no-referrer"
    return response


@signed_in_or_not_found
@require_http_methods(["GET", "POST"])
def link_revoke_view(request: HttpRequest, reference: str, link_id: int) -> HttpResponse:
    """Ask, then stop the link. The question is a page of its own, without the link on it: the
    page showing the link sends no referrer, and a browser then sends `Origin: null` with a form,
    which the CSRF check (rightly, for a signed-in practitioner) refuses."""
    family = family_or_404(request, reference)
    link = _link_or_404(request, family, link_id)
    if request.method == "GET":
        return render(
            request,
            "outcomes/links/revoke.html",
            {"family": family, "link": link, "state": link_state(link)},
        )
    try:
        link_revoke(link=link, by=request.user)
    except PermissionDenied as exc:
        raise Http404("No such link") from exc
    messages.success(
        request, "The link has stopped working. Anything the family already told you is kept."
    )
    return redirect("outcomes:link_detail", family.reference, link.pk)
