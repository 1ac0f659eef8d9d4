"""Forms on the staff admin's money pages. Choices are limited to what the person may act on, so
a fund or source from outside their reach is simply not a valid choice."""

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from core import forms as core_forms
from core.models import User
from grants.models import Fund, FundingSource
from grants.permissions import funds_in_reach

#: A reconciliation reads Stripe while the officer waits: keep each one to about a quarter.
LONGEST_RECONCILIATION_DAYS = 92


class DateInput(forms.DateInput):
    """A browser's date picker, which takes only ISO dates: a British date would leave it empty."""

    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class PoundsField(core_forms.PoundsField):
    """An amount of money moved: more than nothing."""

    def clean(self, value: Any) -> int:
        pence = super().clean(value)
        if pence <= 0:
            raise ValidationError("Enter an amount of more than £0.", code="zero")
        return pence


class PrepareRunForm(forms.Form):
    fund = forms.ModelChoiceField(
        queryset=Fund.objects.none(),
        empty_label="Choose a fund",
        help_text="Each run pays from one fund, by the fund’s payout method.",
    )
    pay_on = forms.DateField(
        label="Pay on",
        widget=DateInput,
        help_text="The day the money should reach the groups. Payments due by this day are "
        "included.",
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        funds: QuerySet[Fund] = funds_in_reach(user).select_related("locality")
        self.fields["fund"].queryset = funds.order_by("-financial_year", "name")
        self.fields["fund"].label_from_instance = lambda fund: (
            f"{fund.name} ({fund.get_payout_method_display()})"
        )
        if not self.is_bound:
            self.initial.setdefault("pay_on", timezone.localdate())

    def clean_pay_on(self) -> datetime.date:
        pay_on = self.cleaned_data["pay_on"]
        if pay_on < timezone.localdate():
            raise ValidationError("The pay-on date must be today or later.")
        return pay_on


class ReconcileForm(forms.Form):
    date_from = forms.DateField(label="From", widget=DateInput)
    date_to = forms.DateField(label="To", widget=DateInput, help_text="Both days are included.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            yesterday = timezone.localdate() - datetime.timedelta(days=1)
            self.initial.setdefault("date_from", yesterday)
            self.initial.setdefault("date_to", yesterday)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to:
            if date_to < date_from:
                self.add_error("date_to", "The end date must be the same as or after the start.")
            elif date_to > timezone.localdate():
                self.add_error("date_to", "The end date can’t be in the future.")
            elif (date_to - date_from).days >= LONGEST_RECONCILIATION_DAYS:
                self.add_error(
                    "date_to",
                    f"Reconcile {LONGEST_RECONCILIATION_DAYS} days or fewer at a time.",
                )
        return cleaned


class AllocationForm(forms.Form):
    source = forms.ModelChoiceField(
        queryset=FundingSource.objects.order_by("name"),
        label="Where the money comes from",
        empty_label="Choose a source",
        help_text="The council, a lottery or trust grant, a philanthropist… Not listed? Add them "
        "under Grants, then Funding sources.",
    )
    amount = PoundsField(label="Amount, in pounds", help_text="For example 25000 or 25000.50.")
    memo = forms.CharField(
        label="Note for the ledger (optional)",
        required=False,
        max_length=300,
        help_text="For example, the cabinet decision or grant letter that gave the money.",
    )

    prefix = "allocate"


class PledgeForm(forms.Form):
    source = forms.ModelChoiceField(
        queryset=FundingSource.objects.order_by("name"),
        label="Funder",
        empty_label="Choose a funder",
        help_text="Not listed? Add them under Grants, then Funding sources.",
    )
    amount = PoundsField(
        label="They will match up to, in pounds", help_text="For example 5000 or 5000.50."
    )
    memo = forms.CharField(
        label="Note for the ledger (optional)",
        required=False,
        max_length=300,
        help_text="For example, the letter or email where they made the pledge.",
    )

    prefix = "pledge"


class DrawForm(forms.Form):
    source = forms.ModelChoiceField(
        queryset=FundingSource.objects.none(), label="Funder", empty_label="Choose a funder"
    )
    amount = PoundsField(label="Amount to draw down, in pounds")
    memo = forms.CharField(label="Note for the ledger (optional)", required=False, max_length=300)

    prefix = "draw"

    def __init__(self, *args: Any, sources: QuerySet[FundingSource], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = sources.order_by("name")
