"""After the award: the agreement and its acceptance, payments, and the end-of-grant report."""

import datetime

from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.messenger import message_send
from core.models import User
from core.outbox import enqueue_after_commit
from core.pdf import render_pdf
from core.workflow import TransitionRefused, transition_apply
from grants import ledger
from grants.enums import ApplicationStatus, MonitoringStatus, TrancheStatus
from grants.models import Application, GrantAgreement, MonitoringReport, Tranche

S = ApplicationStatus

LIGHT_TOUCH_QUESTIONS = [
    {
        "type": "long_text",
        "id": "what_happened",
        "value": {"label": "What did you do with the grant?", "required": True, "word_limit": 200},
    },
    {
        "type": "long_text",
        "id": "who_came",
        "value": {
            "label": "Who took part, and roughly how many people?",
            "required": True,
            "word_limit": 100,
        },
    },
    {
        "type": "long_text",
        "id": "what_changed",
        "value": {
            "label": "What difference did it make? A sentence or two from someone who took part is welcome.",
            "required": True,
            "word_limit": 200,
        },
    },
]


def _tell_group(application: Application, template: str, link: str, **context) -> None:
    for membership in application.organisation.memberships.select_related("user"):
        message_send(
            recipient=membership.user,
            kind="application",
            template=f"grants/emails/{template}",
            context={"application": application, **context},
            link=link,
        )


def payment_schedule(
    application: Application, tranches: list[tuple[int, datetime.date]] | None
) -> list[tuple[int, datetime.date]]:
    """One payment now unless the officer sets tranches; tranches must add up to the award."""
    amount = application.amount_awarded_pence or 0
    if not tranches:
        return [(amount, timezone.localdate())]
    if sum(part for part, _ in tranches) != amount:
        raise TransitionRefused("The payments must add up to the amount awarded.", status=400)
    return tranches


def agreement_pdf(application: Application, agreement: GrantAgreement) -> bytes:
    return render_pdf(
        "grants/pdf/agreement.html",
        {
            "application": application,
            "agreement": agreement,
            "tranches": application.tranches.all(),
        },
        title=f"Grant agreement {application.reference}",
    )


def agreement_pdf_store(*, agreement_id: int, accepted: bool) -> GrantAgreement | None:
    """Make and keep the agreement's PDF, as issued or as accepted. Run by a worker after the
    change commits; a second delivery finds the file made and does nothing."""
    agreement = (
        GrantAgreement.objects.select_related("application__fund", "application__organisation")
        .filter(pk=agreement_id)
        .first()
    )
    if agreement is None:
        return None
    stored = agreement.accepted_pdf if accepted else agreement.issued_pdf
    if stored or (accepted and agreement.accepted_at is None):
        return agreement
    application = agreement.application
    suffix = "-accepted" if accepted else ""
    stored.save(
        f"{application.reference}-agreement{suffix}.pdf",
        ContentFile(agreement_pdf(application, agreement)),
        save=False,
    )
    GrantAgreement.objects.filter(pk=agreement.pk).update(
        **{"accepted_pdf" if accepted else "issued_pdf": stored.name}
    )
    return agreement


def _pdf_after_commit(agreement: GrantAgreement, *, accepted: bool) -> None:
    from grants.tasks import make_agreement_pdf

    enqueue_after_commit(make_agreement_pdf, agreement.pk, accepted)


def default_grant_period(starts_on: datetime.date) -> tuple[datetime.date, datetime.date]:
    """A small grant is spent within a year of the agreement."""
    try:
        a_year_on = starts_on.replace(year=starts_on.year + 1)
    except ValueError:  # 29 February
        a_year_on = starts_on.replace(year=starts_on.year + 1, day=28)
    return starts_on, a_year_on - datetime.timedelta(days=1)


def agreement_issue(
    *,
    application: Application,
    by: User,
    tranches: list[tuple[int, datetime.date]] | None = None,
    period: tuple[datetime.date, datetime.date] | None = None,
) -> GrantAgreement:
    """Send the group its agreement: the payment schedule and the grant period (the planned dates
    published in open data), a year from today unless the officer sets it."""
    schedule = payment_schedule(application, tranches)
    starts_on, ends_on = period or default_grant_period(timezone.localdate())
    if ends_on < starts_on:
        raise TransitionRefused(
            "The grant period must end on or after the day it starts.", status=400
        )
    today = timezone.localdate()
    if any(not today <= due_on <= ends_on for _amount, due_on in schedule):
        raise TransitionRefused(
            f"Each payment must be due between today and the end of the grant period "
            f"({ends_on.day} {ends_on:%B %Y}).",
            status=400,
        )
    application.planned_start_on, application.planned_end_on = starts_on, ends_on
    with transaction.atomic():
        transition_apply(application, application.issue_agreement, by=by)
        agreement = GrantAgreement.objects.create(application=application, issued_by=by)
        Tranche.objects.bulk_create(
            Tranche(application=application, number=index, amount_pence=amount, due_on=due_on)
            for index, (amount, due_on) in enumerate(schedule, start=1)
        )
        _pdf_after_commit(agreement, accepted=False)
        _tell_group(
            application, "agreement_issued", reverse("grants:agreement", args=[application.pk])
        )
    return agreement


