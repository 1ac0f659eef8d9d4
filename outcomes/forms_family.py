"""The questions a family answers through their link (plain words, one question a page, nothing
that asks for a name), and the form a practitioner uses to make that link."""

from collections.abc import Sequence

from django import forms
from django.utils.formats import date_format

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fieldset, Layout, Size, Submit

from outcomes.enums import CheckpointKind
from outcomes.models import Episode, FrameworkDomain, TriageLevel
from outcomes.services.family_story import GOAL_SLOTS, OTHER_ISSUE_MAX_LENGTH, issue_areas
from outcomes.services.links import LONGEST_DAYS, default_days

CONTINUE = "Save and continue"


def _helper(*fields, button: str = CONTINUE) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True  # the page's own <form> carries the token where one is wanted
    helper.label_size = Size.SMALL
    helper.layout = Layout(*fields)
    helper.add_input(Submit("continue", button))
    return helper


def _level_choices(levels: Sequence[TriageLevel]) -> list[Choice]:
    return [Choice(str(level.pk), level.family_label) for level in levels]


class AreasForm(forms.Form):
    areas = forms.MultipleChoiceField(
        label="What would you like some help with?",
        help_text="Select all that apply. If none of these fit, you can leave them empty.",
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    other = forms.CharField(
        label="Is there anything else you would like help with? (optional)",
        help_text="For example, getting to appointments. Please do not write anyone’s name.",
        max_length=OTHER_ISSUE_MAX_LENGTH,
        required=False,
        error_messages={
            "max_length": f"Write {OTHER_ISSUE_MAX_LENGTH} characters or fewer about anything else"
        },
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.areas = issue_areas()
        self.fields["areas"].choices = [(area.slug, area.label) for area in self.areas]
        self.helper = _helper(
            Field.checkboxes("areas", legend_size=Size.LARGE, legend_tag="h1"),
            Field.text("other"),
        )

    def clean_other(self) -> str:
        return " ".join(self.cleaned_data["other"].split())

    def clean(self):
        """Something else that is one of the listed areas is taken as that area."""
        cleaned = super().clean()
        other = cleaned.get("other", "").lower()
        for area in self.areas:
            if other in {area.issue, area.label.lower(), area.subject.lower()}:
                cleaned["areas"] = list(dict.fromkeys([*cleaned.get("areas", []), area.slug]))
                cleaned["other"] = ""
        return cleaned


class HelpLevelForm(forms.Form):
    level = forms.ChoiceField(widget=forms.RadioSelect)

    def __init__(self, *args, levels: Sequence[TriageLevel], subject: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.levels = {str(level.pk): level for level in levels}
        field = self.fields["level"]
        field.label = f"How much help would you like with {subject}?"
        field.choices = _level_choices(levels)
        field.error_messages["required"] = f"Select how much help you would like with {subject}"
        self.helper = _helper(Field.radios("level", legend_size=Size.LARGE, legend_tag="h1"))

    @property
    def chosen_level(self) -> TriageLevel:
        return self.levels[self.cleaned_data["level"]]


class DomainForm(forms.Form):
    """One question from the family's outcomes framework, shaped by how it is measured."""

    def __init__(
        self,
        *args,
        domain: FrameworkDomain,
        levels: Sequence[TriageLevel] = (),
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.domain = domain
        self.levels = {str(level.pk): level for level in levels}
        measure = domain.measure
        if measure == "scale":
            self._scale_question(domain)
        elif measure == "yes_no":
            self.fields["answer"] = forms.ChoiceField(
                label=domain.question,
                choices=[("yes", "Yes"), ("no", "No")],
                widget=forms.RadioSelect,
                error_messages={"required": "Select yes or no"},
            )
            self.helper = _helper(
                Field.radios("answer", legend_size=Size.LARGE, legend_tag="h1", inline=True)
            )
        elif measure == "triage_level":
            self.fields["level"] = forms.ChoiceField(
                label=domain.question,
                choices=_level_choices(levels),
                widget=forms.RadioSelect,
                error_messages={"required": "Select the answer that fits best"},
            )
            self.helper = _helper(Field.radios("level", legend_size=Size.LARGE, legend_tag="h1"))
        elif measure == "goals":
            self._goals_question()
        else:  # pragma: no cover - MeasureType has no other values
            raise ValueError(f"Unknown measure {measure!r}")

    def _scale_question(self, domain: FrameworkDomain) -> None:
        ends = {1: domain.low_label, 10: domain.high_label}
        choices = [
            Choice(str(n), str(n), hint=ends[n]) if ends.get(n) else Choice(str(n), str(n))
            for n in range(1, 11)
        ]
        help_text = ""
        if domain.low_label and domain.high_label:
            help_text = (
                f"1 means “{domain.low_label.lower()}” and 10 means “{domain.high_label.lower()}”."
            )
        self.fields["score"] = forms.ChoiceField(
            label=domain.question,
            help_text=help_text,
            choices=choices,
            widget=forms.RadioSelect,
            error_messages={"required": "Select a number from 1 to 10"},
        )
        self.helper = _helper(
            Field.radios("score", legend_size=Size.LARGE, legend_tag="h1", small=True)
        )

    def _goals_question(self) -> None:
        ordinals = ["First", "Second", "Third"]
        fieldsets = []
        for slot in range(1, GOAL_SLOTS + 1):
            self.fields[f"goal_{slot}"] = forms.CharField(
                label="What would you like to be different?",
                max_length=200,
                required=False,
                error_messages={"max_length": "Write 200 characters or fewer"},
            )
            self.fields[f"rating_{slot}"] = forms.IntegerField(
                label="How close are you to it now?",
                help_text="From 0 (not started) to 10 (done).",
                min_value=0,
                max_value=10,
                required=False,
                widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
                error_messages={
                    "invalid": "Enter a number from 0 to 10",
                    "min_value": "Enter a number from 0 to 10",
                    "max_value": "Enter a number from 0 to 10",
                },
            )
            fieldsets.append(
                Fieldset(
                    Field.text(f"goal_{slot}"),
                    Field.text(f"rating_{slot}", field_width=2),
                    legend=f"{ordinals[slot - 1]} thing" + (" (optional)" if slot > 1 else ""),
                    legend_size=Size.MEDIUM,
                )
            )
        self.helper = _helper(*fieldsets)

    def clean(self):
        cleaned = super().clean()
        if self.domain.measure != "goals":
            return cleaned
        goals = []
        for slot in range(1, GOAL_SLOTS + 1):
            goal = " ".join((cleaned.get(f"goal_{slot}") or "").split())
            rating = cleaned.get(f"rating_{slot}")
            if f"rating_{slot}" in self.errors:
                continue
            if goal and rating is None:
                self.add_error(f"rating_{slot}", "Enter how close you are to it, from 0 to 10")
            elif rating is not None and not goal:
                self.add_error(f"goal_{slot}", "Write what you would like to be different")
            elif goal:
                goals.append({"goal": goal, "rating": rating})
        if not goals and not self.errors:
            self.add_error("goal_1", "Write at least one thing you would like to be different")
        cleaned["goals"] = goals
        return cleaned

    @property
    def heading(self) -> str:
        """Goals take several fields, so the question is the page's heading rather than a legend."""
        return self.domain.question if self.domain.measure == "goals" else ""

    def answer(self) -> dict:
        """The cleaned answer, as keyword arguments for `story_score_save`."""
        data = self.cleaned_data
        measure = self.domain.measure
        if measure == "scale":
            return {"score": int(data["score"])}
        if measure == "yes_no":
            return {"answer": data["answer"] == "yes"}
        if measure == "triage_level":
            return {"level": self.levels[data["level"]]}
        return {"goals": data["goals"]}

    @staticmethod
    def initial_for(domain: FrameworkDomain, score) -> dict:
        if score is None:
            return {}
        if domain.measure == "scale":
            return {"score": str(score.score) if score.score is not None else None}
        if domain.measure == "yes_no":
            return {"answer": {True: "yes", False: "no"}.get(score.answer)}
        if domain.measure == "triage_level":
            return {"level": str(score.level_id) if score.level_id else None}
        initial = {}
        for slot, goal in enumerate(score.goals[:GOAL_SLOTS], start=1):
            initial[f"goal_{slot}"] = goal.get("goal", "")
            initial[f"rating_{slot}"] = goal.get("rating")
        return initial


class OwnWordsForm(forms.Form):
    text = forms.CharField(
        label="In your own words, how are things?",
        help_text=(
            "Write as much or as little as you like. It is fine to leave this empty. "
            "Please do not write anyone’s name."
        ),
        max_length=3000,
        required=False,
        widget=forms.Textarea,
        error_messages={"max_length": "Write 3,000 characters or fewer"},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.textarea(
                "text", label_size=Size.LARGE, label_tag="h1", rows=8, max_characters=3000
            )
        )

    def clean_text(self) -> str:
        return self.cleaned_data["text"].strip()


# For practitioners: making a link ----------------------------------------------------------------


class LinkCreateForm(forms.Form):
    episode = forms.ModelChoiceField(
        label="Which episode of help is it for?",
        queryset=None,
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Select the episode of help"},
    )
    kind = forms.ChoiceField(
        label="When is this?",
        choices=[
            Choice(CheckpointKind.ASSESSMENT, "At the start of their help (assessment)"),
            Choice(CheckpointKind.REVIEW, "Partway through (review)"),
            Choice(CheckpointKind.CLOSURE, "As their help ends (closure)"),
        ],
        widget=forms.RadioSelect,
        help_text="The family is asked the same questions each time, so you can both see what has changed.",
        error_messages={"required": "Select when this is"},
    )
    together = forms.ChoiceField(
        label="How will the family fill it in?",
        choices=[
            Choice("alone", "On their own, on their phone or computer"),
            Choice(
                "together",
                "With me, together",
                hint="You will be recorded as the person who helped.",
            ),
        ],
        widget=forms.RadioSelect,
        initial="alone",
        error_messages={"required": "Select how the family will fill it in"},
    )
    days = forms.IntegerField(
        label="How many days should the link work for?",
        help_text=f"Between 1 and {LONGEST_DAYS}. After that the family will need a new link.",
        min_value=1,
        max_value=LONGEST_DAYS,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={
            "required": "Enter how many days the link should work for",
            "invalid": f"Enter a number of days from 1 to {LONGEST_DAYS}",
            "min_value": f"Enter a number of days from 1 to {LONGEST_DAYS}",
            "max_value": f"Enter a number of days from 1 to {LONGEST_DAYS}",
        },
    )

    def __init__(self, *args, episodes, **kwargs) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("days", default_days())
        if len(episodes) == 1:
            kwargs["initial"].setdefault("episode", episodes[0].pk)
        super().__init__(*args, **kwargs)
        field = self.fields["episode"]
        field.queryset = Episode.objects.filter(pk__in=[episode.pk for episode in episodes])
        field.label_from_instance = lambda episode: (
            f"{episode.reference}, started {date_format(episode.started_on, 'j F Y')} "
            f"({episode.framework_version.framework.name})"
        )
        self.helper = _helper(
            Field.radios("episode", legend_size=Size.SMALL),
            Field.radios("kind", legend_size=Size.SMALL),
            Field.radios("together", legend_size=Size.SMALL),
            Field.text("days", field_width=3),
            button="Make the link",
        )
