"""The domain models, one module per area; importing this registers them all."""
from app.models.accounts import LoginThrottle, Membership, Role, User
from app.models.audit import AuditEvent
from app.models.areas import Group, Household, Ward
from app.models.coverage import CoverageSnapshot, Indicator, ResidentProgress, Target
from app.models.notify import (DeliveryAttempt, NotificationPreference, NotifyChannel,
                               OutboxMessage, OutboxStatus)
from app.models.outcomes import Outcome
from app.models.notify import OutboxMessage, OutboxStatus
from app.models.outcomes import Outcome, OutcomeRevision
from app.models.requests import HelpRequest, Place, RequestStatus
from app.models.residents import Consent, ConsentMethod, Gender, Resident
from app.models.sessions import (CalendarFeed, Enrollment, EnrollmentStatus, NoShow,
                                 NoShowStatus, ReplyAnswer, Session, SessionKind, SessionReply,
                                 SessionStatus, SessionVolunteer, VolunteerRole)
from app.models.topics import CompetenceArea, Skill, Topic
from app.models.volunteers import HandBack, VolunteerArea, VolunteerKind, VolunteerProfile

__all__ = [
    "AuditEvent", "CalendarFeed", "CompetenceArea", "Consent", "ConsentMethod", "CoverageSnapshot",
    "DeliveryAttempt", "Enrollment", "EnrollmentStatus", "Gender", "Group", "HandBack",
    "HelpRequest", "Household", "Indicator", "LoginThrottle", "Membership", "NoShow",
    "NoShowStatus", "NotificationPreference", "NotifyChannel", "OutboxMessage", "OutboxStatus",
    "Outcome", "OutcomeRevision", "Place", "ReplyAnswer", "RequestStatus", "Resident",
    "ResidentProgress", "Role", "Session", "SessionKind", "SessionReply", "SessionStatus",
    "SessionVolunteer", "Skill",
    "Target", "Topic", "User", "VolunteerArea", "VolunteerKind", "VolunteerProfile",
    "VolunteerRole", "Ward",
]
