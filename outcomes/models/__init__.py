from .coding import Code, Codebook, NarrativeCode
from .families import CheckpointLink, FamilyRecord
from .frameworks import Framework, FrameworkDomain, FrameworkVersion, TriageLevel, TriageScale
from .records import Checkpoint, DomainScore, Episode, Narrative, TriagedIssue

__all__ = [
    "Checkpoint",
    "CheckpointLink",
    "Code",
    "Codebook",
    "DomainScore",
    "Episode",
    "FamilyRecord",
    "Framework",
    "FrameworkDomain",
    "FrameworkVersion",
    "Narrative",
    "NarrativeCode",
    "TriageLevel",
    "TriageScale",
    "TriagedIssue",
]
