"""Reads: the reviews a person may see, and the accuracy report.

Who sees what: a reviewer sees the reviews given to them; a person sees the reviews of their
own work; a team's leader (TeamMembership level Leader) sees every review of the team; an
administrator sees all. Accuracy = passed ÷ reviewed, where reviewed = passed + failed
(pending reviews are not counted), in per cent to one decimal (half up), against 98%.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from revdesk.cases.choices import MemberLevel
from revdesk.cases.models import Team, TeamMembership
from revdesk.cases.services import person_label
from revdesk.foundation.scoping import viewer_for
from revdesk.parties.choices import Role

from .choices import ACCURACY_TARGET, Result
from .models import QualityReview


def is_admin(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or viewer_for(user).has_role(Role.ADMIN)


def leader_team_ids(user) -> list[int]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        TeamMembership.objects.filter(user=user, level=MemberLevel.LEADER).values_list(
            "team_id", flat=True
        )
    )


def quality_member(user, *, on_team: bool | None = None) -> bool:
    """May use the quality pages: a member of a case team, or an administrator. on_team: the
    membership when already read (the navigation reads it with the unread notifications)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if is_admin(user):
        return True
    if on_team is None:
        on_team = TeamMembership.objects.filter(user=user).exists()
    return on_team


def sees_team_results(user) -> bool:
    return is_admin(user) or bool(leader_team_ids(user))


def review_list(user) -> QuerySet[QualityReview]:
    """Every review this person may open."""
    reviews = QualityReview.objects.select_related(
        "person", "reviewer", "team", "checklist", "recorded_by"
    )
    if is_admin(user):
        return reviews
    if not getattr(user, "is_authenticated", False):
        return reviews.none()
    return reviews.filter(Q(reviewer=user) | Q(person=user) | Q(team_id__in=leader_team_ids(user)))


def review_for_user(user, pk: int) -> QualityReview | None:
    return review_list(user).filter(pk=pk).first()


def reviews_to_do(user) -> QuerySet[QualityReview]:
    """Pending reviews given to this person; for a leader also the team's with no reviewer."""
    mine = Q(reviewer=user)
    leading = leader_team_ids(user)
    if leading:
        mine |= Q(reviewer__isnull=True, team_id__in=leading)
    return (
        review_list(user)
        .filter(mine, result=Result.PENDING)
        .exclude(person=user)
        .order_by("week", "completed_at", "id")
    )


def reviews_done(user, limit: int = 50) -> list[QualityReview]:
    """Reviews this person recorded, newest first."""
    return list(
        review_list(user)
        .filter(recorded_by=user)
        .exclude(result=Result.PENDING)
        .order_by("-reviewed_at", "-id")[:limit]
    )


def my_results(user, limit: int = 50) -> list[QualityReview]:
    """The reviews of this person's own work that have been recorded, newest first."""
    return list(
        review_list(user)
        .filter(person=user)
        .exclude(result=Result.PENDING)
        .order_by("-reviewed_at", "-id")[:limit]
    )


# --- the accuracy report ----------------------------------------------------------------

ONE_DECIMAL = Decimal("0.1")


def accuracy(passed: int, reviewed: int) -> Decimal | None:
    """passed ÷ reviewed in per cent, one decimal, half up; None when nothing was reviewed."""
    if reviewed == 0:
        return None
    return (Decimal(100) * passed / reviewed).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


@dataclass
class AccuracyRow:
    name: str
    passed: int = 0
    failed: int = 0
    pending: int = 0
    team: str = ""
    key: str = ""

    @property
    def reviewed(self) -> int:
        return self.passed + self.failed

    @property
    def accuracy(self) -> Decimal | None:
        return accuracy(self.passed, self.reviewed)

    @property
    def below_target(self) -> bool:
        value = self.accuracy
        return value is not None and value < ACCURACY_TARGET

    def as_dict(self) -> dict:
        value = self.accuracy
        return {
            "name": self.name,
            "key": self.key,
            "reviewed": self.reviewed,
            "passed": self.passed,
            "failed": self.failed,
            "pending": self.pending,
            "accuracy": str(value) if value is not None else None,
            "target": str(ACCURACY_TARGET),
            "below_target": self.below_target,
        }


@dataclass
class AccuracyReport:
    weeks: list[dt.date]
    people: list[AccuracyRow] = field(default_factory=list)
    teams: list[AccuracyRow] = field(default_factory=list)
    target: Decimal = ACCURACY_TARGET

    def as_dict(self) -> dict:
        return {
            "weeks": [f"{week:%G-W%V}" for week in self.weeks],
            "target": str(self.target),
            "definition": "accuracy = passed / reviewed (reviewed = passed + failed; pending "
            "reviews are not counted), per cent to one decimal",
            "people": [row.as_dict() for row in self.people],
            "teams": [row.as_dict() for row in self.teams],
        }


def _add(row: AccuracyRow, result: str) -> None:
    if result == Result.PASSED:
        row.passed += 1
    elif result == Result.FAILED:
        row.failed += 1
    else:
        row.pending += 1


def accuracy_report(*, user, weeks: list[dt.date]) -> AccuracyReport:
    """Per person and per team, over the given weeks, for what this person may see: their
    own results; a leader also their team's people and the team; an administrator all.
    `user=None` reads everything (the command line)."""
    reviews = QualityReview.objects.all() if user is None else review_list(user)
    if user is not None and not is_admin(user):
        # a reviewer opens the reviews given to them, but their figures are not theirs
        reviews = reviews.filter(Q(person=user) | Q(team_id__in=leader_team_ids(user)))
    rows = reviews.filter(week__in=weeks).values_list("person_id", "team_id", "result")
    people: dict[int, AccuracyRow] = {}
    teams: dict[int, AccuracyRow] = {}
    team_shown = user is None or is_admin(user)
    leading = set() if team_shown else set(leader_team_ids(user))
    for person_id, team_id, result in rows:
        _add(people.setdefault(person_id, AccuracyRow(name="")), result)
        if team_shown or team_id in leading:
            _add(teams.setdefault(team_id, AccuracyRow(name="")), result)
    users = get_user_model().objects.in_bulk(list(people))
    for person_id, row in people.items():
        row.name = person_label(users[person_id])
        row.key = users[person_id].get_username()
    names = Team.objects.in_bulk(list(teams))
    for team_id, row in teams.items():
        row.name = names[team_id].name
        row.key = names[team_id].code
    return AccuracyReport(
        weeks=list(weeks),
        people=sorted(people.values(), key=lambda row: row.name.lower()),
        teams=sorted(teams.values(), key=lambda row: row.name.lower()),
    )
