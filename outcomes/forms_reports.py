"""The outcomes report's filters: a period (GOV.UK date inputs), locality, provider, team and framework.

The choices come from the person's reach, so nobody can pick a provider or team they may not report on.
"""

import datetime
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from grants.models import Fund
from outcomes.models import Framework
from outcomes.services.report_exports import ReportFilters, ReportReach

DATE_PARTS = ("day", "month", "year")


class DateInput(forms.MultiWidget):
    """Day, month and year boxes, named <field>_day, _month and _year. The page draws them with the
    GOV.UK date input markup (ReportFilterForm.date_boxes); this widget reads them back."""

    def __init__(self, attrs: dict | None = None) -> None:
        def box(width: int) -> forms.TextInput:
            return forms.TextInput(
                attrs={
                    "class": f"govuk-input govuk-date-input__input govuk-input--width-{width}",
                    "inputmode": "numeric",
                }
            )

        super().__init__({"day": box(2), "month": box(2), "year": box(4)}, attrs)

    def decompress(self, value: datetime.date | None) -> list:
        return [value.day, value.month, value.year] if value else [None, None, None]


class DateField(forms.MultiValueField):
    widget = DateInput

    def __init__(self, *, describe: str, **kwargs) -> None:
        self.describe = describe
        super().__init__(
            fields=[forms.CharField(required=False) for _ in DATE_PARTS],
            require_all_fields=False,
            error_messages={"required": f"Enter {describe}", "incomplete": f"Enter {describe}"},
            **kwargs,
        )

    def compress(self, data_list: list[str]) -> datetime.date | None:
        if not data_list or not any(data_list):
            return None
        missing = [part for part, value in zip(DATE_PARTS, data_list, strict=True) if not value]
        if missing:
            raise ValidationError(f"{self.describe.capitalize()} must include a {missing[0]}")
        try:
            day, month, year = (int(value.strip()) for value in data_list)
            if year < 1900 or year > 2999:
                raise ValueError
            return datetime.date(year, month, day)
        except ValueError:
            raise ValidationError(f"{self.describe.capitalize()} must be a real date") from None


def financial_year_start(today: datetime.date) -> datetime.date:
    return datetime.date(today.year if today.month >= 4 else today.year - 1, 4, 1)


class ReportFilterForm(forms.Form):
    date_from = DateField(
        label="From", describe="the start date", help_text="For example, 1 4 2025"
    )
    date_to = DateField(label="To", describe="the end date", help_text="For example, 31 3 2026")
    locality = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="All localities", label="Locality"
    )
    provider = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="All providers", label="Provider"
    )
    team = forms.ChoiceField(required=False, label="Team")
    framework = forms.ModelChoiceField(
        queryset=Framework.objects.all(),
        required=False,
        empty_label="All frameworks",
        label="Outcomes framework",
    )
    fund = forms.ModelChoiceField(
        queryset=Fund.objects.all(),
        required=False,
        empty_label="All funds",
        label="Groups funded by",
    )

    def __init__(self, data=None, *, reach: ReportReach, **kwargs) -> None:
        super().__init__(data, **kwargs)
        self.reach = reach
        self.fields["locality"].queryset = reach.localities().order_by("name")
        self.fields["provider"].queryset = reach.providers().order_by("name")
        self.fields["team"].choices = [("", "All teams")] + [(t, t) for t in reach.teams()]
        for name in ("locality", "provider", "team", "framework", "fund"):
            self.fields[name].widget.attrs["class"] = "govuk-select"

    @classmethod
    def for_request(cls, query, *, reach: ReportReach) -> "ReportFilterForm":
        """Filters as asked; with none, this financial year so far. A provider's member starts with
        their own organisation's report until they choose otherwise."""
        data = {key: query.get(key) for key in query}
        if not any(key.startswith("date_") for key in data):
            today = timezone.localdate()
            for name, value in (("date_from", financial_year_start(today)), ("date_to", today)):
                parts = (value.day, value.month, value.year)
                data.update({f"{name}_{p}": str(v) for p, v in zip(DATE_PARTS, parts, strict=True)})
        if "provider" not in data and (provider := reach.default_provider()) is not None:
            data["provider"] = str(provider.pk)
        return cls(data, reach=reach)

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end date must be the same as or after the start date")
        return cleaned

    def date_boxes(self) -> dict[str, list[dict]]:
        """What the GOV.UK date inputs show: each box's label, name, id and value."""
        boxes = {}
        for name in ("date_from", "date_to"):
            bound = self[name]
            values = bound.value()
            if not isinstance(values, list | tuple):
                values = bound.field.widget.decompress(values)
            boxes[name] = [
                {
                    "label": part.capitalize(),
                    "name": f"{bound.html_name}_{part}",
                    "id": f"{bound.auto_id}_{part}",
                    "value": "" if value is None else value,
                    "width": 4 if part == "year" else 2,
                }
                for part, value in zip(DATE_PARTS, values, strict=True)
            ]
        return boxes

    def filters(self) -> ReportFilters:
        data = self.cleaned_data
        return ReportFilters(
            date_from=data["date_from"],
            date_to=data["date_to"],
            locality=data["locality"],
            provider=data["provider"],
            team=data["team"] or "",
            framework=data["framework"],
            fund=data["fund"],
        )

    def submitted_values(self) -> list[tuple[str, str]]:
        """The filters as they were sent: for the CSV link and the committee report's hidden fields."""
        names = [f"{name}_{part}" for name in ("date_from", "date_to") for part in DATE_PARTS]
        names += ["locality", "provider", "team", "framework", "fund"]
        return [(name, str(self.data.get(name, ""))) for name in names if self.data.get(name)]

    def query_string(self) -> str:
        return urlencode(self.submitted_values())
