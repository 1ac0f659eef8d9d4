"""Forms for practitioners working with families, and for coders. No form asks for a name."""

import datetime

from django import forms
from django.db.models import Q
from django.utils import timezone

from crispy_forms_gds.layout import HTML, Field, Fieldset, Fluid, Layout, Size

from core.forms import GDSFormMixin
from core.models import Locality, Organisation, User
from core.permissions import localities_for, organisations_for
from outcomes.enums import CaseOutcome, CheckpointKind, ConsentScope, MeasureType
from outcomes.models import Code, Episode, FamilyRecord, Framework, FrameworkDomain
from outcomes.services.families import IssueEntry, ScoreEntry

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d %m %Y", "%d-%m-%Y"]
DATE_HINT = "For example, 27/3/2026"
ISSUE_ROWS = 5
GOAL_ROWS = 3
NARRATIVE_PROMPT = "In your own words, how are things for your family at the moment?"


def _today_text() -> str:
    today = timezone.localdate()
    return f"{today.day}/{today.month}/{today.year}"


def _date_field(label: str, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=DATE_FORMATS,
        help_text=DATE_HINT,
        error_messages={
            "required": f"Enter the date ({DATE_HINT.lower()})",
            "invalid": f"Enter a real date, {DATE_HINT.lower()}",
        },
        **kwargs,
    )


def _not_in_future(day: datetime.date | None) -> None:
    if day and day > timezone.localdate():
        raise forms.ValidationError("The date must be today or in the past.")


