"""The group's pages after an award: reading and accepting the grant agreement (with its PDF), and
sending the end-of-grant report.

Only members of the applying group see these pages. Anyone else gets the same 404 whether the
application exists or not, and the attempt goes into the audit trail. A change that can't happen
now (accepting twice, a report already sent) is shown as a page with the refusal's own status.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from core.adapters import client_ip
from core.audit import audit_record
from core.enums import DocumentKind
from core.models.audit import AuditAction
from core.permissions import signed_in_or_not_found
from core.refusals import refusal_page
from core.services import document_store
from core.uploads import IMAGE_TYPES, clean_filename
from core.workflow import TransitionRefused
from grants.enums import ApplicationStatus, MonitoringStatus
from grants.forms_awards import PHOTO_FIELD, SPEND_PREFIX, AgreementAcceptForm, ReportForm
from grants.forms_definition import questions_from_snapshot
from grants.models import Application, GrantAgreement, MonitoringReport
from grants.services.awards import agreement_accept, report_submit
from grants.views.apply_common import application_for

S = ApplicationStatus
REPORT_OPEN = (MonitoringStatus.DUE, MonitoringStatus.MORE_REQUESTED)
JUST_ACCEPTED = "grants:agreement-just-accepted"


def _agreement_of(application: Application) -> GrantAgreement | None:
    return GrantAgreement.objects.filter(application=application).first()


def _agreement_file(agreement: GrantAgreement) -> tuple[FieldFile | None, bool]:
    """The PDF to offer: as accepted once it is, otherwise as issued; and whether it is accepted."""
    if agreement.accepted_at and agreement.accepted_pdf:
        return agreement.accepted_pdf, True
    return (agreement.issued_pdf or None), False


def _file_size(stored: FieldFile | None) -> int | None:
    try:
        return stored.size if stored else None
    except OSError:
        return None


def _report_of(application: Application) -> MonitoringReport | None:
    return application.monitoring_reports.select_related("photo").order_by("-due_on", "-pk").first()


def _refused(
    request: HttpRequest,
    application: Application,
    message: str,
    status: int = 409,
    *,
    agreement: GrantAgreement | None = None,
    report: MonitoringReport | None = None,
    back_url: str = "",
) -> HttpResponse:
    return render(
        request,
        "grants/awards/refused.html",
        {
            "application": application,
            "message": message,
            "agreement": agreement,
            "report": report,
            "back_url": back_url,
        },
        status=status,
    )


# The grant agreement -----------------------------------------------------------------------------


@signed_in_or_not_found
@require_http_methods(["GET", "POST"])
def agreement(request: HttpRequest, pk: int) -> HttpResponse:
    application = application_for(request, pk)
    agreement = _agreement_of(application)
    if agreement is None:
        return render(
            request, "grants/awards/agreement_not_ready.html", {"application": application}
        )
    can_accept = application.status == S.AGREEMENT_ISSUED and agreement.accepted_at is None
    form = AgreementAcceptForm(
        request.POST if request.method == "POST" else None,
        organisation_name=application.organisation.name,
        initial={"name": request.user.full_name},
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                agreement_accept(
                    application=application,
                    by=request.user,
                    name=form.cleaned_data["name"],
                    role=form.cleaned_data["role"],
                    ip=client_ip(request),
                )
            except TransitionRefused as refusal:
                return _refused(
                    request,
                    application,
                    refusal.message,
                    refusal.status,
                    agreement=_agreement_of(application),
                    back_url=request.path,
                )
            request.session[JUST_ACCEPTED] = application.pk
            return redirect("grants:agreement", pk=application.pk)
        if not can_accept:
            return _refused(
                request,
                application,
                "This agreement can’t be accepted now: it is "
                f"{application.get_status_display().lower()}.",
                agreement=agreement,
                back_url=request.path,
            )
    just_accepted = request.session.pop(JUST_ACCEPTED, None) == application.pk
    return render(
        request,
        "grants/awards/agreement.html",
        {
            "application": application,
            "agreement": agreement,
            "tranches": list(application.tranches.all()),
            "pdf_size": _file_size(_agreement_file(agreement)[0]),
            "form": form if can_accept else None,
            "just_accepted": just_accepted and agreement.accepted_at is not None,
            "report": _report_of(application) if agreement.accepted_at else None,
        },
        status=400 if form.errors else 200,
    )


@signed_in_or_not_found
@require_GET
def agreement_pdf(request: HttpRequest, pk: int) -> FileResponse:
    """The agreement as a tagged PDF: as accepted once it is, otherwise as issued."""
    application = application_for(request, pk)
    agreement = _agreement_of(application)
    if agreement is None:
        raise Http404("No agreement yet")
    stored, accepted = _agreement_file(agreement)
    if stored is None or (agreement.accepted_at and not accepted):
        # The PDF is made by a worker just after the agreement is issued or accepted.
        response = refusal_page(
            request,
            "The PDF of your agreement is being made. Try again in a minute.",
            503,
            reverse("grants:agreement", args=[application.pk]),
        )
        response["Retry-After"] = "30"
        return response
    audit_record(actor=request.user, action=AuditAction.DOWNLOAD, obj=agreement)
    suffix = "-accepted" if accepted else ""
    response = FileResponse(
        stored.open("rb"),
        as_attachment=True,
        filename=f"{application.reference}-grant-agreement{suffix}.pdf",
        content_type="application/pdf",
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


# The end-of-grant report -------------------------------------------------------------------------


def _report_is_open(application: Application, report: MonitoringReport | None) -> bool:
    """The group sends its report once we have asked for it (the grant is being monitored), and
    again if we asked for more."""
    return (
        report is not None and application.status == S.MONITORING and report.status in REPORT_OPEN
    )


def _report_form(
    request: HttpRequest, application: Application, report: MonitoringReport
) -> ReportForm:
    budget_lines = [] if report.is_light_touch else list(application.budget_lines.all())
    initial = dict(report.answers)
    for line in report.spend or []:
        if isinstance(line, dict) and line.get("budget_line") and "spent_pence" in line:
            pence = int(line["spent_pence"])
            initial[f"{SPEND_PREFIX}{line['budget_line']}"] = f"{pence // 100}.{pence % 100:02d}"
    posted = request.method == "POST"
    return ReportForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        questions=questions_from_snapshot(report.form_snapshot),
        budget_lines=budget_lines,
        photo_on_file=report.photo.original_filename if report.photo else "",
        initial=initial,
    )


def _report_sent(report: MonitoringReport | None) -> dict:
    """What the group sent, to show back to them: each answer, and spend with its totals."""
    if report is None or report.submitted_at is None:
        return {}
    answers = [
        (question.label, question.display(report.answers.get(question.key)))
        for question in questions_from_snapshot(report.form_snapshot)
    ]
    spend = [line for line in report.spend or [] if isinstance(line, dict)]
    return {
        "answers": answers,
        "spend": spend,
        "budgeted_total_pence": sum(int(line.get("budgeted_pence") or 0) for line in spend),
        "spent_total_pence": sum(int(line.get("spent_pence") or 0) for line in spend),
    }


def _photo_error(error: ValidationError, name: str) -> str:
    if error.code == "bad_type":
        return f"“{clean_filename(name)}” is not a photo we can take. Choose a JPEG or PNG"
    return error.messages[0]


@signed_in_or_not_found
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, pk: int) -> HttpResponse:
    application = application_for(request, pk)
    report = _report_of(application)
    is_open = _report_is_open(application, report)
    if request.method == "POST" and not is_open:
        if report is not None and report.status not in REPORT_OPEN:
            message = "This report has already been sent."
        else:
            message = "We are not asking for your end-of-grant report yet."
        return _refused(request, application, message, report=report, back_url=request.path)
    if not is_open:
        return render(
            request,
            "grants/awards/report_status.html",
            {"application": application, "report": report, **_report_sent(report)},
        )
    form = _report_form(request, application, report)
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data.get(PHOTO_FIELD)
        try:
            with transaction.atomic():
                photo = None
                if uploaded:
                    photo = document_store(
                        organisation=application.organisation,
                        kind=DocumentKind.PHOTO,
                        uploaded=uploaded,
                        by=request.user,
                        allowed=IMAGE_TYPES,
                    )
                report_submit(
                    report=report,
                    by=request.user,
                    answers=form.answers(),
                    spend=form.spend(),
                    photo=photo,
                )
        except ValidationError as error:
            form.add_error(PHOTO_FIELD, _photo_error(error, uploaded.name if uploaded else ""))
        except TransitionRefused as refusal:
            return _refused(
                request,
                application,
                refusal.message,
                refusal.status,
                report=report,
                back_url=request.path,
            )
        else:
            return redirect("grants:report", pk=application.pk)
    return render(
        request,
        "grants/awards/report.html",
        {"application": application, "report": report, "form": form},
        status=400 if form.errors else 200,
    )
