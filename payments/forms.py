"""Forms for giving to a fund and for a group's bank details. No form here has a field for the
fund, the status or anything Stripe decides: whatever else is posted is never read."""

from django import forms
from django.core.exceptions import ValidationError

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fieldset, Layout, Size, Submit

from core.forms import GDSFormMixin
from core.money import format_pence, parse_pounds
from grants.models import Fund
from payments.bacs import BacsFileError, normalise_account_number, normalise_sort_code

PRESETS_PENCE = (1000, 2500, 5000, 10000)
OTHER = "other"


class GiveForm(forms.Form):
    amount = forms.ChoiceField(
        label="How much would you like to give?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how much you would like to give"},
    )
    other_amount = forms.CharField(
        label="Amount in pounds",
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    name = forms.CharField(
        label="Your name, or your organisation’s",
        max_length=150,
        error_messages={"required": "Enter your name"},
    )
    email = forms.EmailField(
        label="Email address",
        help_text="We’ll send your receipt here. We won’t add you to any mailing list.",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )

    def __init__(self, *args, fund: Fund, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fund = fund
        presets = [
            p
            for p in PRESETS_PENCE
            if fund.contribution_minimum_pence <= p <= fund.contribution_maximum_pence
        ]
        self.fields["amount"].choices = [
            (str(p), format_pence(p, whole_pounds=True)) for p in presets
        ] + [(OTHER, "Another amount")]
        self.fields["other_amount"].help_text = (
            f"Between {format_pence(fund.contribution_minimum_pence, whole_pounds=True)} and "
            f"{format_pence(fund.contribution_maximum_pence, whole_pounds=True)}."
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout(
            Field.radios("amount", legend_size=Size.MEDIUM),
            Field.text("other_amount", field_width=10),
            Field.text("name"),
            Field.text("email", field_width=20),
        )
        self.helper.add_input(Submit("give", "Continue to payment"))

    def clean(self) -> dict:
        data = super().clean()
        choice = data.get("amount")
        if choice is None:
            return data
        if choice == OTHER:
            try:
                pence = parse_pounds(data.get("other_amount", ""))
            except ValidationError as error:
                self.add_error("other_amount", error)
                return data
        else:
            pence = int(choice)  # one of our own presets: the choice field refuses anything else
        low, high = self.fund.contribution_minimum_pence, self.fund.contribution_maximum_pence
        if not low <= pence <= high:
            self.add_error(
                "other_amount" if choice == OTHER else "amount",
                f"Enter an amount between {format_pence(low, whole_pounds=True)} and "
                f"{format_pence(high, whole_pounds=True)}",
            )
        data["amount_pence"] = pence
        return data


class BankDetailsForm(GDSFormMixin, forms.Form):
    submit_label = "Save bank details"

    account_name = forms.CharField(
        label="Name on the account",
        max_length=150,
        help_text="Exactly as the bank has it, usually the group’s name.",
        error_messages={"required": "Enter the name on the account"},
    )
    sort_code = forms.CharField(
        label="Sort code",
        help_text="Must be 6 digits long",
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"required": "Enter a sort code"},
    )
    account_number = forms.CharField(
        label="Account number",
        help_text="Must be between 6 and 8 digits long",
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"required": "Enter an account number"},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            Fieldset(
                Field.text("account_name"),
                Field.text("sort_code", field_width=5),
                Field.text("account_number", field_width=10),
            )
        )

    def clean_sort_code(self) -> str:
        try:
            return normalise_sort_code(self.cleaned_data["sort_code"])
        except BacsFileError:
            raise ValidationError("Enter a valid sort code like 30 94 00") from None

    def clean_account_number(self) -> str:
        try:
            return normalise_account_number(self.cleaned_data["account_number"])
        except BacsFileError:
            raise ValidationError("Enter a valid account number like 00733445") from None
