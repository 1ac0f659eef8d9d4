import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from core.audit import audit_denied, audit_record
from core.forms import DocumentUploadForm, OrganisationForm
from core.messenger import OPTIONAL_KINDS
from core.middleware import SESSION_LAST_SEEN
from core.models import NotificationPreference, Organisation, PrivateDocument
from core.models.audit import AuditAction
from core.permissions import (
    can_manage_organisation,
    can_view_document,
    current_board_memberships,
    organisations_for,
    signed_in_or_not_found,
)
from core.services import document_store, organisation_create


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    organisations = organisations_for(request.user).prefetch_related("localities")
    return render(
        request,
        "core/dashboard.html",
        {
            "organisations": organisations,
            "recent_messages": request.user.inbox.all()[:5],
            "is_board_member": current_board_memberships(request.user).exists(),
        },
    )


def _organisation_for_member(request: HttpRequest, pk: int) -> Organisation:
    organisation = get_object_or_404(Organisation, pk=pk)
    if not can_manage_organisation(request.user, organisation):
        audit_denied(actor=request.user, obj=organisation)
        raise Http404("No such organisation")
    return organisation


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create_view(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        organisation = organisation_create(owner=request.user, **fields)
        messages.success(request, f"{organisation.name} has been added.")
        return redirect("core:organisation_detail", pk=organisation.pk)
    return render(request, "core/organisation_form.html", {"form": form, "creating": True})


@signed_in_or_not_found
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation_for_member(request, pk)
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        form.save()
        audit_record(actor=request.user, action=AuditAction.UPDATE, obj=organisation)
        messages.success(request, "Your changes have been saved.")
        return redirect("core:organisation_detail", pk=organisation.pk)
    return render(
        request, "core/organisation_form.html", {"form": form, "organisation": organisation}
    )


@signed_in_or_not_found
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation_for_member(request, pk)
    return render(
        request,
        "core/organisation_detail.html",
        {
            "organisation": organisation,
            "documents": organisation.documents.all(),
            "members": organisation.memberships.select_related("user"),
        },
    )


@signed_in_or_not_found
@require_http_methods(["GET", "POST"])
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation_for_member(request, pk)
    form = DocumentUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            document = document_store(
                organisation=organisation,
                kind=form.cleaned_data["kind"],
                uploaded=form.cleaned_data["file"],
                expires_on=form.cleaned_data["expires_on"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            messages.success(request, f"“{document.original_filename}” has been uploaded.")
            return redirect("core:organisation_detail", pk=organisation.pk)
    return render(
        request,
        "core/document_upload.html",
        {"form": form, "organisation": organisation},
        status=400 if form.errors else 200,
    )


@signed_in_or_not_found
@require_GET
def document_download(request: HttpRequest, pk: int) -> FileResponse:
    document = get_object_or_404(PrivateDocument.objects.select_related("organisation"), pk=pk)
    if not can_view_document(request.user, document):
        audit_denied(actor=request.user, obj=document)
        raise Http404("No such document")
    audit_record(actor=request.user, action=AuditAction.DOWNLOAD, obj=document)
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_filename,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    return render(request, "core/inbox.html", {"inbox_messages": request.user.inbox.all()[:100]})


@signed_in_or_not_found
def inbox_message(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(request.user.inbox, pk=pk)
    if message.read_at is None:
        request.user.inbox.filter(pk=pk).update(read_at=timezone.now())
    return render(request, "core/inbox_message.html", {"message": message})


@login_required
@require_http_methods(["GET", "POST"])
def notification_preferences(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        for kind in OPTIONAL_KINDS:
            NotificationPreference.objects.update_or_create(
                user=request.user, kind=kind, defaults={"email": request.POST.get(kind) == "on"}
            )
        messages.success(request, "Your email choices have been saved.")
        return redirect("core:notification_preferences")
    current = {p.kind: p.email for p in NotificationPreference.objects.filter(user=request.user)}
    choices = [(kind, label, current.get(kind, True)) for kind, label in OPTIONAL_KINDS.items()]
    return render(request, "core/notification_preferences.html", {"choices": choices})


@never_cache
@require_http_methods(["GET", "POST"])
def session_status(request: HttpRequest) -> JsonResponse:
    """How long until an idle sign-out; POST keeps the session alive (the timeout warning's button)."""
    if not request.user.is_authenticated:
        return JsonResponse({"signed_in": False})
    now = time.time()
    if request.method == "POST":
        request.session[SESSION_LAST_SEEN] = now
    last_seen = request.session.get(SESSION_LAST_SEEN, now)
    remaining = max(0, int(settings.SESSION_IDLE_TIMEOUT - (now - last_seen)))
    return JsonResponse({"signed_in": True, "seconds_left": remaining})


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Database, cache and broker, each 'ok' or what is wrong. 503 if any is down."""
    from django.core.cache import cache

    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # each dependency is reported, not raised
        checks["database"] = f"error: {type(exc).__name__}"
    try:
        cache.set("healthz", "ok", 5)
        checks["cache"] = (
            "ok" if cache.get("healthz") == "ok" else "error: cache did not keep a value"
        )
    except Exception as exc:
        checks["cache"] = f"error: {type(exc).__name__}"
    checks["broker"] = _broker_status()
    healthy = all(value in {"ok", "eager"} for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )


def _broker_status() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    from config.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception as exc:
        return f"error: {type(exc).__name__}"
