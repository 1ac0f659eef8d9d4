"""Due diligence at screening: does the group hold the documents the fund asks for, in date?"""

from dataclasses import dataclass

from core.enums import DocumentKind
from core.models import PrivateDocument
from grants.models import Application


@dataclass(frozen=True)
class DocumentCheck:
    kind: str
    label: str
    document: PrivateDocument | None

    @property
    def state(self) -> str:
        if self.document is None:
            return "missing"
        return "in date" if self.document.is_in_date else "out of date"

    @property
    def passed(self) -> bool:
        return self.state == "in date"


def document_checks(application: Application) -> list[DocumentCheck]:
    """For each document the fund requires, the group's newest one of that kind (or none)."""
    wanted = application.fund.required_documents or []
    newest: dict[str, PrivateDocument] = {}
    for document in application.organisation.documents.filter(kind__in=wanted).order_by(
        "kind", "-uploaded_at"
    ):
        newest.setdefault(document.kind, document)
    return [
        DocumentCheck(kind=kind, label=DocumentKind(kind).label, document=newest.get(kind))
        for kind in wanted
    ]


def problems(application: Application) -> list[str]:
    return [
        f"{check.label}: {check.state}"
        for check in document_checks(application)
        if not check.passed
    ]