def report_due_on(application: Application) -> datetime.date:
    """The end-of-grant report is due a set time after the grant period ends: a group reports on
    the whole grant, never half-way through it."""
    ends_on = application.planned_end_on or timezone.localdate()
    return ends_on + datetime.timedelta(days=application.fund.monitoring_due_days)


def agreement_accept(
    *, application: Application, by: User, name: str, role: str, ip: str
) -> GrantAgreement:
    """The group accepts online: who, in what role, when and from where is kept with the PDF."""
    name = " ".join(name.split())
    if not name:
        raise TransitionRefused("Enter the full name of the person accepting.", status=400)
    with transaction.atomic():
        transition_apply(application, application.accept_agreement, by=by)
        agreement = GrantAgreement.objects.select_for_update().get(application=application)
        agreement.accepted_at = timezone.now()
        agreement.accepted_by = by
        agreement.accepted_name = name
        agreement.accepted_role = role.strip()
        agreement.accepted_ip = ip
        agreement.save()
        _pdf_after_commit(agreement, accepted=True)
        fund = application.fund
        light = (application.amount_awarded_pence or 0) < fund.short_form_below_pence
        MonitoringReport.objects.create(
            application=application,
            due_on=report_due_on(application),
            is_light_touch=light,
            form_snapshot=LIGHT_TOUCH_QUESTIONS if light else list(fund.end_of_grant_form.raw_data),
        )
    return agreement


# A tranche whose money came back is paid again after the award has moved on.
PAYABLE = (S.AGREEMENT_ACCEPTED, S.PAID, S.MONITORING)


def payment_record(*, tranche: Tranche, by: User, reference: str, external_id: str = "") -> Tranche:
    """A payment left the council: recorded by an officer for one made outside Seedbed (a
    cheque), or by a payment run. Recording it twice changes nothing the second time."""
    reference = reference.strip()
    if not reference:
        raise TransitionRefused(
            "Enter the payment reference (the BACS or cheque reference), so the payment can be "
            "matched with the bank statement.",
            status=400,
        )
    with transaction.atomic():
        locked = Tranche.objects.select_for_update().get(pk=tranche.pk)
        if locked.status == TrancheStatus.PAID:
            return locked
        application = Application.objects.get(pk=locked.application_id)
        if application.status not in PAYABLE:
            raise TransitionRefused(
                "Payments are recorded once the group has accepted the agreement."
            )
        from grants.permissions import can_record_payment

        if not can_record_payment(application, by):
            raise TransitionRefused("You don’t have permission to record payments.", status=403)
        locked.status = TrancheStatus.PAID
        locked.paid_at = timezone.now()
        locked.payment_reference = reference
        locked.recorded_by = by
        locked.save()
        ledger.record_payment(tranche=locked, by=by, external_id=external_id)
        if application.status == S.AGREEMENT_ACCEPTED and application.is_fully_paid():
            transition_apply(application, application.mark_paid, by=by)
            _tell_group(
                application, "paid", reverse("grants:application-status", args=[application.pk])
            )
    tranche.refresh_from_db()
    return locked


def monitoring_start(*, application: Application, by: User | None) -> Application:
    transition_apply(application, application.request_monitoring, by=by)
    return application


def report_submit(
    *, report: MonitoringReport, by: User, answers: dict, spend: list, photo=None
) -> MonitoringReport:
    from grants.permissions import is_member_of_applicant

    if not is_member_of_applicant(report.application, by):
        raise TransitionRefused("Only the group can send its report.", status=403)
    if report.status not in (MonitoringStatus.DUE, MonitoringStatus.MORE_REQUESTED):
        raise TransitionRefused("This report has already been sent.")
    report.answers = answers
    report.spend = spend
    if photo is not None:
        report.photo = photo
    report.status = MonitoringStatus.SUBMITTED
    report.submitted_at = timezone.now()
    report.save()
    return report


def report_accept(*, report: MonitoringReport, by: User) -> Application:
    """The officer is content: the grant closes, and anything unspent goes back to the fund."""
    application = report.application
    with transaction.atomic():
        if report.status != MonitoringStatus.SUBMITTED:
            raise TransitionRefused("There is no report waiting to be accepted.")
        report.status = MonitoringStatus.ACCEPTED
        report.reviewed_at = timezone.now()
        report.reviewed_by = by
        report.save()
        transition_apply(application, application.close, by=by)
        ledger.release_commitment(
            application=application,
            amount_pence=ledger.outstanding_commitment_pence(application),
            by=by,
            memo=f"{application.reference} closed: unspent commitment returned",
        )
    return application


def report_ask_more(*, report: MonitoringReport, by: User, comment: str) -> MonitoringReport:
    if report.status != MonitoringStatus.SUBMITTED:
        raise TransitionRefused("There is no report waiting to be reviewed.")
    if not comment.strip():
        raise TransitionRefused("Say what more you need from the group.", status=400)
    report.status = MonitoringStatus.MORE_REQUESTED
    report.officer_comment = comment.strip()
    report.reviewed_at = timezone.now()
    report.reviewed_by = by
    report.save()
    _tell_group(
        report.application, "report_more", reverse("grants:report", args=[report.application_id])
    )
    return report
