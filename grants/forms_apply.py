"""The forms a group fills in to apply: the eligibility checker, choosing the group, and the question
pages. Drafts save half-answered, so nothing here is required except where a page cannot make sense
without an answer (the eligibility checker, choosing a group, answering an officer's question).

No form here has a field for the status, the fund, the group or anything an officer sets: whatever
else is posted is never read."""

from typing import Any

from django import forms

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit

from core.forms import GDSFormMixin
from core.money import format_pence, parse_pounds
from grants.forms_definition import Question, QuestionsForm
from grants.models import Application, Fund

CONTINUE = "Save and continue"


def pounds_for_input(pence: int | None) -> str:
    """12345 -> '123.45', for an input a person will edit (no £, no thousands separators)."""
    if pence is None:
        return ""
    return f"{pence // 100}.{pence % 100:02d}"


def _helper(*fields, button: str = CONTINUE) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.label_size = Size.SMALL
    helper.layout = Layout(*fields)
    helper.add_input(Submit("continue", button))
    return helper


# Before applying ----------------------------------------------------------------------------------


def eligibility_questions(fund: Fund) -> list[dict[str, str]]:
    """The fund's eligibility questions as plain dictionaries, keyed by each block's id."""
    questions = []
    for block in fund.eligibility.raw_data:
        value = block.get("value") or {}
        questions.append(
            {
                "key": f"q_{block['id']}",
                "question": value.get("question", ""),
                "hint": value.get("hint") or "",
                "eligible_answer": value.get("eligible_answer") or "yes",
                "reason_if_not": value.get("reason_if_not") or "",
            }
        )
    return questions


