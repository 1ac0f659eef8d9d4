"""The group's forms after an award: accepting the grant agreement, and the end-of-grant report."""

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.html import format_html

from crispy_forms_gds.layout import HTML, Field, Fieldset, Layout, Size

from core.forms import GDSFormMixin, PoundsField
from core.money import format_pence, parse_pounds
from grants.forms_definition import Question, QuestionsForm
from grants.models import BudgetLine

PHOTO_FIELD = "report_photo"
SPEND_PREFIX = "spend_"


class AgreementAcceptForm(GDSFormMixin, forms.Form):
    submit_label = "Accept the grant agreement"

    name = forms.CharField(
        label="Your full name",
        help_text="We keep your name with the agreement as the person who accepted it.",
        max_length=150,
        error_messages={
            "required": "Enter the full name of the person accepting",
            "max_length": "Your name must be 150 characters or fewer",
        },
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
    )
    role = forms.CharField(
        label="Your role in the group",
        help_text="For example, treasurer, chair or secretary.",
        max_length=100,
        error_messages={
            "required": "Enter your role in the group, for example treasurer",
            "max_length": "Your role must be 100 characters or fewer",
        },
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    declaration = forms.BooleanField(
        error_messages={
            "required": "Confirm you can accept the agreement for your group and that you will "
            "keep to the conditions"
        },
    )

    def __init__(self, *args, organisation_name: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The GOV.UK form templates print a label as markup: the group's name goes in escaped.
        self.fields["declaration"].label = format_html(
            "I confirm I can accept this on behalf of {} and that we will keep to the conditions",
            organisation_name,
        )
        self.helper.layout = Layout(
            Field.text("name", field_width=20),
            Field.text("role", field_width=20),
            Field.checkbox("declaration"),
        )

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise ValidationError("Enter the full name of the person accepting")
        return name


def spend_field_name(line: BudgetLine) -> str:
    return f"{SPEND_PREFIX}{line.pk}"


class SpendField(PoundsField):
    """What was spent on one budget line: an error names the line."""

    def clean(self, value: Any) -> int:
        try:
            return super().clean(value)
        except ValidationError as error:
            raise ValidationError(
                f"{error.messages[0].rstrip('.')} for {self.label}", code=error.code
            ) from error


class ReportForm(QuestionsForm):
    """The questions in the report's snapshot (every required one must be answered), an optional
    photo, and for a full report what was spent against each line of the budget."""

    submit_label = "Send your report"

    def __init__(
        self,
        *args,
        questions: list[Question],
        budget_lines: list[BudgetLine] = (),
        photo_on_file: str = "",
        **kwargs,
    ) -> None:
        super().__init__(*args, questions=questions, **kwargs)
        self.questions = questions
        self.budget_lines = list(budget_lines)
        for question in questions:
            field = self.fields[question.key]
            field.required = question.required
            field.error_messages["required"] = f"Answer the question “{question.label}”"
        for line in self.budget_lines:
            self.fields[spend_field_name(line)] = SpendField(
                label=line.description,
                help_text=f"You budgeted {format_pence(line.amount_pence)}.",
                error_messages={
                    "required": f"Enter what you spent on {line.description}. "
                    "Enter 0 if you spent nothing on it"
                },
            )
        limit = f"{settings.UPLOAD_MAX_BYTES // (1024 * 1024)} MB"
        self.fields[PHOTO_FIELD] = forms.FileField(
            label="A photo (optional)",
            required=False,
            help_text=(
                f"A JPEG or PNG, up to {limit}. Only send a photo if the people in it are happy "
                "for the council to see it."
                + (
                    f" You sent “{photo_on_file}” before; a new photo replaces it."
                    if photo_on_file
                    else ""
                )
            ),
            error_messages={"empty": "The photo you chose is empty"},
            widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
        )
        parts: list[Any] = [Field(question.key) for question in questions]
        if self.budget_lines:
            parts.append(
                Fieldset(
                    HTML('{% include "grants/awards/_spend_fields.html" %}'),
                    legend="What you spent",
                    legend_size=Size.MEDIUM,
                )
            )
        parts.append(Field(PHOTO_FIELD))
        self.helper.layout = Layout(*parts)

    def spend_fields(self) -> list[tuple[BudgetLine, forms.BoundField]]:
        return [(line, self[spend_field_name(line)]) for line in self.budget_lines]

    def answers(self) -> dict[str, Any]:
        answers = super().answers()
        return {question.key: answers.get(question.key) for question in self.questions}

    def spend(self) -> list[dict[str, Any]]:
        """Spend against each budget line, in pence, with the line as it was budgeted."""
        return [
            {
                "budget_line": line.pk,
                "description": line.description,
                "budgeted_pence": line.amount_pence,
                "spent_pence": self.cleaned_data[spend_field_name(line)],
            }
            for line in self.budget_lines
        ]

    def budget_total_pence(self) -> int:
        return sum(line.amount_pence for line in self.budget_lines)

    def spent_total_pence(self) -> int | None:
        """What the spend boxes add up to, as typed (for showing the total again)."""
        total = 0
        for line in self.budget_lines:
            raw = self[spend_field_name(line)].value()
            try:
                total += parse_pounds(raw or "")
            except ValidationError:
                return None
        return total if self.budget_lines else None
