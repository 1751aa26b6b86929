"""The weekly sample: that week's completed work only, up to N per person, a peer reviews it,
the same seed picks the same items and running it again adds nothing."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from revdesk.cases import services as case_services
from revdesk.cases.choices import Status
from revdesk.foundation.models import ChangeRecord
from revdesk.quality.choices import Result
from revdesk.quality.models import Checklist, QualityReview
from revdesk.quality.services import quality_sample

from .conftest import MONDAY_10, WEEK, D, H

pytestmark = pytest.mark.django_db


def rows():
    return sorted(
        (r.person.username, r.label, r.source, r.team.code, getattr(r.reviewer, "username", None))
        for r in QualityReview.objects.select_related("person", "reviewer", "team")
    )


def test_only_the_weeks_completed_work_is_sampled_and_nobody_reviews_themself(
    world, teams, case_done, cash_applied
):
    a = case_done("collector", MONDAY_10, "In the week A")
    b = case_done("collector", MONDAY_10 + 4 * D + 13 * H, "In the week B (Friday 23:00)")
    case_done("collector", MONDAY_10 - 1 * D, "Sunday before: last week")
    case_done("collector", MONDAY_10 + 7 * D - 10 * H, "Next Monday 00:00: next week")
    case_services.case_open(
        actor=world.users["collector"],
        case_type="ar_dispute",
        title="Still open",
        team=teams["collections"],
        owner=world.users["collector"],
        now=MONDAY_10,
    )
    c = case_done("collector2", MONDAY_10 + 2 * D, "Collector2's case")
    cash_applied("collector2", "RCPT-1", "INV-1", "100.00", MONDAY_10 + 3 * H)
    cash_applied("collector2", "PAY-2", "INV-5", "400.00", MONDAY_10 + 4 * H, source="import:x.csv")
    cash_applied("collector2", "RCPT-1", "INV-2", "50.00", MONDAY_10 - 2 * D)

    result = quality_sample(WEEK, per_person=5, seed=1)

    application = "Payment RCPT-1 applied to invoice INV-1: 100.00 USD"
    assert rows() == [
        ("collector", f"{a.number} In the week A", "case", "collections", "collector2"),
        (
            "collector",
            f"{b.number} In the week B (Friday 23:00)",
            "case",
            "collections",
            "collector2",
        ),
        ("collector2", f"{c.number} Collector2's case", "case", "collections", "collector"),
        # the cash application team has no other member: its senior reviews
        ("collector2", application, "cash_application", "cash_application", "lead"),
    ]
    assert [(p.name, p.completed, p.already, len(p.added)) for p in result.people] == [
        ("collector", 2, 0, 2),
        ("collector2", 2, 0, 2),
    ]
    review = QualityReview.objects.get(source="case", person__username="collector2")
    assert (review.week, review.result, review.answers) == (WEEK, Result.PENDING, [])
    assert review.checklist == Checklist.objects.get(source="case", version=1)
    assert review.completed_at == MONDAY_10 + 2 * D
    assert ChangeRecord.objects.filter(content_type__model="qualityreview").count() == 4


def test_the_same_seed_picks_the_same_items_and_running_again_adds_nothing(world, teams, case_done):
    for number in range(8):
        case_done("collector", MONDAY_10 + number * H, f"Case {number}")

    first = quality_sample(WEEK, per_person=3, seed=7)
    picked = rows()
    assert len(picked) == 3
    assert len(first.added) == 3

    again = quality_sample(WEEK, per_person=3, seed=7)
    assert again.added == []
    assert rows() == picked
    assert [(p.completed, p.already) for p in again.people] == [(8, 3)]

    QualityReview.objects.all().delete()
    quality_sample(WEEK, per_person=3, seed=7)
    assert rows() == picked  # deterministic: the same three, not just any three

    # a larger sample keeps the three and adds the next two of the same order
    bigger = quality_sample(WEEK, per_person=5, seed=7)
    assert len(bigger.added) == 2
    assert set(picked) < set(rows())
    assert len(rows()) == 5

    other_seeds = set()
    for seed in range(1, 6):
        QualityReview.objects.all().delete()
        quality_sample(WEEK, per_person=3, seed=seed)
        other_seeds.add(tuple(rows()))
    assert len(other_seeds) > 1  # the seed matters


def test_per_person_limit_counts_every_source(world, teams, case_done, cash_applied):
    for number in range(3):
        case_done("collector2", MONDAY_10 + number * H, f"Case {number}")
    cash_applied("collector2", "RCPT-1", "INV-1", "100.00", MONDAY_10 + 5 * H)
    cash_applied("collector2", "PAY-1", "INV-1", "200.00", MONDAY_10 + 6 * H)
    result = quality_sample(WEEK, per_person=2, seed=3)
    assert [(p.name, p.completed, len(p.added)) for p in result.people] == [("collector2", 5, 2)]
    assert QualityReview.objects.count() == 2


def test_reviews_go_to_the_least_loaded_peer(world, teams, case_done):
    # lead is the collections senior: the members at member level are the peers
    for number in range(4):
        case_done("lead", MONDAY_10 + number * H, f"Lead's case {number}")
    case_done("ops", MONDAY_10, "Order fix", team="order_management")
    quality_sample(WEEK, per_person=5, seed=0)
    reviewers = sorted(
        QualityReview.objects.filter(person__username="lead").values_list(
            "reviewer__username", flat=True
        )
    )
    assert reviewers == ["collector", "collector", "collector2", "collector2"]
    # order management has no other member and no senior: its leader reviews
    assert QualityReview.objects.get(person__username="ops").reviewer.username == "leader"


def test_a_person_away_is_not_given_reviews_and_a_lone_person_gets_none(world, teams, case_done):
    from revdesk.cases.models import TeamMembership

    TeamMembership.objects.filter(user__username="collector2", team__code="collections").update(
        takes_cases=False
    )
    case_done("collector", MONDAY_10, "Collector's case")
    quality_sample(WEEK, seed=0)
    assert QualityReview.objects.get().reviewer.username == "lead"  # the senior
    TeamMembership.objects.filter(team__code="collections").exclude(
        user__username="collector"
    ).delete()
    case_done("collector", MONDAY_10 + H, "Another")
    quality_sample(WEEK, seed=0)
    assert QualityReview.objects.get(label__endswith="Another").reviewer is None


def test_week_and_sample_size_errors_are_plain(world, teams):
    from revdesk.quality.weeks import WeekError, week_parse

    assert week_parse("2025-W49") == WEEK
    assert week_parse("2025-12-04") == WEEK
    with pytest.raises(WeekError, match="write it as 2026-W48"):
        week_parse("last week")
    with pytest.raises(WeekError, match="2025 has no week 54"):
        week_parse("2025-W54")
    with pytest.raises(ValidationError, match="at least 1 item per person, not 0"):
        quality_sample(WEEK, per_person=0)
    assert quality_sample(dt.date(2025, 12, 3)).week == WEEK


def test_reopened_and_resolved_again_counts_in_the_week_it_was_resolved(world, teams, case_done):
    case = case_done("collector", MONDAY_10 - 3 * D, "Resolved last week, again this week")
    user = world.users["collector"]
    case_services.case_transition(
        case, Status.IN_PROGRESS, actor=user, note="Customer wrote back", now=MONDAY_10
    )
    case_services.case_transition(
        case, Status.RESOLVED, actor=user, outcome="rebill", note="Done", now=MONDAY_10 + H
    )
    quality_sample(WEEK, seed=0)
    assert QualityReview.objects.get().completed_at == MONDAY_10 + H
    assert quality_sample(WEEK - 7 * D, seed=0).added == []
