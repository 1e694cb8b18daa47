"""Every ORM model, imported in one place so metadata is complete (Alembic, tests)."""

from amends.audit.models import AuditEvent, AuditHead
from amends.cases.models import Case, CaseMerge, CaseParticipant, Notification, TimelineEvent
from amends.commitments.models import Breach, Commitment, Delivery
from amends.compensation.models import Compensation
from amends.customers.advocates import Advocate
from amends.customers.models import Contact, Customer
from amends.db import Base
from amends.desk.models import CasePresence, SavedReply
from amends.intake.models import Quarantine, RawMail
from amends.messages.models import MailChannel, Message, OutboxItem, StoredAttachment
from amends.patterns.models import ActionCase, ActionPattern, CorrectiveAction, Pattern, PatternCase
from amends.people.models import ApiToken, SignInFailure, User, WebSession
from amends.reports.models import CaseTally
from amends.schedule import JobRun
from amends.surveys.models import Survey
from amends.winback.models import Watch, WatchItem, Winback, WinbackStep
from amends.workspace.models import Workspace

__all__ = [
    "ActionCase",
    "ActionPattern",
    "Advocate",
    "ApiToken",
    "AuditEvent",
    "AuditHead",
    "Base",
    "Breach",
    "Case",
    "CaseMerge",
    "CaseParticipant",
    "CasePresence",
    "CaseTally",
    "Commitment",
    "Compensation",
    "Contact",
    "CorrectiveAction",
    "Customer",
    "Delivery",
    "JobRun",
    "MailChannel",
    "Message",
    "Notification",
    "OutboxItem",
    "Pattern",
    "PatternCase",
    "Quarantine",
    "RawMail",
    "SavedReply",
    "SignInFailure",
    "StoredAttachment",
    "Survey",
    "TimelineEvent",
    "User",
    "Watch",
    "WatchItem",
    "WebSession",
    "Winback",
    "WinbackStep",
    "Workspace",
]
