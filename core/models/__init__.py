from .audit import AuditEntry
from .documents import PrivateDocument
from .localities import AdvisoryBoard, BoardMembership, Locality, LocalityStaff
from .notifications import InboxMessage, NotificationPreference
from .organisations import Organisation, OrganisationMembership
from .outbox import OutboxTask
from .roles import RolePolicy
from .users import User

__all__ = [
    "AdvisoryBoard",
    "AuditEntry",
    "BoardMembership",
    "InboxMessage",
    "Locality",
    "LocalityStaff",
    "NotificationPreference",
    "Organisation",
    "OrganisationMembership",
    "OutboxTask",
    "PrivateDocument",
    "RolePolicy",
    "User",
]
