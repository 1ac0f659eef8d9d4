from .applications import Application, BudgetLine
from .awards import GrantAgreement, MonitoringReport, ReminderSent, Tranche
from .board import AgendaItem, BoardMeeting, Declaration, Score, Vote
from .exports import ApplicationExport
from .funds import Fund, FundingSource, Round, ScoringCriterion
from .ledger import LedgerEntry

__all__ = [
    "AgendaItem",
    "Application",
    "ApplicationExport",
    "BoardMeeting",
    "BudgetLine",
    "Declaration",
    "Fund",
    "FundingSource",
    "GrantAgreement",
    "LedgerEntry",
    "MonitoringReport",
    "ReminderSent",
    "Round",
    "Score",
    "ScoringCriterion",
    "Tranche",
    "Vote",
]
