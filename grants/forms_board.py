"""Forms for advisory board members and the chair: declaring interests, scoring and voting, and
confirming the board's decision. The services check everything again; these only make the answers
complete and readable.

Follow-up questions (what the interest is, the conditions, the amount) sit under the radios with
their own labels rather than in conditional reveals: a revealed question's radio carries
aria-expanded, which a radio may not have, and the pages are short enough without hiding them."""

from django import forms
from django.core.exceptions import ValidationError

from crispy_forms_gds.layout import HTML, Field, Fieldset, Layout, Size

from core.forms import GDSFormMixin
from core.money import format_pence, parse_pounds
from grants.enums import DeclineReason, ItemOutcome, VoteChoice
from grants.models import Application, ScoringCriterion

NO_INTEREST = "none"
INTEREST = "conflict"


def _pounds_or_error(form: forms.Form, name: str) -> int | None:
    try:
        return parse_pounds(form.cleaned_data.get(name) or "")
    except ValidationError as error:
        form.add_error(name, error)
        return None


def _pounds_text(pence: int | None) -> str:
    return format_pence(pence).removeprefix("£") if pence else ""


class DeclarationForm(GDSFormMixin, forms.Form):
    submit_label = "Save my declaration"

    interest = forms.ChoiceField(
        label="Do you have an interest in this application?",
        help_text=(
            "You have an interest if you, your family or close friends are involved with the group, "
            "would benefit from the grant, or you could be seen to favour it."
        ),
        choices=[
            (NO_INTEREST, "No, I have no interest in it"),
            (INTEREST, "Yes, I have an interest in it"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether you have an interest in this application"},
    )
    nature = forms.CharField(
        label="If you have an interest, what is it?",
        help_text="For example, you sit on the group’s committee. The minutes record this.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            Field.radios("interest", legend_size=Size.SMALL), Field.textarea("nature", rows=3)
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("interest") == INTEREST and not (cleaned.get("nature") or "").strip():
            self.add_error("nature", "Say what your interest is, so the minutes can record it")
        return cleaned

    @property
    def has_conflict(self) -> bool:
        return self.cleaned_data["interest"] == INTEREST


class ScoreVoteForm(GDSFormMixin, forms.Form):
    """One page for a member's scores against each criterion and their vote. Saved again, it
    replaces what they said before."""

    submit_label = "Save my scores and vote"

    comment = forms.CharField(
        label="Comments on your scores (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    choice = forms.ChoiceField(
        label="How do you vote?",
        choices=VoteChoice.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how you vote"},
    )
    conditions = forms.CharField(
        label="If you approve with conditions: the conditions you would attach",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    amount = forms.CharField(
        label="If you approve a different amount: the amount, in pounds",
        help_text="For example, 350 or 350.50",
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
    )

    def __init__(
        self,
        *args,
        criteria: list[ScoringCriterion],
        scores: dict[int, int] | None = None,
        vote=None,
        **kwargs,
    ) -> None:
        initial = kwargs.setdefault("initial", {})
        for criterion_id, value in (scores or {}).items():
            initial[f"score_{criterion_id}"] = str(value)
        if vote is not None:
            initial.update(
                choice=vote.choice,
                conditions=vote.conditions,
                amount=_pounds_text(vote.amount_pence),
                comment=vote.comment,
            )
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        score_fields = []
        for criterion in criteria:
            name = f"score_{criterion.pk}"
            self.fields[name] = forms.TypedChoiceField(
                label=criterion.name,
                help_text=criterion.guidance
                or f"0 is the lowest score, {criterion.maximum_score} the highest.",
                choices=[(str(value), str(value)) for value in range(criterion.maximum_score + 1)],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Score “{criterion.name}” from 0 to {criterion.maximum_score}"
                },
            )
            score_fields.append(Field.radios(name, legend_size=Size.SMALL, inline=True))
        self.helper.layout = Layout(
            Fieldset(
                HTML(
                    '<p class="govuk-body">Score each criterion from 0 (does not meet it) to the '
                    "highest score (meets it fully).</p>"
                ),
                *score_fields,
                Field.textarea("comment", rows=3),
                legend="Your scores",
                legend_size=Size.MEDIUM,
            )
            if criteria
            else Field.textarea("comment", rows=3),
            Field.radios("choice", legend_size=Size.MEDIUM),
            Field.textarea("conditions", rows=3),
            Field.text("amount", field_width=10),
        )

    def clean(self):
        cleaned = super().clean()
        choice = cleaned.get("choice")
        cleaned["amount_pence"] = None
        if choice == VoteChoice.APPROVE_DIFFERENT_AMOUNT:
            cleaned["amount_pence"] = _pounds_or_error(self, "amount")
        if (
            choice == VoteChoice.APPROVE_WITH_CONDITIONS
            and not (cleaned.get("conditions") or "").strip()
        ):
            self.add_error("conditions", "Write the conditions you would attach")
        return cleaned

    @property
    def scores(self) -> dict[int, int]:
        return {
            criterion.pk: self.cleaned_data[f"score_{criterion.pk}"] for criterion in self.criteria
        }


class DecisionForm(GDSFormMixin, forms.Form):
    """The chair records what the board decided, and why, for the minutes."""

    submit_label = "Confirm the board’s decision"

    outcome = forms.ChoiceField(
        label="What did the board decide?",
        choices=[
            (ItemOutcome.APPROVED, "Approve"),
            (ItemOutcome.DECLINED, "Decline"),
            (ItemOutcome.DEFERRED, "Defer to a later meeting"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what the board decided"},
    )
    amount = forms.CharField(
        label="Amount to award, in pounds",
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
    )
    conditions = forms.CharField(
        label="Conditions of the grant (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    decline_reason = forms.ChoiceField(
        label="Main reason it is not being funded",
        choices=[("", "Choose a reason"), *DeclineReason.choices],
        required=False,
    )
    feedback = forms.CharField(
        label="Feedback for the group",
        help_text="The group reads this. Say what would make a future application stronger.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    reasons = forms.CharField(
        label="The board’s reasons, for the minutes",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Record the board’s reasons for the minutes"},
    )

    def __init__(self, *args, application: Application, **kwargs) -> None:
        kwargs.setdefault("initial", {}).setdefault(
            "amount", _pounds_text(application.amount_requested_pence)
        )
        super().__init__(*args, **kwargs)
        self.fields[
            "amount"
        ].help_text = f"The group asked for {format_pence(application.amount_requested_pence)}."
        self.fields["decline_reason"].widget.attrs["class"] = "govuk-select"
        self.helper.layout = Layout(
            Field.radios("outcome", legend_size=Size.MEDIUM),
            Fieldset(
                Field.text("amount", field_width=10),
                Field.textarea("conditions", rows=3),
                legend="If the board approves",
                legend_size=Size.SMALL,
            ),
            Fieldset(
                Field.select("decline_reason"),
                Field.textarea("feedback", rows=3),
                legend="If the board declines",
                legend_size=Size.SMALL,
            ),
            Field.textarea("reasons", rows=3),
        )

    def clean(self):
        cleaned = super().clean()
        outcome = cleaned.get("outcome")
        cleaned["amount_pence"] = None
        if outcome == ItemOutcome.APPROVED:
            cleaned["amount_pence"] = _pounds_or_error(self, "amount")
        elif outcome == ItemOutcome.DECLINED:
            if not cleaned.get("decline_reason"):
                self.add_error("decline_reason", "Choose the main reason it is not being funded")
            if not (cleaned.get("feedback") or "").strip():
                self.add_error("feedback", "Write feedback for the group: they will read it")
        return cleaned
