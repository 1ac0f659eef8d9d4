"""How groups are paid: a Stripe Connect account onboarded on Stripe's pages, or bank details for
a BACS file, which an officer confirms before any money uses them."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.audit import audit_record
from core.messenger import message_send
from core.models import Organisation, User
from core.models.audit import AuditAction
from core.workflow import TransitionRefused
from payments.bacs import BacsFileError, normalise_account_number, normalise_sort_code
from payments.models import BankDetails, ConnectedAccount
from payments.permissions import can_manage_bank_details
from payments.services.events import connect_sync
from payments.stripe_api import stripe_client


def onboarding_link(
    organisation: Organisation, *, by: User, return_url: str, refresh_url: str
) -> str:
    """Where a group's member goes to set up (or finish setting up) its Stripe account."""
    client = stripe_client()
    with transaction.atomic():
        # The group's row is the lock: two first clicks at once must not make two accounts.
        Organisation.objects.select_for_update().get(pk=organisation.pk)
        account = ConnectedAccount.objects.filter(organisation=organisation).first()
        if account is None:
            created = client.v1.accounts.create(
                params={
                    "type": "express",
                    "country": "GB",
                    "email": by.email,
                    "business_profile": {"name": organisation.name},
                    "capabilities": {"transfers": {"requested": True}},
                    "metadata": {"organisation": str(organisation.pk)},
                },
                options={"idempotency_key": f"seedbed-organisation-{organisation.pk}-account"},
            )
            account = ConnectedAccount.objects.create(
                organisation=organisation, stripe_account_id=created.id
            )
            audit_record(
                actor=by, action=AuditAction.CREATE, obj=account, detail={"stripe": created.id}
            )
    link = client.v1.account_links.create(
        params={
            "account": account.stripe_account_id,
            "type": "account_onboarding",
            "return_url": return_url,
            "refresh_url": refresh_url,
        }
    )
    return link.url


def connect_refresh(account: ConnectedAccount) -> ConnectedAccount:
    """Ask Stripe how the account stands now (the group has just come back from its pages)."""
    connect_sync(stripe_client().v1.accounts.retrieve(account.stripe_account_id).to_dict())
    account.refresh_from_db()
    return account


def bank_details_save(
    organisation: Organisation, *, by: User, account_name: str, sort_code: str, account_number: str
) -> BankDetails:
    """New or changed details wait for an officer's confirmation before any payment uses them,
    and every member of the group is told of the change."""
    try:
        sort_code = normalise_sort_code(sort_code)
        account_number = normalise_account_number(account_number)
    except BacsFileError as exc:
        raise ValueError(str(exc)) from exc
    with transaction.atomic():
        details, created = BankDetails.objects.update_or_create(
            organisation=organisation,
            defaults={
                "account_name": " ".join(account_name.split()),
                "sort_code": sort_code,
                "account_number": account_number,
                "changed_by": by,
                "confirmed_at": None,
                "confirmed_by": None,
                "confirmation_note": "",
            },
        )
        audit_record(
            actor=by,
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            obj=details,
            detail={"bank_details": details.masked},
        )
        # Everyone in the group hears of a change: changed bank details are how grants are stolen.
        link = reverse("payments:group-payments", args=[organisation.pk])
        for membership in organisation.memberships.select_related("user"):
            message_send(
                recipient=membership.user,
                kind="security",
                template="payments/emails/bank_details_changed",
                context={"organisation": organisation, "details": details, "by": by},
                link=link,
            )
    return details


def bank_details_confirm(details: BankDetails, *, by: User, note: str) -> BankDetails:
    if not can_manage_bank_details(by):
        raise TransitionRefused(
            "Only a finance or grants officer can confirm bank details.", status=403
        )
    if details.changed_by_id == by.pk:
        raise TransitionRefused("Someone other than the person who entered them must confirm them.")
    if not note.strip():
        raise TransitionRefused(
            "Say how you checked them, for example who you telephoned.", status=400
        )
    details.confirmed_at = timezone.now()
    details.confirmed_by = by
    details.confirmation_note = note.strip()[:300]
    details.save(update_fields=["confirmed_at", "confirmed_by", "confirmation_note"])
    audit_record(actor=by, action=AuditAction.UPDATE, obj=details, detail={"confirmed": note[:100]})
    return details
