"""The outcomes report as data: the shape the command prints as JSON, the page shows and the CSV holds."""

from typing import Any

from outcomes.selectors import (
    ReportScope,
    case_outcome_split,
    default_triage_scale,
    distance_travelled,
    suppress,
    triage_table,
)


def outcomes_report(scope: ReportScope, *, publish: bool = False) -> dict[str, Any]:
    """Triage table, case outcomes and distance travelled. `publish` suppresses counts under 5."""
    scale = default_triage_scale(scope)
    table = triage_table(scope, scale) if scale else None
    split = case_outcome_split(scope)

    def stage(figure) -> dict[str, Any]:
        count = suppress(figure.count, publish=publish)
        hidden = isinstance(count, str)
        return {"count": count, "percent": None if hidden else figure.percent}

    levels: dict[str, Any] = {}
    if table:
        for row in table.rows:
            hidden = publish and any(0 < f.count < 5 for f in (row.assessment, row.closure))
            levels[row.level.key] = {
                "label": row.level.label,
                "assessment": stage(row.assessment),
                "closure": stage(row.closure),
                "change_percent": None if hidden else row.change_percent,
                "change": "suppressed" if hidden else row.change_text,
            }
    return {
        "period": {"from": scope.date_from.isoformat(), "to": scope.date_to.isoformat()},
        "triages": {
            "assessment": suppress(table.assessment_total if table else 0, publish=publish),
            "closure": suppress(table.closure_total if table else 0, publish=publish),
        },
        "levels": levels,
        "case_outcomes": {
            key: suppress(count, publish=publish) for key, count in split.counts.items()
        },
        "case_outcome_percent": {
            key: (None if publish and 0 < count < 5 else split.percent(key))
            for key, count in split.counts.items()
        },
        "distance_travelled": [
            {
                "domain": row.domain_label,
                "closures": suppress(row.closures, publish=publish),
                "paired": suppress(row.paired, publish=publish),
                "completeness_percent": row.completeness,
                "mean_start": row.mean_start,
                "mean_end": row.mean_end,
                "mean_change": row.mean_change,
            }
            for row in distance_travelled(scope)
        ],
        "suppressed": publish,
    }