class FamilyFilterForm(forms.Form):
    """The list's filters. Invalid choices are ignored rather than shown as errors."""

    STATUS_CHOICES = [
        ("", "Any"),
        ("open", "Getting help now (an open episode)"),
        ("not_open", "No open episode"),
    ]

    locality = forms.ModelChoiceField(
        queryset=Locality.objects.none(), required=False, empty_label="All localities"
    )
    status = forms.ChoiceField(choices=STATUS_CHOICES, required=False, label="Status")

    def __init__(self, *args, localities, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["locality"].queryset = localities
        for bound in self.fields.values():
            bound.widget.attrs["class"] = "govuk-select"


class FamilyCreateForm(GDSFormMixin, forms.ModelForm):
    submit_label = "Add the family"

    consent_confirmed = forms.BooleanField(
        label="The family agreed to this, and I told them they can change their mind at any time",
        error_messages={"required": "Confirm the family agreed to who can see their record"},
    )

    class Meta:
        model = FamilyRecord
        fields = ["locality", "supporting_organisation", "supporting_team", "consent_scope"]
        labels = {
            "locality": "Which locality does the family live in?",
            "supporting_organisation": "Which organisation is supporting them?",
            "supporting_team": "Which council team is supporting them? (optional)",
            "consent_scope": "Who did the family agree can see their record?",
        }
        help_texts = {
            "supporting_team": "For example, Early Help North. Leave it blank if none is.",
            "consent_scope": "Read the choices to the family. We never ask for their names.",
        }
        widgets = {"consent_scope": forms.RadioSelect}
        error_messages = {
            "locality": {"required": "Choose the family's locality"},
            "supporting_organisation": {"required": "Choose the organisation supporting them"},
            "consent_scope": {"required": "Choose who the family agreed can see their record"},
        }

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.sees_locality = user.has_perm("outcomes.view_all_families")
        own = organisations_for(user)
        organisations = own
        if self.sees_locality:
            organisations = Organisation.objects.filter(
                Q(pk__in=own.values("pk")) | Q(localities__in=localities_for(user))
            ).distinct()
        self.fields["supporting_organisation"].queryset = organisations.order_by("name")
        self.fields["supporting_organisation"].required = not self.sees_locality
        self.fields["supporting_organisation"].empty_label = (
            "None: a council team is supporting them" if self.sees_locality else "Choose"
        )
        self.fields["locality"].queryset = Locality.objects.filter(
            Q(pk__in=localities_for(user).values("pk")) | Q(organisations__in=own)
        ).distinct()
        self.fields["locality"].empty_label = "Choose"
        self.fields["consent_scope"].choices = ConsentScope.choices
        self.initial["consent_scope"] = None  # the family chooses: nothing is ticked for them
        for name in ("locality", "supporting_organisation"):
            self.fields[name].widget.attrs["class"] = "govuk-select"
        self.helper.layout = Layout(
            Field.select("locality"),
            Field.select("supporting_organisation"),
            Field.text("supporting_team", field_width=Fluid.TWO_THIRDS),
            Field.radios("consent_scope", legend_size=Size.SMALL),
            Field.checkbox("consent_confirmed"),
        )

    def clean(self):
        cleaned = super().clean()
        organisation = cleaned.get("supporting_organisation")
        locality = cleaned.get("locality")
        if locality is None:
            return cleaned
        own = (
            organisation is not None
            and organisations_for(self.user).filter(pk=organisation.pk).exists()
        )
        in_patch = self.sees_locality and localities_for(self.user).filter(pk=locality.pk).exists()
        if not own and not in_patch:
            self.add_error(
                "supporting_organisation",
                "Choose your own organisation: otherwise you could not see the family's record",
            )
        if organisation is None and not cleaned.get("supporting_team"):
            self.add_error("supporting_team", "Enter the council team supporting the family")
        return cleaned


class EpisodeOpenForm(GDSFormMixin, forms.Form):
    submit_label = "Open the episode"

    framework = forms.ModelChoiceField(
        queryset=Framework.objects.filter(versions__isnull=False).distinct(),
        label="Which outcomes framework will you record against?",
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Choose an outcomes framework"},
    )
    started_on = _date_field("When did the help start?")
    reference = forms.CharField(
        label="Case reference (optional)",
        required=False,
        max_length=60,
        help_text="Use the reference from your own case records, if you have one. "
        "Leave it blank and we will make one up.",
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("initial", {"started_on": _today_text()})
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            Field.radios("framework", legend_size=Size.SMALL),
            Field.text("started_on", field_width=10),
            Field.text("reference", field_width=20),
        )

    def clean_started_on(self):
        day = self.cleaned_data["started_on"]
        _not_in_future(day)
        return day

    def clean_reference(self):
        reference = self.cleaned_data["reference"].strip()
        if reference and Episode.objects.filter(reference=reference).exists():
            raise forms.ValidationError("That case reference is already used. Enter another one.")
        return reference


class EpisodeCloseForm(GDSFormMixin, forms.Form):
    submit_label = "Close the episode"

    outcome = forms.ChoiceField(
        label="How did the help end?",
        choices=CaseOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the help ended"},
    )
    closed_on = _date_field("When did it end?")

    def __init__(self, *args, episode: Episode, **kwargs) -> None:
        kwargs.setdefault("initial", {"closed_on": _today_text()})
        super().__init__(*args, **kwargs)
        self.episode = episode
        self.helper.layout = Layout(
            Field.radios("outcome", legend_size=Size.SMALL),
            Field.text("closed_on", field_width=10),
        )

    def clean_closed_on(self):
        day = self.cleaned_data["closed_on"]
        _not_in_future(day)
        if day < self.episode.started_on:
            started = self.episode.started_on
            raise forms.ValidationError(
                f"The end date must be on or after the start, {started.day}/{started.month}/{started.year}."
            )
        return day


class CheckpointForm(GDSFormMixin, forms.Form):
    """One page: the issues and how much help each needs, the family's words, and the framework's
    measures. Every part is optional, but something must be recorded."""

    submit_label = "Save and submit"

    kind = forms.ChoiceField(
        label="Which checkpoint is this?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose which checkpoint this is"},
    )
    recorded_on = _date_field("When did you fill this in with the family?")
    narrative = forms.CharField(
        label=NARRATIVE_PROMPT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Write down what the family says, in their words.",
    )
    narrative_by_family = forms.BooleanField(
        label="These are the family's own words, as they said them",
        required=False,
        initial=True,
    )

    def __init__(self, *args, episode: Episode, **kwargs) -> None:
        kwargs.setdefault("initial", {"recorded_on": _today_text()})
        super().__init__(*args, **kwargs)
        self.episode = episode
        version = episode.framework_version
        scale = version.framework.triage_scale
        self.levels = list(scale.levels.all()) if scale else []
        self.domains = list(version.domains.all())
        taken = set(
            episode.checkpoints.filter(
                kind__in=[CheckpointKind.ASSESSMENT, CheckpointKind.CLOSURE]
            ).values_list("kind", flat=True)
        )
        self.fields["kind"].choices = [
            (value, label) for value, label in CheckpointKind.choices if value not in taken
        ]
        self.fields["kind"].initial = self.fields["kind"].choices[0][0]
        level_choices = [("", "Choose")] + [
            (str(level.pk), f"{level.label} ({level.key})") for level in self.levels
        ]
        issue_layout = []
        if self.levels:
            for row in range(1, ISSUE_ROWS + 1):
                self.fields[f"issue_{row}"] = forms.CharField(
                    label=f"Issue {row}", required=False, max_length=120
                )
                self.fields[f"issue_{row}_level"] = forms.ChoiceField(
                    label=f"How much help does issue {row} need?",
                    choices=level_choices,
                    required=False,
                )
                self.fields[f"issue_{row}_level"].widget.attrs["class"] = "govuk-select"
                issue_layout += [
                    Field.text(f"issue_{row}", field_width=Fluid.TWO_THIRDS),
                    Field.select(f"issue_{row}_level"),
                ]
            self.fields["issue_1"].help_text = "For example, housing or school attendance."
        domain_layout = []
        for domain in self.domains:
            domain_layout.append(self._add_domain_fields(domain, level_choices))
        layout = [
            Field.radios("kind", legend_size=Size.SMALL),
            Field.text("recorded_on", field_width=10),
        ]
        if issue_layout:
            layout.append(
                Fieldset(
                    HTML(
                        '<p class="govuk-body">Up to five things the family wants help with. '
                        "Leave the rest blank.</p>"
                    ),
                    *issue_layout,
                    legend="What the family needs help with",
                    legend_size=Size.MEDIUM,
                )
            )
        layout.append(
            Fieldset(
                Field.textarea("narrative", rows=5),
                Field.checkbox("narrative_by_family"),
                legend="Their story",
                legend_size=Size.MEDIUM,
            )
        )
        if domain_layout:
            layout.append(
                Fieldset(
                    *domain_layout,
                    legend=f"{version.framework.name}: how things are",
                    legend_size=Size.MEDIUM,
                )
            )
        self.helper.layout = Layout(*layout)

    def _add_domain_fields(self, domain: FrameworkDomain, level_choices) -> Field | Fieldset:
        name = f"domain_{domain.pk}"
        if domain.measure == MeasureType.SCALE:
            hint = ""
            if domain.low_label or domain.high_label:
                hint = f"From 1 ({domain.low_label}) to 10 ({domain.high_label})."
            self.fields[name] = forms.IntegerField(
                label=domain.question,
                required=False,
                min_value=1,
                max_value=10,
                help_text=hint,
                error_messages={
                    "invalid": "Enter a whole number from 1 to 10",
                    "min_value": "Enter a number from 1 to 10",
                    "max_value": "Enter a number from 1 to 10",
                },
            )
            self.fields[name].widget.attrs["inputmode"] = "numeric"
            return Field.text(name, field_width=2)
        if domain.measure == MeasureType.YES_NO:
            self.fields[name] = forms.ChoiceField(
                label=domain.question,
                required=False,
                choices=[("yes", "Yes"), ("no", "No")],
                widget=forms.RadioSelect,
            )
            return Field.radios(name, inline=True)
        if domain.measure == MeasureType.TRIAGE_LEVEL:
            self.fields[name] = forms.ChoiceField(
                label=domain.question, required=False, choices=level_choices
            )
            self.fields[name].widget.attrs["class"] = "govuk-select"
            return Field.select(name)
        goals = []
        for row in range(1, GOAL_ROWS + 1):
            self.fields[f"{name}_goal_{row}"] = forms.CharField(
                label=f"Goal {row}", required=False, max_length=200
            )
            self.fields[f"{name}_rating_{row}"] = forms.IntegerField(
                label=f"How close are they to goal {row}, from 0 to 10?",
                required=False,
                min_value=0,
                max_value=10,
                error_messages={
                    "invalid": "Enter a whole number from 0 to 10",
                    "min_value": "Enter a number from 0 to 10",
                    "max_value": "Enter a number from 0 to 10",
                },
            )
            self.fields[f"{name}_rating_{row}"].widget.attrs["inputmode"] = "numeric"
            goals += [
                Field.text(f"{name}_goal_{row}", field_width=Fluid.TWO_THIRDS),
                Field.text(f"{name}_rating_{row}", field_width=2),
            ]
        return Fieldset(*goals, legend=domain.question, legend_size=Size.SMALL)

    def clean_recorded_on(self):
        day = self.cleaned_data["recorded_on"]
        _not_in_future(day)
        if day < self.episode.started_on:
            started = self.episode.started_on
            raise forms.ValidationError(
                f"The date must be on or after the help started, {started.day}/{started.month}/{started.year}."
            )
        return day

    def clean(self):
        cleaned = super().clean()
        self.issue_entries: list[IssueEntry] = []
        levels = {str(level.pk): level for level in self.levels}
        seen: set[str] = set()
        if self.levels:
            for row in range(1, ISSUE_ROWS + 1):
                issue = (cleaned.get(f"issue_{row}") or "").strip()
                level = cleaned.get(f"issue_{row}_level") or ""
                if issue and not level:
                    self.add_error(f"issue_{row}_level", f"Choose how much help issue {row} needs")
                elif level and not issue:
                    self.add_error(f"issue_{row}", f"Enter issue {row}, or clear its level")
                elif issue and issue.lower() in seen:
                    self.add_error(f"issue_{row}", f"Issue {row} is already listed above")
                elif issue:
                    seen.add(issue.lower())
                    self.issue_entries.append(IssueEntry(issue=issue, level=levels[level]))
        self.score_entries: list[ScoreEntry] = []
        for domain in self.domains:
            entry = self._score_entry(domain, cleaned, levels)
            if entry is not None:
                self.score_entries.append(entry)
        if (
            not self.errors
            and not self.issue_entries
            and not self.score_entries
            and not (cleaned.get("narrative") or "").strip()
        ):
            raise forms.ValidationError(
                "Record at least one issue, the family's words or an answer before you submit"
            )
        return cleaned

    def _score_entry(self, domain: FrameworkDomain, cleaned, levels) -> ScoreEntry | None:
        name = f"domain_{domain.pk}"
        if domain.measure == MeasureType.SCALE:
            score = cleaned.get(name)
            return None if score is None else ScoreEntry(domain=domain, score=score)
        if domain.measure == MeasureType.YES_NO:
            answer = cleaned.get(name)
            return ScoreEntry(domain=domain, answer=answer == "yes") if answer else None
        if domain.measure == MeasureType.TRIAGE_LEVEL:
            level = cleaned.get(name)
            return ScoreEntry(domain=domain, level=levels[level]) if level else None
        goals = []
        for row in range(1, GOAL_ROWS + 1):
            goal = (cleaned.get(f"{name}_goal_{row}") or "").strip()
            rating = cleaned.get(f"{name}_rating_{row}")
            if goal and rating is None:
                self.add_error(f"{name}_rating_{row}", f"Enter how close they are to goal {row}")
            elif rating is not None and not goal:
                self.add_error(f"{name}_goal_{row}", f"Enter goal {row}, or clear its rating")
            elif goal:
                goals.append({"goal": goal, "rating": rating})
        return ScoreEntry(domain=domain, goals=goals) if goals else None


class CodingForm(forms.Form):
    """The codes a coder ticks for one narrative. Suggestions are shown, never pre-ticked."""

    codes = forms.ModelMultipleChoiceField(
        queryset=Code.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Which codes fit what the family said?",
        error_messages={"required": "Choose at least one code, or skip this one"},
    )

    def __init__(self, *args, codes, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["codes"].queryset = codes