class EligibilityForm(forms.Form):
    """Yes or no to each of the fund's questions. Nothing is kept: the answers only decide which
    page comes next."""

    def __init__(self, *args, questions: list[dict[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[question["key"]] = forms.ChoiceField(
                label=question["question"],
                help_text=question["hint"],
                choices=[("yes", "Yes"), ("no", "No")],
                widget=forms.RadioSelect,
                error_messages={"required": f"Select yes or no: {question['question']}"},
            )
        self.helper = _helper(
            *(
                Field.radios(question["key"], legend_size=Size.SMALL, inline=True)
                for question in questions
            ),
            button="Continue",
        )

    def questions_not_met(self) -> list[dict[str, str]]:
        return [
            question
            for question in self.questions
            if self.cleaned_data.get(question["key"]) != question["eligible_answer"]
        ]


class ChooseGroupForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label="Which group is applying?",
        queryset=None,
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Select the group that is applying"},
    )

    def __init__(self, *args, organisations, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.helper = _helper(
            Field.radios("organisation", legend_size=Size.LARGE, legend_tag="h1"),
            button="Continue",
        )


# The question pages -------------------------------------------------------------------------------


class DraftForm(forms.Form):
    """A question page. `draft_fields` is what the page saves through `draft_save`: only the
    answers that are valid, so a mistake in one box never loses what was typed in another."""

    heading = ""

    def draft_fields(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if name in self.fields}


class AboutForm(DraftForm):
    heading = "About your project"

    title = forms.CharField(
        label="What is your project called?",
        help_text="A short name we can use when we talk about it, like “Saturday coffee mornings”.",
        max_length=150,
        required=False,
        error_messages={"max_length": "Project name must be 150 characters or fewer"},
    )
    summary = forms.CharField(
        label="What will you do?",
        help_text="In a few sentences: what you will do, who it is for and where it will happen.",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )
    amount = forms.CharField(
        label="How much are you asking for, in pounds?",
        required=False,
        max_length=20,
    )

    def __init__(self, *args, application: Application, **kwargs) -> None:
        self.fund = application.fund
        kwargs.setdefault(
            "initial",
            {
                "title": application.title,
                "summary": application.summary,
                "amount": pounds_for_input(application.amount_requested_pence),
            },
        )
        super().__init__(*args, **kwargs)
        fund = self.fund
        self.fields["amount"].help_text = (
            f"This fund gives grants {fund.limits_text}. "
            f"Requests under {format_pence(fund.short_form_below_pence, whole_pounds=True)} "
            "have a shorter form and no budget to fill in. For example, 750 or 750.50."
        )
        self.helper = _helper(
            Field.text("title"),
            Field.textarea("summary", rows=5),
            Field.text("amount", field_width=10, inputmode="decimal", spellcheck="false"),
        )

    def clean_amount(self) -> int | None:
        text = self.cleaned_data["amount"]
        if not text.strip():
            return None
        amount = parse_pounds(text)
        fund = self.fund
        if not fund.minimum_award_pence <= amount <= fund.maximum_award_pence:
            raise forms.ValidationError(f"Enter an amount {fund.limits_text}")
        return amount

    def draft_fields(self) -> dict[str, Any]:
        fields = super().draft_fields()
        if "amount" in fields:
            fields["amount_requested_pence"] = fields.pop("amount")
        return fields


def questions_form(*args, questions: list[Question], **kwargs) -> QuestionsForm:
    """The fund's own questions, laid out the GOV.UK way: long answers count their words."""
    form = QuestionsForm(*args, questions=questions, **kwargs)
    form.heading = "Your answers"
    fields = []
    for question in questions:
        if question.kind == "long_text":
            fields.append(Field.textarea(question.key, rows=6, max_words=question.word_limit))
            # crispy-forms-gds adds the word count's id to this attribute, which must exist.
            form.fields[question.key].widget.attrs.setdefault("aria-describedby", "")
        elif question.kind == "yes_no":
            fields.append(Field.radios(question.key, legend_size=Size.SMALL, inline=True))
        elif question.kind == "choice" and question.multiple:
            fields.append(Field.checkboxes(question.key, legend_size=Size.SMALL))
        elif question.kind == "choice":
            fields.append(Field.radios(question.key, legend_size=Size.SMALL))
        elif question.kind == "number":
            fields.append(Field.text(question.key, field_width=5, inputmode="numeric"))
        else:
            fields.append(Field.text(question.key))
    form.helper.layout = Layout(*fields)
    return form


class BudgetForm(DraftForm):
    """Numbered lines, each a description and an amount; one more empty line than were saved."""

    heading = "Your budget"
    MAX_LINES = 30

    def __init__(self, *args, application: Application, lines: int, **kwargs) -> None:
        self.application = application
        self.lines = max(1, min(lines, self.MAX_LINES))
        kwargs.setdefault(
            "initial",
            {
                key: value
                for index, line in enumerate(application.budget_lines.all())
                for key, value in (
                    (f"description_{index}", line.description),
                    (f"amount_{index}", pounds_for_input(line.amount_pence)),
                )
            },
        )
        super().__init__(*args, **kwargs)
        for index in range(self.lines):
            self.fields[f"description_{index}"] = forms.CharField(
                label="What is it for?",
                max_length=200,
                required=False,
                error_messages={
                    "max_length": f"Line {index + 1}: say what it is for in 200 characters or fewer"
                },
            )
            self.fields[f"amount_{index}"] = forms.CharField(
                label="Cost, in pounds", max_length=20, required=False
            )

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "number": index + 1,
                "description": self[f"description_{index}"],
                "amount": self[f"amount_{index}"],
            }
            for index in range(self.lines)
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        budget = []
        for index in range(self.lines):
            description = (cleaned.get(f"description_{index}") or "").strip()
            amount_text = (cleaned.get(f"amount_{index}") or "").strip()
            if not description and not amount_text:
                continue
            amount = None
            if amount_text:
                try:
                    amount = parse_pounds(amount_text)
                except forms.ValidationError as error:
                    self.add_error(f"amount_{index}", f"Line {index + 1}: {error.messages[0]}")
                    continue
            if not description:
                self.add_error(f"description_{index}", f"Line {index + 1}: say what it is for")
            elif amount is None:
                self.add_error(f"amount_{index}", f"Line {index + 1}: enter what it costs")
            else:
                budget.append((description, amount))
        cleaned["budget"] = budget
        return cleaned

    def budget(self) -> list[tuple[str, int]]:
        return self.cleaned_data["budget"]


class ContactForm(DraftForm):
    heading = "Contact details"

    contact_name = forms.CharField(
        label="Who should we contact about this application?",
        help_text="Their full name.",
        max_length=150,
        required=False,
        error_messages={"max_length": "Name must be 150 characters or fewer"},
    )
    contact_phone = forms.CharField(
        label="Phone number (optional)",
        help_text="So we can ring with a quick question. For example, 07700 900 982.",
        max_length=40,
        required=False,
        error_messages={"max_length": "Phone number must be 40 characters or fewer"},
    )

    def __init__(self, *args, application: Application, user, **kwargs) -> None:
        kwargs.setdefault(
            "initial",
            {
                "contact_name": application.contact_name or user.get_full_name(),
                "contact_phone": application.contact_phone,
            },
        )
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.text("contact_name", autocomplete="name"),
            Field.text("contact_phone", field_width=20, autocomplete="tel", type="tel"),
        )


# After sending -----------------------------------------------------------------------------------


class InformationForm(GDSFormMixin, forms.Form):
    submit_label = "Send your answer"

    response = forms.CharField(
        label="Your answer",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        error_messages={
            "required": "Enter your answer to the question",
            "max_length": "Your answer must be 5,000 characters or fewer",
        },
    )


class WithdrawForm(GDSFormMixin, forms.Form):
    submit_label = "Withdraw this application"

    reason = forms.CharField(
        label="Why are you withdrawing it? (optional)",
        help_text="It helps us improve the fund. You do not have to say.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=500,
        required=False,
        error_messages={"max_length": "Reason must be 500 characters or fewer"},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper.inputs = [
            Submit("withdraw", self.submit_label, css_class="govuk-button--warning")
        ]
