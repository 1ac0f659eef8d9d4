from django.db import models


class MeasureType(models.TextChoices):
    TRIAGE_LEVEL = "triage_level", "A level on the triage colour scale"
    SCALE = "scale", "A score from 1 to 10 with labelled ends"
    YES_NO = "yes_no", "Yes or no"
    GOALS = "goals", "Up to three personal goals, each rated 0 to 10"


class CheckpointKind(models.TextChoices):
    ASSESSMENT = "assessment", "Assessment (start)"
    REVIEW = "review", "Review"
    CLOSURE = "closure", "Closure"


class CheckpointStatus(models.TextChoices):
    DRAFT = "draft", "Being filled in"
    SUBMITTED = "submitted", "Submitted"


class EpisodeStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class CaseOutcome(models.TextChoices):
    """How a piece of help ended. The keys are the ones councils' spreadsheets and reports use."""

    CLOSED_POSITIVE = "closed_positive", "Closed positively"
    TRANSFERRED = "transferred", "Transferred to another service"
    RELOCATED = "relocated", "Family relocated"
    ESCALATED = "escalated", "Escalated to children's social care"
    DECLINED = "declined", "Declined"
    DISENGAGED = "disengaged", "Disengaged"


class ConsentScope(models.TextChoices):
    SUPPORT_ONLY = "support_only", "Only the people supporting us"
    PARTNERS = "partners", "The people supporting us and the council's early help team"
    ANONYMOUS_REPORTING = "anonymous_reporting", "As above, and in anonymous reports"
