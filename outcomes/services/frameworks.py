"""Loading frameworks from data files. A changed framework becomes a new version; records keep theirs."""

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from outcomes.models import (
    Code,
    Codebook,
    Framework,
    FrameworkDomain,
    FrameworkVersion,
    IssueArea,
    TriageLevel,
    TriageScale,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
DOMAIN_FIELDS = ("key", "label", "question", "measure", "low_label", "high_label")


@dataclass
class LoadSummary:
    created: list[str] = field(default_factory=list)
    new_versions: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def _domains_of(version: FrameworkVersion | None) -> list[dict]:
    if version is None:
        return []
    return [
        {name: getattr(domain, name) for name in DOMAIN_FIELDS}
        for domain in version.domains.order_by("order")
    ]


def _normalised(domains: list[dict]) -> list[dict]:
    return [{name: domain.get(name, "") for name in DOMAIN_FIELDS} for domain in domains]


@transaction.atomic
def frameworks_load(paths: list[Path] | None = None) -> LoadSummary:
    """Load triage scales, frameworks and codebooks from JSON files (the shipped ones by default)."""
    summary = LoadSummary()
    files = paths or [
        *sorted((FIXTURES / "frameworks").glob("*.json")),
        FIXTURES / "codebook.json",
        FIXTURES / "issue_areas.json",
    ]
    for path in files:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        for scale_data in data.get("triage_scales", []):
            scale, _ = TriageScale.objects.get_or_create(
                slug=scale_data["slug"], defaults={"name": scale_data["name"]}
            )
            for level in scale_data["levels"]:
                TriageLevel.objects.update_or_create(
                    scale=scale,
                    key=level["key"],
                    defaults={k: level[k] for k in ("label", "family_label", "colour", "order")},
                )
        for framework_data in data.get("frameworks", []):
            _load_framework(framework_data, summary)
        # Areas a family can ask for help with: added if missing, never overwriting the council's
        # own wording or order.
        start = IssueArea.objects.count()
        for position, area in enumerate(data.get("issue_areas", []), start=start):
            IssueArea.objects.get_or_create(
                slug=area["slug"],
                defaults={
                    "issue": area["issue"],
                    "label": area["label"],
                    "subject": area["subject"],
                    "position": position,
                },
            )
        for codebook_data in data.get("codebooks", []):
            codebook, _ = Codebook.objects.get_or_create(
                name=codebook_data["name"],
                defaults={"description": codebook_data.get("description", "")},
            )
            for code in codebook_data["codes"]:
                Code.objects.get_or_create(
                    codebook=codebook,
                    key=code["key"],
                    defaults={
                        "label": code["label"],
                        "keywords": "\n".join(code.get("keywords", [])),
                    },
                )
    return summary


def _load_framework(data: dict, summary: LoadSummary) -> None:
    scale = TriageScale.objects.filter(slug=data.get("triage_scale")).first()
    framework, created = Framework.objects.get_or_create(
        slug=data["slug"],
        defaults={
            "name": data["name"],
            "description": data.get("description", ""),
            "source": data.get("source", ""),
            "triage_scale": scale,
            "retention_months": data.get("retention_months", 72),
        },
    )
    current = framework.current_version
    wanted = _normalised(data.get("domains", []))
    if current is not None and _domains_of(current) == wanted:
        summary.unchanged.append(framework.name)
        return
    version = FrameworkVersion.objects.create(
        framework=framework, number=(current.number + 1) if current else 1
    )
    for order, domain in enumerate(wanted, start=1):
        FrameworkDomain.objects.create(version=version, order=order, **domain)
    (summary.created if created else summary.new_versions).append(framework.name)
