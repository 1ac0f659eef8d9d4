from .coding import Code, Codebook, NarrativeCode
from .exports import ExportStatus, ReportExport
from .families import CheckpointLink, FamilyRecord
from .frameworks import Framework, FrameworkDomain, FrameworkVersion, TriageLevel, TriageScale
from .issue_areas import IssueArea
from .records import Checkpoint, DomainScore, Episode, Narrative, TriagedIssue

__all__ = [
    "Checkpoint",
    "CheckpointLink",
    "Code",
    "Codebook",
    "DomainScore",
    "Episode",
    "ExportStatus",
    "FamilyRecord",
    "Framework",
    "FrameworkDomain",
    "FrameworkVersion",
    "IssueArea",
    "Narrative",
    "NarrativeCode",
    "ReportExport",
    "TriageLevel",
    "TriageScale",
    "TriagedIssue",
]
