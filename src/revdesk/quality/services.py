"""Everything that writes quality reviews: the weekly sample, a reviewer's answers, checklists.

Sampling is deterministic (a random generator seeded by the seed, the week and the person)
and idempotent: running it again for the same week adds only what is missing to reach the
sample size, never a second review of an item. Recording a review feeds the findings back
to the person reviewed: a line on the case's timeline for a case, and a notification.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from revdesk.cases.choices import EventKind, MemberLevel, Visibility
from revdesk.cases.models import Case, TeamMembership
from revdesk.cases.services import event_add, notify, person_label
from revdesk.foundation.audit import (
    change_record_build,
    change_record_create,
    change_records_bulk_create,
    snapshot,
)
from revdesk.foundation.models import ChangeAction

from .choices import Answer, Result
from .models import Checklist, QualityReview
from .sources import WorkItem, completed_work, source_get, source_list
from .weeks import week_bounds, week_label, week_start

DEFAULT_PER_PERSON = 5


# --- checklists -------------------------------------------------------------------------


def checklists_sync() -> None:
    """Version 1 of each source's checklist, for sources that have none yet."""
    for source in source_list():
        if not Checklist.objects.filter(source=source.code).exists():
            Checklist.objects.create(
                source=source.code,
                version=1,
                name=source.checklist_name,
                questions="\n".join(source.checklist_questions),
                note="Shipped with Revdesk",
            )


def checklists_sync_after_migrate(sender, using="default", plan=None, **kwargs) -> None:
    from django.db import connections

    if Checklist._meta.db_table not in connections[using].introspection.table_names():
        return
    checklists_sync()


def checklist_current(source: str) -> Checklist:
    """The newest version of a source's checklist (version 1 is written if there is none)."""
    checklist = Checklist.objects.filter(source=source).order_by("-version").first()
    if checklist is None:
        checklists_sync()
        checklist = Checklist.objects.filter(source=source).order_by("-version").first()
    if checklist is None:
        raise ValidationError(f"There is no checklist for {source!r} reviews.")
    return checklist


@transaction.atomic
def checklist_save(*, source: str, name: str, questions: str, note: str = "", actor) -> Checklist:
    """A new version of a source's checklist (the old ones stay with their reviews).
    Nothing is written when the questions and name are unchanged."""
    source_get(source)
    lines = [line.strip() for line in questions.splitlines() if line.strip()]
    if not lines:
        raise ValidationError({"questions": "Write at least one question, one per line."})
    latest = (
        Checklist.objects.select_for_update().filter(source=source).order_by("-version").first()
    )
    if latest is not None and latest.question_list == lines and latest.name == name:
        return latest
    checklist = Checklist.objects.create(
        source=source,
        version=(latest.version + 1) if latest else 1,
        name=name.strip()[:100],
        questions="\n".join(lines),
        note=note[:200],
    )
    change_record_create(
        actor=actor, action=ChangeAction.CREATE, instance=checklist, after=snapshot(checklist)
    )
    return checklist


# --- the weekly sample ------------------------------------------------------------------


@dataclass
class PersonSample:
    person_id: int
    name: str
    completed: int = 0
    already: int = 0
    added: list[QualityReview] = field(default_factory=list)

    @property
    def sampled(self) -> int:
        return self.already + len(self.added)


@dataclass
class SampleResult:
    week: dt.date
    per_person: int
    seed: int
    people: list[PersonSample]

    @property
    def added(self) -> list[QualityReview]:
        return [review for person in self.people for review in person.added]

    def as_dict(self) -> dict:
        return {
            "week": week_label(self.week),
            "monday": self.week.isoformat(),
            "per_person": self.per_person,
            "seed": self.seed,
            "people": [
                {
                    "person": person.name,
                    "completed": person.completed,
                    "already_sampled": person.already,
                    "added": [
                        {
                            "item": review.label,
                            "source": review.source,
                            "team": review.team.code,
                            "reviewer": person_label(review.reviewer) if review.reviewer else None,
                        }
                        for review in person.added
                    ],
                }
                for person in self.people
            ],
        }


