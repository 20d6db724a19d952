"""Help requests: a resident's ask for help with some topics at some times."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.extensions import db
from app.models.residents import ConsentMethod
from app.models.types import UTCDateTime, enum_column


class RequestStatus(str, enum.Enum):
    OPEN = "open"            # waiting for a volunteer
    ASSIGNED = "assigned"    # a volunteer accepted or was assigned
    SCHEDULED = "scheduled"  # a session is set
    DONE = "done"
    CANCELLED = "cancelled"


# Named sets of states (constants on the enum, not members of it).
RequestStatus.LIVE = (RequestStatus.OPEN, RequestStatus.ASSIGNED,  # not yet done or cancelled
                      RequestStatus.SCHEDULED)
RequestStatus.HELD = (RequestStatus.ASSIGNED, RequestStatus.SCHEDULED)  # a volunteer holds it


class Place(str, enum.Enum):
    HOME = "home"                        # tại nhà
    COMMUNITY_HOUSE = "community_house"  # nhà văn hóa
    REMOTE = "remote"                    # qua điện thoại / gọi video
    OTHER = "other"


request_topic = Table(
    "request_topic", db.metadata,
    Column("request_id", ForeignKey("help_request.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", ForeignKey("topic.id"), primary_key=True),
)


class HelpRequest(db.Model):
    __tablename__ = "help_request"
    __table_args__ = (
        Index("ix_help_request_group_status", "group_id", "status"),
        # Coverage walks an area's requests of a period (first sessions, weekly activity).
        Index("ix_help_request_group_created", "group_id", "created_at"),
        # Most requests have no volunteer yet and almost none a companion: only the rows
        # that have one are indexed. The indexes stay small and their statistics true, so
        # "the requests this volunteer holds" stays an index lookup (0002_feed_indexes).
        Index("ix_help_request_volunteer_id", "volunteer_id",
              postgresql_where=text("volunteer_id IS NOT NULL"),
              sqlite_where=text("volunteer_id IS NOT NULL")),
        Index("ix_help_request_companion_volunteer_id", "companion_volunteer_id",
              postgresql_where=text("companion_volunteer_id IS NOT NULL"),
              sqlite_where=text("companion_volunteer_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Short tracking code, easy to read out over the phone.
    code: Mapped[str] = mapped_column(String(12), unique=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("residential_group.id"))
    status: Mapped[RequestStatus] = mapped_column(
        enum_column(RequestStatus, "request_status"), default=RequestStatus.OPEN)
    place: Mapped[Place] = mapped_column(enum_column(Place, "place"), default=Place.HOME)
    preferred_times: Mapped[int] = mapped_column(default=0)  # timeslots bitmask
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # Filed on behalf of the resident by a leader or volunteer ("thay mặt người dân").
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    consent_method: Mapped[ConsentMethod] = mapped_column(
        enum_column(ConsentMethod, "consent_method"), default=ConsentMethod.ONLINE)
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("volunteer_profile.id"))
    # The adult who goes along when the volunteer is under 18 and the visit is at home.
    companion_volunteer_id: Mapped[int | None] = mapped_column(
        ForeignKey("volunteer_profile.id"))
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_reason: Mapped[str | None] = mapped_column(String(300))
    follow_up_of_id: Mapped[int | None] = mapped_column(ForeignKey("help_request.id"))

    resident = relationship("Resident", backref=db.backref("requests", lazy="dynamic"))
    group = relationship("Group")
    topics = relationship("Topic", secondary=request_topic, order_by="Topic.position")
    volunteer = relationship("VolunteerProfile", foreign_keys=[volunteer_id])
    companion = relationship("VolunteerProfile", foreign_keys=[companion_volunteer_id])
    created_by = relationship("User")
    follow_up_of = relationship("HelpRequest", remote_side=[id])
