"""A resident's progress: the skills they achieved over time, topic by topic, and whether
they make "basic digital skills" (every required core topic completed). Shown on the
resident's page and on their progress page; the views pass it to templates/outcomes/_progress.html."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app.clock import to_local
from app.coverage import definitions as d
from app.extensions import db
from app.models import Enrollment, Outcome, Resident, Session, Skill, Topic
from app.models.outcomes import outcome_skill


@dataclass
class SkillProgress:
    skill: Skill
    achieved_on: date | None


@dataclass
class TopicProgress:
    topic: Topic
    skills: list[SkillProgress]
    required_core: bool

    @property
    def done(self) -> int:
        return sum(1 for s in self.skills if s.achieved_on is not None)

    @property
    def completed(self) -> bool:
        return bool(self.skills) and self.done == len(self.skills)

    @property
    def completed_on(self) -> date | None:
        return max(s.achieved_on for s in self.skills) if self.completed else None


@dataclass
class TimelineEntry:
    session: Session
    outcome: Outcome


@dataclass
class Progress:
    topics: list[TopicProgress]
    timeline: list[TimelineEntry]

    @property
    def core(self) -> list[TopicProgress]:
        return [t for t in self.topics if t.required_core]

    @property
    def basic_skills(self) -> bool:
        """"Basic digital skills": every required core topic completed."""
        core = self.core
        return bool(core) and all(t.completed for t in core)

    @property
    def basic_skills_on(self) -> date | None:
        return max(t.completed_on for t in self.core) if self.basic_skills else None


def resident_progress(resident: Resident) -> Progress:
    """Skills achieved over time per topic, and whether they make basic digital skills."""
    firsts = dict(db.session.execute(
        select(outcome_skill.c.skill_id, func.min(Session.starts_at))
        .select_from(Outcome)
        .join(Enrollment, Enrollment.id == Outcome.enrollment_id)
        .join(Session, Session.id == Enrollment.session_id)
        .join(outcome_skill, outcome_skill.c.outcome_id == Outcome.id)
        .where(Enrollment.resident_id == resident.id, Outcome.attended.is_(True))
        .group_by(outcome_skill.c.skill_id)).all())
    required = set(db.session.scalars(d.required_core_topic_ids()))
    touched = select(Skill.topic_id).where(Skill.id.in_(list(firsts) or [-1]))
    topics = db.session.scalars(
        select(Topic).where(or_(Topic.id.in_(required), Topic.id.in_(touched)))
        .options(selectinload(Topic.skills)).order_by(Topic.position, Topic.id)).all()
    progress = []
    for topic in topics:
        skills = [SkillProgress(s, to_local(firsts[s.id]).date() if s.id in firsts else None)
                  for s in topic.skills]
        progress.append(TopicProgress(topic, skills, topic.id in required))
    progress.sort(key=lambda t: (not t.required_core, t.topic.position, t.topic.id))
    outcomes = db.session.scalars(
        select(Outcome).join(Enrollment, Enrollment.id == Outcome.enrollment_id)
        .join(Session, Session.id == Enrollment.session_id)
        .where(Enrollment.resident_id == resident.id)
        .options(selectinload(Outcome.skills),
                 joinedload(Outcome.enrollment).joinedload(Enrollment.session))
        .order_by(Session.starts_at.desc(), Outcome.id.desc())).all()
    timeline = [TimelineEntry(o.enrollment.session, o) for o in outcomes]
    return Progress(progress, timeline)