def _reviewer_pick(item: WorkItem, load: Counter) -> int | None:
    """A peer for the item: another member of its team at member level, the least loaded
    this week (ties to the first by login name); if none, a senior; if none, the leader.
    Never the person reviewed. People away (not taking cases) are passed over."""
    memberships = (
        TeamMembership.objects.filter(team_id=item.team_id, takes_cases=True, user__is_active=True)
        .exclude(user_id=item.person_id)
        .values_list("user_id", "level", "user__username")
    )
    by_level: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for user_id, level, username in memberships:
        by_level[level].append((username, user_id))
    for level in (MemberLevel.MEMBER, MemberLevel.SENIOR, MemberLevel.LEADER):
        candidates = sorted(by_level.get(level, []))
        if candidates:
            return min(candidates, key=lambda pair: (load[pair[1]], pair[0]))[1]
    return None


@transaction.atomic
def quality_sample(
    week: dt.date,
    *,
    per_person: int = DEFAULT_PER_PERSON,
    seed: int = 0,
    actor=None,
) -> SampleResult:
    """Sample up to `per_person` items of each person's work completed in the week and give
    each to a reviewer. Deterministic for a seed; re-running the week adds nothing new
    unless the sample size grew (then only the missing items, the same ones in order)."""
    if per_person < 1:
        raise ValidationError(
            {"per_person": f"Sample at least 1 item per person, not {per_person}."}
        )
    week = week_start(week)
    start, end = week_bounds(week)
    items = completed_work(start, end)
    existing = list(
        QualityReview.objects.select_for_update()
        .filter(week=week)
        .values_list("person_id", "content_type_id", "object_id", "reviewer_id")
    )
    sampled_keys = {(ct, oid) for _, ct, oid, _ in existing}
    sampled_count = Counter(person for person, _, _, _ in existing)
    load = Counter(reviewer for _, _, _, reviewer in existing if reviewer)

    by_person: dict[int, list[WorkItem]] = defaultdict(list)
    for item in items:
        by_person[item.person_id].append(item)
    users = get_user_model().objects.in_bulk(list(by_person))
    checklists = {source.code: checklist_current(source.code) for source in source_list()}

    people: list[PersonSample] = []
    new_reviews: list[QualityReview] = []
    for person_id in sorted(by_person, key=lambda pk: users[pk].get_username()):
        candidates = sorted(
            by_person[person_id], key=lambda i: (i.source, i.completed_at, i.label, i.key)
        )
        # Seeded by the login, not the database id: the same people and week give the same
        # sample in every database (PostgreSQL never hands out an id twice).
        random.Random(f"{seed}:{week.isoformat()}:{users[person_id].get_username()}").shuffle(
            candidates
        )
        sample = PersonSample(
            person_id, person_label(users[person_id]), len(candidates), sampled_count[person_id]
        )
        for item in candidates:
            if sample.sampled >= per_person:
                break
            if item.key in sampled_keys:
                continue
            reviewer_id = _reviewer_pick(item, load)
            if reviewer_id is not None:
                load[reviewer_id] += 1
            review = QualityReview(
                week=week,
                person_id=person_id,
                team_id=item.team_id,
                reviewer_id=reviewer_id,
                source=item.source,
                content_type=item.content_type,
                object_id=item.object_id,
                label=item.label,
                url=item.url,
                completed_at=item.completed_at,
                checklist=checklists[item.source],
            )
            review.save()
            sampled_keys.add(item.key)
            sample.added.append(review)
            new_reviews.append(review)
        people.append(sample)
    if new_reviews:
        change_records_bulk_create(
            change_record_build(
                actor=actor,
                action=ChangeAction.CREATE,
                instance=review,
                before=None,
                after=snapshot(review),
            )
            for review in new_reviews
        )
    return SampleResult(week=week, per_person=per_person, seed=seed, people=people)


# --- recording a review -----------------------------------------------------------------


def is_team_leader(user, team_id: int) -> bool:
    return TeamMembership.objects.filter(
        team_id=team_id, user_id=getattr(user, "pk", None), level=MemberLevel.LEADER
    ).exists()


def may_record(user, review: QualityReview) -> bool:
    """The assigned reviewer, or a leader of the review's team; never the person reviewed."""
    if not getattr(user, "is_authenticated", False) or user.pk == review.person_id:
        return False
    return user.pk == review.reviewer_id or is_team_leader(user, review.team_id)


