"""The domain models, one module per area; importing this registers them all."""
from app.models.accounts import Membership, Role, User
from app.models.audit import AuditEvent
from app.models.areas import Group, Household, Ward
from app.models.coverage import Indicator, Target
from app.models.notify import OutboxMessage, OutboxStatus
from app.models.outcomes import Outcome, OutcomeRevision
from app.models.requests import HelpRequest, Place, RequestStatus
from app.models.residents import Consent, ConsentMethod, Gender, Resident
from app.models.sessions import (Enrollment, EnrollmentStatus, Session, SessionKind,
                                 SessionStatus, SessionVolunteer, VolunteerRole)
from app.models.topics import CompetenceArea, Skill, Topic
from app.models.volunteers import VolunteerArea, VolunteerKind, VolunteerProfile

__all__ = [
    "AuditEvent", "CompetenceArea", "Consent", "ConsentMethod", "Enrollment", "EnrollmentStatus", "Gender",
    "Group", "HelpRequest", "Household", "Indicator", "Membership", "OutboxMessage", "OutboxStatus", "Outcome", "Place",
    "OutcomeRevision",
    "RequestStatus", "Resident", "Role", "Session", "SessionKind", "SessionStatus",
    "SessionVolunteer", "Skill", "Target", "Topic", "User", "VolunteerArea", "VolunteerKind",
    "VolunteerProfile", "VolunteerRole", "Ward",
]
