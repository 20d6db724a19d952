"""Batch matching for a ward: the proposal that maximises the total fit under each volunteer's weekly capacity, reviewed, then applied request by request."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.matching.optimize import optimal_pairs
from app.matching.scoring import Assessment, Score, VolunteerFacts
from app.matching.services import (OPTIONS_PER_ROW, assign_and_announce, request_facts,
                                   topic_names, volunteer_facts, volunteers_serving)
from app.models import HelpRequest, RequestStatus, VolunteerProfile, Ward
from app.volunteers.services import lock_volunteers


# --- the batch for a ward -----------------------------------------------------------------
def batch_group_ids(user, ward: Ward) -> list[int]:
    return [g.id for g in ward.groups if user.can_manage_group(g)]


@dataclass
class ProposalRow:
    request: HelpRequest
    proposed: VolunteerProfile | None
    score: Score | None
    options: list[tuple[VolunteerProfile, int]]  # eligible volunteers and their score


@dataclass
class Proposal:
    ward: Ward
    rows: list[ProposalRow]
    volunteers: list[tuple[VolunteerProfile, int, int, int]]  # profile, load, proposed, capacity

    @property
    def served(self) -> int:
        return sum(1 for row in self.rows if row.proposed is not None)

    @property
    def total(self) -> int:
        return sum(row.score.total for row in self.rows if row.score is not None)


def _ward_open_requests(group_ids: Sequence[int],
                        request_ids: Iterable[int] | None = None) -> list[HelpRequest]:
    query = (select(HelpRequest)
             .where(HelpRequest.group_id.in_(set(group_ids) or {-1}),
                    HelpRequest.status == RequestStatus.OPEN,
                    HelpRequest.volunteer_id.is_(None))
             .order_by(HelpRequest.created_at, HelpRequest.id)
             .options(selectinload(HelpRequest.topics), selectinload(HelpRequest.resident),
                      selectinload(HelpRequest.group)))
    if request_ids is not None:
        query = query.where(HelpRequest.id.in_(set(request_ids) or {-1}))
    return list(db.session.scalars(query))


@dataclass
class WardAssessment:
    requests: list[HelpRequest]
    profiles: list[VolunteerProfile]
    volunteers: list[VolunteerFacts]
    assessment: Assessment
    topic_ids: set[int]


def assess_ward(user, ward: Ward) -> WardAssessment:
    """The open requests of the ward's groups this person manages × the volunteers serving
    them. Minors are eligible for classes and remote help only (see `propose_for_ward`)."""
    group_ids = batch_group_ids(user, ward)
    requests = _ward_open_requests(group_ids)
    profiles = volunteers_serving(group_ids, [ward.id])
    r_facts = request_facts(requests)
    topic_ids = {t for facts in r_facts for t in facts.topic_ids}
    v_facts = volunteer_facts(profiles, topic_ids=topic_ids)
    return WardAssessment(requests, profiles, v_facts,
                          Assessment(r_facts, v_facts, minors_at_home_with_partner=False),
                          topic_ids)


def propose_for_ward(user, ward: Ward) -> Proposal:
    """An optimal proposal for the open requests of the ward's groups this person manages:
    as many requests served as possible, then the highest total score, no volunteer above
    their weekly capacity. Minors are proposed for classes and remote help only; a home
    visit with a minor and their adult partner is arranged one request at a time."""
    case = assess_ward(user, ward)
    requests, profiles, v_facts = case.requests, case.profiles, case.volunteers
    assessment = case.assessment
    pairs = optimal_pairs(assessment.eligible, assessment.base, assessment.load_now,
                          assessment.capacity)
    names = topic_names(case.topic_ids)

    chosen = dict(pairs)
    proposed_count: dict[int, int] = defaultdict(int)
    masked_total = np.where(assessment.eligible, assessment.total, -1)
    order = np.argsort(-masked_total, axis=1, kind="stable")[:, :OPTIONS_PER_ROW]
    rows = []
    for i, help_request in enumerate(requests):
        j = chosen.get(i)
        score = None
        if j is not None:
            score = assessment.score(i, j, names,
                                     load=int(assessment.load_now[j]) + proposed_count[j])
            proposed_count[j] += 1
        option_idx = [int(k) for k in order[i] if assessment.eligible[i, k]] if len(
            profiles) else []
        if j is not None and j not in option_idx:
            option_idx.insert(0, j)
        options = [(profiles[k], int(assessment.total[i, k])) for k in option_idx]
        rows.append(ProposalRow(help_request, profiles[j] if j is not None else None, score,
                                options))
    volunteers = [(p, v.load, proposed_count[j], v.capacity)
                  for j, (p, v) in enumerate(zip(profiles, v_facts)) if proposed_count[j]]
    volunteers.sort(key=lambda t: t[0].user.full_name)
    return Proposal(ward=ward, rows=rows, volunteers=volunteers)


@dataclass
class BatchReport:
    applied: list[HelpRequest] = field(default_factory=list)
    conflicts: list[tuple[HelpRequest | None, int, str]] = field(default_factory=list)


def apply_batch(user, ward: Ward, choices: Mapping[int, int | None]) -> BatchReport:
    """Apply a reviewed proposal {request_id: volunteer_id or None} in one transaction.

    Whatever changed since the proposal was made — a request taken, a volunteer paused,
    revoked or filled up — is reported as a conflict and left as it is, never overwritten.
    """
    report = BatchReport()
    group_ids = set(batch_group_ids(user, ward))
    wanted = {r: v for r, v in choices.items() if v is not None}
    if not wanted:
        return report
    profiles = lock_volunteers(wanted.values())
    requests = {r.id: r for r in db.session.scalars(
        select(HelpRequest).where(HelpRequest.id.in_(set(wanted)))
        .execution_options(populate_existing=True))}
    # The longest waiting first, so that a full volunteer leaves the newest requests open.
    present = sorted(requests.values(), key=lambda r: (r.created_at, r.id))
    ordered = [r.id for r in present] + sorted(set(wanted) - set(requests))
    volunteer_list = list(profiles.values())
    r_facts = request_facts(present)
    v_facts = volunteer_facts(volunteer_list,
                              topic_ids={t for facts in r_facts for t in facts.topic_ids})
    column = {p.id: j for j, p in enumerate(volunteer_list)}
    row = {r.id: i for i, r in enumerate(present)}
    assessment = Assessment(r_facts, v_facts, minors_at_home_with_partner=False)
    running = {p.id: f.load for p, f in zip(volunteer_list, v_facts)}

    for request_id in ordered:
        help_request = requests.get(request_id)
        volunteer_id = wanted[request_id]
        if help_request is None or help_request.group_id not in group_ids:
            # An id from outside this person's groups (a tampered form): nothing about it,
            # not even its tracking code, is shown.
            report.conflicts.append((None, volunteer_id, "not_found"))
            continue
        if volunteer_id not in profiles:
            report.conflicts.append((help_request, volunteer_id, "not_found"))
            continue
        if help_request.status != RequestStatus.OPEN or help_request.volunteer_id is not None:
            report.conflicts.append((help_request, volunteer_id, "taken"))
            continue
        failure = assessment.first_failure(row[request_id], column[volunteer_id],
                                           ignore=("capacity",))
        if failure is None and running[volunteer_id] >= profiles[volunteer_id].weekly_capacity:
            failure = "capacity"
        if failure:
            report.conflicts.append((help_request, volunteer_id, failure))
            continue
        if not assign_and_announce(help_request, volunteer_id, None, user):
            report.conflicts.append((help_request, volunteer_id, "taken"))
            continue
        running[volunteer_id] += 1
        report.applied.append(help_request)
    return report