AnswerInput = Mapping[str, str] | Sequence[str]


def _answers_check(checklist: Checklist, answers: Sequence[AnswerInput]) -> list[dict]:
    questions = checklist.question_list
    if len(answers) != len(questions):
        raise ValidationError(
            {
                "answers": f"The checklist has {len(questions)} questions; "
                f"{len(answers)} answers were given."
            }
        )
    choices = {value for value, _ in Answer.choices}
    problems: dict[str, str] = {}
    kept: list[dict] = []
    for number, (question, given) in enumerate(zip(questions, answers, strict=True), start=1):
        if isinstance(given, Mapping):
            answer, note = str(given.get("answer") or ""), str(given.get("note") or "")
        else:
            answer, note = str(given[0] or ""), str(given[1] if len(given) > 1 else "")
        answer, note = answer.strip().lower(), note.strip()
        if answer not in choices:
            problems[f"q{number}"] = f"Question {number}: choose pass, fail or n.a." + (
                f" ({answer!r} is none of them)." if answer else ""
            )
        elif answer == Answer.FAIL and not note:
            problems[f"q{number}"] = (
                f"Question {number} failed: write in the note what was wrong, so the person "
                "can put it right."
            )
        kept.append({"question": question, "answer": answer, "note": note})
    if not problems and all(entry["answer"] == Answer.NOT_APPLICABLE for entry in kept):
        problems["answers"] = "Every question is n.a.: at least one must be checked (pass or fail)."
    if problems:
        raise ValidationError(problems)
    return kept


@transaction.atomic
def review_record(
    review: QualityReview,
    *,
    actor,
    answers: Sequence[AnswerInput],
    findings: str = "",
    now: dt.datetime | None = None,
) -> QualityReview:
    """Record a reviewer's answers: the item fails when any question fails. The findings go
    back to the person reviewed: an internal line on the case's timeline for a case, and a
    notification (with a link to the review for other kinds). Recording again corrects it."""
    now = now or timezone.now()
    review = (
        QualityReview.objects.select_for_update(of=("self",))
        .select_related("checklist", "person", "content_type")
        .get(pk=review.pk)
    )
    if not may_record(actor, review):
        if getattr(actor, "pk", None) == review.person_id:
            raise PermissionDenied("Nobody records the review of their own work.")
        raise PermissionDenied(
            "Only the reviewer this item was given to, or a leader of its team, may record it."
        )
    kept = _answers_check(review.checklist, answers)
    before = snapshot(review)
    corrected = review.result != Result.PENDING
    failed = [entry for entry in kept if entry["answer"] == Answer.FAIL]
    review.answers = kept
    review.result = Result.FAILED if failed else Result.PASSED
    review.findings = findings.strip()
    review.reviewed_at = now
    review.recorded_by = actor
    review.save()
    change_record_create(
        actor=actor,
        action=ChangeAction.UPDATE,
        instance=review,
        before=before,
        after=snapshot(review),
    )
    _feedback(review, actor=actor, failed=failed, corrected=corrected, now=now)
    return review


def _feedback(review: QualityReview, *, actor, failed: list[dict], corrected: bool, now) -> None:
    verdict = "failed" if review.result == Result.FAILED else "passed"
    head = f"Quality review ({review.week_label}) {'corrected: ' if corrected else ''}{verdict}"
    lines = [f"{head}."]
    for entry in failed:
        lines.append(f"- {entry['question']} {entry['note']}")
    if review.findings:
        lines.append(review.findings)
    text = f"Quality review of {review.label}: {verdict}" + (
        f". {review.findings}" if review.findings else ""
    )
    case = None
    if review.content_type.model_class() is Case:
        case = Case.objects.filter(pk=review.object_id).first()
    if case is not None:
        event = event_add(
            case,
            kind=EventKind.REVIEW,
            actor=actor,
            body="\n".join(lines),
            visibility=Visibility.INTERNAL,
            data={"review": review.pk, "result": review.result, "week": review.week_label},
            now=now,
        )
        notify(review.person, case, text, event=event, now=now)
    else:
        notify(review.person, None, text, now=now, url=review.get_absolute_url())
