"""The quality pages: who opens them (404 for everybody else), the review form, the report."""

import pytest
from django.urls import reverse

from revdesk.cases.models import Notification
from revdesk.quality.choices import Result
from revdesk.quality.models import QualityReview
from revdesk.quality.services import quality_sample
from revdesk.testing import ROLES, signed_in

from .conftest import MONDAY_10, WEEK, D

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(world, teams, case_done):
    case = case_done("collector", MONDAY_10, "Freight charged twice")
    quality_sample(WEEK, seed=0)
    return QualityReview.objects.get(object_id=str(case.pk))


def status(client, username, url):
    client.logout()
    signed_in(client, username)
    return client.get(url).status_code


def test_the_pages_open_for_team_members_and_admins_only(client, world, teams, review):
    home, report = reverse("web:quality_home"), reverse("web:quality_report")
    got = {username: status(client, username, home) for username in ROLES}
    members = {"collector", "collector2", "lead", "leader", "analyst", "ops", "admin"}
    assert got == {username: 200 if username in members else 404 for username in ROLES}
    assert {username: status(client, username, report) for username in ROLES} == got
    # the review itself: its reviewer, the person reviewed, the team's leader, an admin
    url = review.get_absolute_url()
    got = {username: status(client, username, url) for username in ROLES}
    allowed = {"collector2", "collector", "leader", "admin"}
    assert got == {username: 200 if username in allowed else 404 for username in ROLES}


def test_navigation_shows_quality_review_to_members_only(client, world, teams):
    def nav(username):
        client.logout()
        signed_in(client, username)
        return [item.label for item in client.get("/").context["nav_items"]]

    assert "Quality review" in nav("collector")
    assert "Quality review" in nav("admin")
    assert "Quality review" not in nav("manager")  # no case team
    assert "Quality review" not in nav("rep")


def test_my_reviews_to_do_and_the_form_records_the_review(client, world, review):
    signed_in(client, "collector2")
    page = client.get(reverse("web:quality_home"))
    assert [r.label for r in page.context["to_do"]] == [review.label]
    form = client.get(review.get_absolute_url())
    html = form.content.decode()
    assert 'data-testid="review-form"' in html
    assert html.count('type="radio"') == 6 * 3
    data = {f"q{n}": "pass" for n in range(1, 7)}
    data |= {"q2": "fail", "q2_note": "", "findings": "Say what was rebilled."}
    refused = client.post(review.get_absolute_url(), data)
    assert refused.status_code == 400
    assert "Question 2 failed: write in the note what was wrong" in refused.content.decode()
    review.refresh_from_db()
    assert review.result == Result.PENDING
    data["q2_note"] = "The resolution does not name the invoice."
    done = client.post(review.get_absolute_url(), data)
    assert done.status_code == 302
    assert done["Location"] == reverse("web:quality_home")
    review.refresh_from_db()
    assert review.result == Result.FAILED
    assert review.findings == "Say what was rebilled."
    home = client.get(reverse("web:quality_home"))
    assert home.context["to_do"] == []
    assert [r.pk for r in home.context["done"]] == [review.pk]
    note = Notification.objects.get(user__username="collector")
    assert note.text.startswith(f"Quality review of {review.label}: failed")


def test_the_person_reviewed_sees_the_result_but_cannot_record(client, world, review):
    signed_in(client, "collector")
    page = client.get(review.get_absolute_url())
    assert 'data-testid="review-form"' not in page.content.decode()
    data = {f"q{n}": "pass" for n in range(1, 7)}
    assert client.post(review.get_absolute_url(), data).status_code == 404
    client.logout()
    signed_in(client, "lead")
    assert client.post(review.get_absolute_url(), data).status_code == 404
    review.refresh_from_db()
    assert review.result == Result.PENDING
    client.logout()
    signed_in(client, "leader")  # the team's leader may record in the reviewer's place
    assert client.post(review.get_absolute_url(), data).status_code == 302
    review.refresh_from_db()
    assert (review.result, review.recorded_by.username) == (Result.PASSED, "leader")


def test_the_report_shows_own_figures_or_the_teams(client, world, teams, review):
    QualityReview.objects.filter(pk=review.pk).update(result=Result.PASSED)
    url = reverse("web:quality_report") + "?week=2025-W49"
    signed_in(client, "collector")
    page = client.get(url)
    assert [(r.name, r.reviewed, r.accuracy) for r in page.context["report"].people] == [
        ("collector", 1, 100)
    ]
    assert 'data-testid="accuracy-teams"' not in page.content.decode()
    client.logout()
    signed_in(client, "collector2")  # the reviewer: not their figures
    assert client.get(url).context["report"].people == []
    client.logout()
    signed_in(client, "leader")
    page = client.get(url)
    assert [r.name for r in page.context["report"].teams] == ["Collections"]
    assert 'data-testid="accuracy-collections"' in page.content.decode()


def test_bad_week_and_weeks_are_named_and_the_default_shown(client, world, teams):
    signed_in(client, "admin")
    page = client.get(reverse("web:quality_report") + "?week=soon&weeks=3")
    assert page.status_code == 200
    assert page.context["problems"] == [
        "Week: 'soon' is not a week: write it as 2026-W48 (ISO week) or as a date such as "
        "2026-11-23 (the week it falls in). Showing last week instead.",
        "Weeks: '3' is not one of 1, 4, 8, 13, 26, 52. Showing one week.",
    ]
    page = client.get(reverse("web:quality_report") + f"?week={(WEEK + 2 * D).isoformat()}")
    assert page.context["week_value"] == "2025-W49"
