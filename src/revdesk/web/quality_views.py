"""The weekly quality review in the browser: my reviews to do, one review's checklist form,
and the accuracy report. Open to members of a case team and administrators (others: 404);
what each person sees is decided by revdesk.quality.selectors, what they may record by
revdesk.quality.services.may_record.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from revdesk.foundation.views import person_name, user_has_role
from revdesk.quality.choices import ACCURACY_TARGET, Answer, Result
from revdesk.quality.selectors import (
    accuracy_report,
    my_results,
    quality_member,
    review_for_user,
    reviews_done,
    reviews_to_do,
    sees_team_results,
)
from revdesk.quality.services import may_record, review_record
from revdesk.quality.sources import source_label
from revdesk.quality.weeks import WeekError, last_week, week_label, week_parse, weeks_ending

from . import roles

REPORT_WEEKS = (1, 4, 8, 13, 26, 52)


def quality_allowed(user, *, on_team: bool | None = None) -> bool:
    """The quality pages are for members of a case team and administrators (on_team: the
    membership when already read)."""
    return user_has_role(user, roles.QUALITY_ROLES) and quality_member(user, on_team=on_team)


def _require(user) -> None:
    if not quality_allowed(user):
        raise Http404("No such page.")


@login_required
def quality_home(request):
    _require(request.user)
    user = request.user
    return render(
        request,
        "web/quality/home.html",
        {
            "to_do": list(reviews_to_do(user)),
            "done": reviews_done(user),
            "results": my_results(user),
            "sees_team": sees_team_results(user),
            "target": ACCURACY_TARGET,
        },
    )


def _rows(review, posted=None, errors=None) -> list[dict]:
    """One row per checklist question: the answer and note given (posted, else recorded)."""
    errors = errors or {}
    recorded = review.answers or []
    rows = []
    for number, question in enumerate(review.checklist.question_list, start=1):
        if posted is not None:
            answer = posted.get(f"q{number}", "")
            note = posted.get(f"q{number}_note", "")
        elif number <= len(recorded):
            answer, note = recorded[number - 1]["answer"], recorded[number - 1]["note"]
        else:
            answer, note = "", ""
        rows.append(
            {
                "number": number,
                "question": question,
                "answer": answer,
                "note": note,
                "error": " ".join(errors.get(f"q{number}", [])),
            }
        )
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def quality_review(request, pk: int):
    _require(request.user)
    review = review_for_user(request.user, pk)
    if review is None:
        raise Http404("No such review.")
    can_record = may_record(request.user, review)
    errors: dict[str, list[str]] = {}
    posted = None
    if request.method == "POST":
        if not can_record:
            raise Http404("No such page.")
        posted = request.POST
        answers = [
            {"answer": posted.get(f"q{n}", ""), "note": posted.get(f"q{n}_note", "")}
            for n in range(1, len(review.checklist.question_list) + 1)
        ]
        try:
            review_record(
                review,
                actor=request.user,
                answers=answers,
                findings=posted.get("findings", ""),
            )
        except ValidationError as error:
            errors = error.message_dict
        except PermissionDenied:
            raise Http404("No such page.") from None
        else:
            review.refresh_from_db()
            messages.success(
                request,
                f"Review of {review.label} recorded: {review.get_result_display().lower()}. "
                f"{person_name(review.person)} has been told.",
            )
            return redirect(reverse("web:quality_home"))
    return render(
        request,
        "web/quality/review.html",
        {
            "review": review,
            "source_label": source_label(review.source),
            "rows": _rows(review, posted, errors),
            "errors": errors.get("answers", []),
            "findings": posted.get("findings", "") if posted is not None else review.findings,
            "can_record": can_record,
            "choices": Answer.choices,
            "pending": review.result == Result.PENDING,
        },
        status=400 if errors else 200,
    )


@login_required
def quality_report(request):
    _require(request.user)
    problems = []
    week = last_week()
    if request.GET.get("week"):
        try:
            week = week_parse(request.GET["week"])
        except WeekError as error:
            problems.append(f"Week: {error} Showing last week instead.")
    try:
        count = int(request.GET.get("weeks") or 1)
    except ValueError:
        count = 0
    if count not in REPORT_WEEKS:
        problems.append(
            f"Weeks: {request.GET.get('weeks')!r} is not one of "
            f"{', '.join(map(str, REPORT_WEEKS))}. Showing one week."
        )
        count = 1
    weeks = weeks_ending(week, count)
    report = accuracy_report(user=request.user, weeks=weeks)
    return render(
        request,
        "web/quality/report.html",
        {
            "report": report,
            "week": week,
            "week_value": week_label(week),
            "first_week": week_label(weeks[0]),
            "count": count,
            "week_choices": REPORT_WEEKS,
            "previous": week_label(week - dt.timedelta(weeks=count)),
            "next": week_label(week + dt.timedelta(weeks=count)),
            "problems": problems,
            "sees_team": sees_team_results(request.user),
        },
    )
