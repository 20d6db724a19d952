"""The topic catalogue: what is taught, each with a checklist of skills."""
from __future__ import annotations

import enum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import enum_column


class CompetenceArea(str, enum.Enum):
    """The six areas of the digital competence framework (Thông tư 02/2025/TT-BGDĐT)."""

    INFORMATION = "information"          # khai thác dữ liệu và thông tin
    COMMUNICATION = "communication"      # giao tiếp và hợp tác trong môi trường số
    CONTENT = "content"                  # sáng tạo nội dung số
    SAFETY = "safety"                    # an toàn
    PROBLEM_SOLVING = "problem_solving"  # giải quyết vấn đề
    AI = "ai"                            # ứng dụng trí tuệ nhân tạo


class Topic(db.Model):
    __tablename__ = "topic"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    short_name: Mapped[str] = mapped_column(String(60))
    icon: Mapped[str] = mapped_column(String(16), default="📱")
    description: Mapped[str | None] = mapped_column(String(300))
    # Completing every core topic means "basic digital skills".
    core: Mapped[bool] = mapped_column(default=False)
    competence_area: Mapped[CompetenceArea] = mapped_column(
        enum_column(CompetenceArea, "competence_area"))
    # Group of the basic digital skills framework for citizens (0 = device and app basics).
    citizen_group: Mapped[int | None]
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    skills: Mapped[list["Skill"]] = relationship(
        back_populates="topic", order_by="Skill.position, Skill.id", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Topic {self.slug}>"


class Skill(db.Model):
    __tablename__ = "skill"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topic.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)

    topic: Mapped[Topic] = relationship(back_populates="skills")
