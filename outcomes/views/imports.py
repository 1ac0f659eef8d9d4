"""Bringing a council's spreadsheets in from the browser: the same all-or-nothing imports as
`manage.py import_outcomes`, for officers who may add families and see their localities' records."""

import io
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from crispy_forms_gds.layout import Field, Layout, Size

from core.audit import audit_denied
from core.forms import GDSFormMixin
from outcomes.models import Framework
from outcomes.permissions import can_import
from outcomes.services.imports import ImportRejected, outcome_import, triage_import

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
DEFAULT_FRAMEWORK = "early-help-triage"


class ImportForm(GDSFormMixin, forms.Form):
    submit_label = "Import"

    framework = forms.ModelChoiceField(
        queryset=Framework.objects.all(),
        required=False,
        empty_label=None,
        label="Framework",
        help_text="The framework the imported episodes are recorded against.",
    )
    triage_file = forms.FileField(
        required=False,
        label="Triage spreadsheet (CSV)",
        help_text="One row per triaged issue: episode_ref, checkpoint, recorded_on, locality, "
        "issue, level.",
    )
    outcomes_file = forms.FileField(
        required=False,
        label="Case outcomes spreadsheet (CSV)",
        help_text="One row per closed episode: episode_ref, closed_on, outcome.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        default = Framework.objects.filter(slug=DEFAULT_FRAMEWORK).first()
        if default is not None:
            self.fields["framework"].initial = default.pk
        self.helper.layout = Layout(
            Field.select("framework"),
            Field("triage_file"),
            Field("outcomes_file"),
        )
        self.helper.label_size = Size.SMALL

    def _text(self, name: str) -> str | None:
        upload = self.cleaned_data.get(name)
        if not upload:
            return None
        label = self.fields[name].label
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"{upload.name} is larger than 5 MB. Split it into smaller files and import each one.",
                code="too_big",
            )
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                f"{upload.name} is not a UTF-8 CSV file. Save the {label.lower()} as "
                "'CSV UTF-8' and try again.",
                code="not_utf8",
            ) from None

    def clean_triage_file(self) -> str | None:
        return self._text("triage_file")

    def clean_outcomes_file(self) -> str | None:
        return self._text("outcomes_file")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if not cleaned.get("triage_file") and not cleaned.get("outcomes_file"):
            raise forms.ValidationError(
                "Choose a triage spreadsheet, a case outcomes spreadsheet, or both."
            )
        if cleaned.get("triage_file") and cleaned.get("framework") is None:
            self.add_error("framework", "Select the framework the triage spreadsheet uses.")
        return cleaned


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    if not can_import(request.user):
        audit_denied(actor=request.user, detail={"page": request.path})
        raise PermissionDenied(
            "Your account cannot import records. Ask your administrator if your work needs it."
        )
    results: list[tuple[str, str]] = []
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            results = _import(request, form)
    else:
        form = ImportForm()
    status = 400 if form.errors else 200
    return render(
        request, "outcomes/imports/form.html", {"form": form, "results": results}, status=status
    )


def _import(request: HttpRequest, form: ImportForm) -> list[tuple[str, str]]:
    """Both files, or neither: a rejected file rolls back the other one too."""
    data = form.cleaned_data
    uploads = request.FILES
    results: list[tuple[str, str]] = []
    try:
        with transaction.atomic():
            for field in ("triage_file", "outcomes_file"):
                text = data.get(field)
                if not text:
                    continue
                name = uploads[field].name
                try:
                    if field == "triage_file":
                        report = triage_import(
                            io.StringIO(text), framework=data["framework"], source=name
                        )
                    else:
                        report = outcome_import(io.StringIO(text), source=name)
                except ImportRejected as rejected:
                    for problem in rejected.problems:
                        form.add_error(field, f"{name}: {problem}")
                    raise
                results.append((name, report.summary()))
    except ImportRejected:
        return []
    return results
