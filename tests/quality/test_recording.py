"""Recording a review: who may, what makes the result, how the findings go back."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from revdesk.cases.choices import EventKind, Visibility
from revdesk.cases.models import CaseEvent, Notification
from revdesk.foundation.audit import change_history
from revdesk.quality.choices import Result
from revdesk.quality.models import Checklist, QualityReview
from revdesk.quality.services import checklist_save, quality_sample, review_record

from .conftest import MONDAY_10, WEEK, D

pytestmark = pytest.mark.django_db
LATER = MONDAY_10 + 8 * D


def all_pass(review, **changes):
    answers = [{"answer": "pass", "note": ""} for _ in review.checklist.question_list]
    for index, value in changes.items():
        answers[int(index[1:]) - 1] = value
    return answers


@pytest.fixture
def case_review(world, teams, case_done):
    case = case_done("collector", MONDAY_10, "Freight charged twice")
    quality_sample(WEEK, seed=0)
    return QualityReview.objects.get(object_id=str(case.pk))


def test_a_pass_on_every_question_passes_and_the_owner_hears_of_it(world, case_review):
    reviewer = world.users["collector2"]
    assert case_review.reviewer == reviewer
    review_record(
        case_review, actor=reviewer, answers=all_pass(case_review), findings="Clean.", now=LATER
    )
    case_review.refresh_from_db()
    assert (case_review.result, case_review.reviewed_at, case_review.recorded_by) == (
        Result.PASSED,
        LATER,
        reviewer,
    )
    assert [a["answer"] for a in case_review.answers] == ["pass"] * 6
    assert case_review.answers[0]["question"] == (
        "The outcome and the reason code fit what the case was about."
    )
    event = CaseEvent.objects.get(kind=EventKind.REVIEW)
    assert (event.case.number, event.visibility, event.actor, event.time) == (
        case_review.label.split()[0],
        Visibility.INTERNAL,
        reviewer,
        LATER,
    )
    assert event.body == "Quality review (2025-W49) passed.\nClean."
    assert event.data == {"review": case_review.pk, "result": "passed", "week": "2025-W49"}
    notification = Notification.objects.get(user=world.users["collector"], event=event)
    assert notification.text == (f"Quality review of {case_review.label}: passed. Clean.")
    assert (notification.case, notification.url) == (event.case, "")  # opens the case's page
    record = change_history(case_review).first()
    assert (record.user, record.before["result"], record.after["result"]) == (
        reviewer,
        "pending",
        "passed",
    )


def test_one_failed_question_fails_the_item_and_says_what_was_wrong(world, case_review):
    answers = all_pass(
        case_review,
        q3={"answer": "fail", "note": "Credit of 120.00 but the invoice line is 102.00."},
        q5={"answer": "na", "note": ""},
    )
    review_record(
        case_review,
        actor=world.users["collector2"],
        answers=answers,
        findings="Ask billing to correct the credit memo.",
        now=LATER,
    )
    case_review.refresh_from_db()
    assert case_review.result == Result.FAILED
    assert [a["answer"] for a in case_review.answers] == [
        "pass",
        "pass",
        "fail",
        "pass",
        "na",
        "pass",
    ]
    event = CaseEvent.objects.get(kind=EventKind.REVIEW)
    assert event.body == (
        "Quality review (2025-W49) failed.\n"
        "- Every amount credited, rebilled or written off matches the documents on the case. "
        "Credit of 120.00 but the invoice line is 102.00.\n"
        "Ask billing to correct the credit memo."
    )
    assert Notification.objects.get(event=event).text.startswith(
        f"Quality review of {case_review.label}: failed. Ask billing"
    )


def test_answers_must_be_complete_and_a_failure_explained(world, case_review):
    reviewer = world.users["collector2"]
    with pytest.raises(ValidationError) as error:
        review_record(
            case_review,
            actor=reviewer,
            answers=all_pass(case_review, q2={"answer": "", "note": ""}, q4={"answer": "fail"}),
        )
    assert error.value.message_dict == {
        "q2": ["Question 2: choose pass, fail or n.a."],
        "q4": [
            "Question 4 failed: write in the note what was wrong, so the person can put it right."
        ],
    }
    with pytest.raises(ValidationError, match="6 questions; 2 answers"):
        review_record(case_review, actor=reviewer, answers=[("pass", ""), ("pass", "")])
    with pytest.raises(ValidationError, match=r"Every question is n\.a\."):
        review_record(case_review, actor=reviewer, answers=[("na", "")] * 6)
    case_review.refresh_from_db()
    assert case_review.result == Result.PENDING
    assert not CaseEvent.objects.filter(kind=EventKind.REVIEW).exists()
    assert not Notification.objects.filter(user=world.users["collector"]).exists()


@pytest.mark.parametrize(
    ("username", "allowed"),
    [
        ("collector2", True),  # the reviewer
        ("leader", True),  # the collections leader
        ("collector", False),  # the person reviewed
        ("lead", False),  # a senior, not the reviewer
        ("admin", False),
        ("analyst", False),  # another team
    ],
)
def test_only_the_reviewer_or_a_team_leader_may_record(world, case_review, username, allowed):
    actor = world.users[username]
    if allowed:
        review_record(case_review, actor=actor, answers=all_pass(case_review))
        case_review.refresh_from_db()
        assert case_review.recorded_by == actor
        return
    with pytest.raises(PermissionDenied):
        review_record(case_review, actor=actor, answers=all_pass(case_review))
    case_review.refresh_from_db()
    assert (case_review.result, case_review.recorded_by) == (Result.PENDING, None)
    assert change_history(case_review).count() == 1  # its creation only


def test_a_leader_of_the_team_never_records_their_own_work(world, teams, case_done):
    case_done("leader", MONDAY_10, "Leader's own case")
    quality_sample(WEEK, seed=0)
    review = QualityReview.objects.get()
    with pytest.raises(PermissionDenied, match="their own work"):
        review_record(review, actor=world.users["leader"], answers=all_pass(review))


def test_a_cash_application_review_notifies_with_a_link_to_the_review(world, teams, cash_applied):
    cash_applied("collector2", "RCPT-1", "INV-1", "100.00", MONDAY_10)
    quality_sample(WEEK, seed=0)
    review = QualityReview.objects.get()
    review_record(
        review,
        actor=world.users["lead"],
        answers=all_pass(review, q2={"answer": "fail", "note": "Remittance says 90.00."}),
    )
    notification = Notification.objects.get(user=world.users["collector2"])
    assert notification.case is None
    assert notification.link == f"/quality/{review.pk}/"
    assert notification.text == (
        "Quality review of Payment RCPT-1 applied to invoice INV-1: 100.00 USD: failed"
    )
    assert not CaseEvent.objects.filter(kind=EventKind.REVIEW).exists()


def test_recording_again_corrects_the_result(world, case_review):
    reviewer = world.users["collector2"]
    review_record(
        case_review,
        actor=reviewer,
        answers=all_pass(case_review, q1={"answer": "fail", "note": "Wrong reason."}),
    )
    review_record(
        case_review, actor=reviewer, answers=all_pass(case_review), findings="My mistake."
    )
    case_review.refresh_from_db()
    assert case_review.result == Result.PASSED
    bodies = list(CaseEvent.objects.filter(kind=EventKind.REVIEW).values_list("body", flat=True))
    assert bodies[1] == "Quality review (2025-W49) corrected: passed.\nMy mistake."


def test_a_new_checklist_version_serves_new_reviews_and_old_ones_keep_theirs(
    world, teams, case_done, case_review
):
    old = case_review.checklist
    new = checklist_save(
        source="case",
        name="Closed case",
        questions="Outcome right?\n\nCustomer told?\n",
        note="Shorter",
        actor=world.users["admin"],
    )
    assert (new.version, new.question_list) == (2, ["Outcome right?", "Customer told?"])
    assert (
        checklist_save(
            source="case",
            name="Closed case",
            questions="Outcome right?\nCustomer told?",
            actor=None,
        )
        == new
    )  # unchanged: no version 3
    case_done("collector", MONDAY_10 + 1 * D, "Second")
    quality_sample(WEEK, seed=0)
    assert QualityReview.objects.get(label__endswith="Second").checklist == new
    case_review.refresh_from_db()
    assert case_review.checklist == old
    assert Checklist.objects.filter(source="case").count() == 2


def test_editing_a_checklist_in_the_admin_saves_a_new_version(client, world, teams):
    from revdesk.testing import signed_in

    world.users["admin"].is_staff = world.users["admin"].is_superuser = True
    world.users["admin"].save()
    signed_in(client, "admin")
    first = Checklist.objects.get(source="cash_application", version=1)
    response = client.post(
        f"/admin/quality/checklist/{first.pk}/change/",
        {
            "source": "cash_application",
            "name": "Manual cash application",
            "questions": "Right invoices?\nRight amounts?",
            "note": "Two questions are enough",
        },
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert len(first.question_list) == 5  # the version reviews were made with is kept
    second = Checklist.objects.get(source="cash_application", version=2)
    assert (second.question_list, second.note) == (
        ["Right invoices?", "Right amounts?"],
        "Two questions are enough",
    )
