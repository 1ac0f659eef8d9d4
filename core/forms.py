from typing import Any

from django import forms

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit

from core.enums import DocumentKind, LegalForm
from core.models import Organisation
from core.money import parse_pounds


class PoundsField(forms.CharField):
    """An amount typed in pounds ('£95.50', '95.5', '1,200'), cleaned to whole pence, and shown
    in pounds when the form starts from pence: people never type or read pence."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int):
            pounds, pence = divmod(value, 100)
            return f"{pounds}.{pence:02d}" if pence else str(pounds)
        return value

    def clean(self, value: Any) -> int | None:
        text = super().clean(value)
        if not text and not self.required:
            return None
        return parse_pounds(text)


class GDSFormMixin:
    submit_label = "Save and continue"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[misc]
        self.helper = FormHelper()
        # Our templates write the <form> tag themselves (with the CSRF token and enctype).
        self.helper.form_tag = False
        self.helper.label_size = Size.SMALL
        self.helper.add_input(Submit("submit", self.submit_label))


class OrganisationForm(GDSFormMixin, forms.ModelForm):
    class Meta:
        model = Organisation
        fields = [
            "name",
            "legal_form",
            "charity_number",
            "company_number",
            "address",
            "postcode",
            "website",
            "description",
            "localities",
        ]
        labels = {
            "name": "Name of your group or organisation",
            "legal_form": "What kind of group are you?",
            "charity_number": "Charity number (if you have one)",
            "company_number": "Company number (if you have one)",
            "localities": "Which areas do you work in?",
            "description": "What does your group do?",
        }
        help_texts = {
            "legal_form": "Many groups are unincorporated: a few people who meet and run things together. That is fine.",
            "postcode": "For example, SW1A 1AA",
        }
        error_messages = {
            "name": {"required": "Enter the name of your group or organisation."},
            "legal_form": {"required": "Select what kind of group you are."},
        }
        widgets = {
            "website": forms.TextInput(attrs={"type": "url", "spellcheck": "false"}),
            "legal_form": forms.RadioSelect,
            "localities": forms.CheckboxSelectMultiple,
            "address": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A radio list needs no "choose one" entry.
        self.fields["legal_form"].choices = LegalForm.choices
        self.helper.layout = Layout(
            Field.text("name"),
            Field.radios("legal_form", legend_size=Size.SMALL),
            Field.text("charity_number", field_width=10),
            Field.text("company_number", field_width=10),
            Field.textarea("address"),
            Field.text("postcode", field_width=10),
            Field.text("website"),
            Field.textarea("description"),
            Field.checkboxes("localities", legend_size=Size.SMALL),
        )


class DocumentUploadForm(GDSFormMixin, forms.Form):
    submit_label = "Upload"

    kind = forms.ChoiceField(
        label="What is this document?",
        choices=DocumentKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what this document is."},
    )
    file = forms.FileField(
        label="Choose the file",
        error_messages={
            "required": "Choose the file to upload.",
            "empty": "The file you chose is empty.",
        },
        help_text="PDF, Word (.docx), OpenDocument (.odt), JPEG or PNG, up to 10 MB.",
    )
    expires_on = forms.DateField(
        label="When does it expire? (insurance only)",
        required=False,
        help_text="For example, 31/3/2027",
        input_formats=["%d/%m/%Y", "%Y-%m-%d", "%d %m %Y"],
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={"invalid": "Enter the date like 31/3/2027."},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            Field.radios("kind", legend_size=Size.SMALL),
            Field("file"),
            Field.text("expires_on", field_width=10),
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == DocumentKind.INSURANCE and not cleaned.get("expires_on"):
            self.add_error("expires_on", "Enter the date your insurance ends.")
        return cleaned
