"""Reading a fund's form definition (a StreamField snapshot) as a list of questions, and turning
the questions into Django form fields for the question pages."""

from dataclasses import dataclass, field
from typing import Any

from django import forms

from core.forms import GDSFormMixin


@dataclass(frozen=True)
class Question:
    key: str
    kind: str
    label: str
    hint: str = ""
    required: bool = True
    in_short_form: bool = False
    options: tuple[str, ...] = field(default=())
    multiple: bool = False
    word_limit: int | None = None

    def is_answered(self, value: Any) -> bool:
        if value is None:
            return False
        if isinstance(value, str):
            return bool(value.strip())
        if isinstance(value, list):
            return bool(value)
        return True

    def display(self, value: Any) -> str:
        if value in (None, "", []):
            return ""
        if self.kind == "yes_no":
            return "Yes" if value in (True, "yes") else "No"
        if isinstance(value, list):
            return ", ".join(str(item) for item in value)
        return str(value)


def questions_from_snapshot(snapshot: list[dict]) -> list[Question]:
    questions = []
    for block in snapshot:
        value = block.get("value") or {}
        questions.append(
            Question(
                key=str(block["id"]),
                kind=block["type"],
                label=value.get("label", ""),
                hint=value.get("hint") or "",
                required=bool(value.get("required", True)),
                in_short_form=bool(value.get("in_short_form")),
                options=tuple(
                    option["value"] if isinstance(option, dict) else option
                    for option in value.get("options") or ()
                ),
                multiple=bool(value.get("multiple")),
                word_limit=value.get("word_limit"),
            )
        )
    return questions


def questions_for(application) -> list[Question]:
    """The questions this application must answer: the short form's for small requests."""
    questions = questions_from_snapshot(application.form_snapshot)
    if application.is_short_form:
        return [question for question in questions if question.in_short_form]
    return questions


def word_count(text: str) -> int:
    return len(text.split())


def form_field_for(question: Question) -> forms.Field:
    common: dict[str, Any] = {
        "label": question.label,
        "help_text": question.hint,
        "required": False,  # drafts save half-answered; completeness is checked on submission
    }
    if question.kind == "long_text":
        limit = question.word_limit

        def within_limit(value: str) -> None:
            if limit and word_count(value) > limit:
                raise forms.ValidationError(
                    f"Your answer must be {limit} words or fewer; it is {word_count(value)}"
                )

        return forms.CharField(
            widget=forms.Textarea(attrs={"rows": 6}), validators=[within_limit], **common
        )
    if question.kind == "number":
        return forms.IntegerField(min_value=0, **common)
    if question.kind == "yes_no":
        return forms.TypedChoiceField(
            choices=[("yes", "Yes"), ("no", "No")], widget=forms.RadioSelect, **common
        )
    if question.kind == "choice":
        choices = [(option, option) for option in question.options]
        if question.multiple:
            return forms.MultipleChoiceField(
                choices=choices, widget=forms.CheckboxSelectMultiple, **common
            )
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
    if question.kind == "date":
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    return forms.CharField(max_length=500, **common)


class QuestionsForm(GDSFormMixin, forms.Form):
    """The fund's own questions for one application, built from its snapshot."""

    def __init__(self, *args, questions: list[Question], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for question in questions:
            self.fields[question.key] = form_field_for(question)

    def answers(self) -> dict[str, Any]:
        cleaned = {}
        for key, value in self.cleaned_data.items():
            if hasattr(value, "isoformat"):
                value = value.isoformat()
            cleaned[key] = value
        return cleaned
