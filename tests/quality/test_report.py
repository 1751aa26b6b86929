"""The accuracy figures, exact: passed ÷ reviewed (pending not counted), one decimal, 98%."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType

from revdesk.cases.models import Team
from revdesk.cli import main
from revdesk.quality.choices import Result
from revdesk.quality.models import QualityReview
from revdesk.quality.selectors import accuracy, accuracy_report
from revdesk.quality.services import checklist_current

from .conftest import MONDAY_10, WEEK

pytestmark = pytest.mark.django_db


def reviews(world, username, team, *, passed=0, failed=0, pending=0, week=WEEK, start=0):
    """Reviews as the sample would leave them, with the results already recorded."""
    checklist = checklist_current("case")
    kind = ContentType.objects.get_for_model(Team)  # any model: the item is only a key here
    results = [Result.PASSED] * passed + [Result.FAILED] * failed + [Result.PENDING] * pending
    QualityReview.objects.bulk_create(
        QualityReview(
            week=week,
            person=world.users[username],
            team=Team.objects.get(code=team),
            source="case",
            content_type=kind,
            object_id=f"{username}-{week}-{start + number}",
            label=f"Item {number}",
            completed_at=MONDAY_10,
            checklist=checklist,
            result=result,
        )
        for number, result in enumerate(results)
    )


def rows(report):
    return [
        (r.name, r.reviewed, r.passed, r.failed, r.pending, r.accuracy, r.below_target)
        for r in report
    ]


def test_49_of_50_meets_the_target_and_48_of_50_does_not(world, teams):
    reviews(world, "collector", "collections", passed=49, failed=1, pending=3)
    reviews(world, "collector2", "collections", passed=48, failed=2)
    report = accuracy_report(user=None, weeks=[WEEK])
    assert rows(report.people) == [
        ("collector", 50, 49, 1, 3, Decimal("98.0"), False),
        ("collector2", 50, 48, 2, 0, Decimal("96.0"), True),
    ]
    assert rows(report.teams) == [("Collections", 100, 97, 3, 3, Decimal("97.0"), True)]


def test_rounding_is_half_up_to_one_decimal_and_nothing_reviewed_has_no_figure():
    assert accuracy(2, 3) == Decimal("66.7")
    assert accuracy(1, 8) == Decimal("12.5")
    assert accuracy(197, 200) == Decimal("98.5")
    assert accuracy(1, 1600) == Decimal("0.1")  # 0.0625 half up
    assert accuracy(0, 0) is None


def test_a_range_of_weeks_adds_up_and_other_weeks_stay_out(world, teams):
    reviews(world, "collector", "collections", passed=10, week=WEEK)
    reviews(world, "collector", "collections", passed=9, failed=1, week=WEEK - dt.timedelta(7))
    reviews(world, "collector", "collections", failed=5, week=WEEK - dt.timedelta(14))
    two = accuracy_report(user=None, weeks=[WEEK - dt.timedelta(7), WEEK])
    assert rows(two.people) == [("collector", 20, 19, 1, 0, Decimal("95.0"), True)]
    one = accuracy_report(user=None, weeks=[WEEK])
    assert rows(one.people) == [("collector", 10, 10, 0, 0, Decimal("100.0"), False)]


def test_each_sees_their_own_a_leader_the_team_an_admin_everything(world, teams):
    reviews(world, "collector", "collections", passed=4, failed=1)
    reviews(world, "collector2", "cash_application", passed=2)
    reviews(world, "ops", "order_management", passed=1)

    def seen(username):
        report = accuracy_report(user=world.users[username], weeks=[WEEK])
        return [r.name for r in report.people], [r.name for r in report.teams]

    assert seen("collector") == (["collector"], [])
    assert seen("collector2") == (["collector2"], [])
    assert seen("lead") == ([], [])  # a senior, not a leader
    assert seen("leader") == (["collector", "ops"], ["Collections", "Order management"])
    assert seen("admin") == (
        ["collector", "collector2", "ops"],
        ["Cash application", "Collections", "Order management"],
    )


def test_revdesk_quality_report_and_sample_from_the_command_line(world, teams, capsys):
    reviews(world, "collector", "collections", passed=49, failed=1)
    assert main(["quality", "report", "--week", "2025-W49", "--weeks", "1", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["weeks"] == ["2025-W49"]
    assert report["people"] == [
        {
            "name": "collector",
            "key": "collector",
            "reviewed": 50,
            "passed": 49,
            "failed": 1,
            "pending": 0,
            "accuracy": "98.0",
            "target": "98.0",
            "below_target": False,
        }
    ]
    assert main(["quality", "report", "--week", "2025-12-03", "--weeks", "4"]) == 0
    out = capsys.readouterr().out
    assert "Accuracy by person, 2025-W46 to 2025-W49 (target 98.0%)" in out
    assert "98.0" in out
    assert main(["quality", "report", "--week", "next"]) == 2
    assert "--week 'next' is not a week" in capsys.readouterr().err
    assert main(["quality", "sample", "--week", "2025-W49", "--per-person", "0"]) == 2
    assert "--per-person must be 1 or more, not 0." in capsys.readouterr().err


def test_revdesk_quality_sample_prints_what_it_added(world, teams, case_done, capsys):
    case_done("collector", MONDAY_10, "Freight charged twice")
    assert main(["quality", "sample", "--week", "2025-W49", "--seed", "4"]) == 0
    out = capsys.readouterr().out
    assert "Quality review sample, week 2025-W49 (Mon 01 Dec – Sun 07 Dec 2025)" in out
    assert "1 item(s) added to the review, up to 5 per person, seed 4." in out
    assert main(["quality", "sample", "--week", "2025-W49", "--seed", "4", "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["people"] == [
        {"person": "collector", "completed": 1, "already_sampled": 1, "added": []}
    ]
    assert main(["quality", "sample", "--week", "2025-W40"]) == 0
    assert "Nothing was completed in week 2025-W40" in capsys.readouterr().out
