"""Who sees which case, and which part of its conversation."""

from decimal import Decimal

import pytest

from revdesk.cases import services
from revdesk.cases.selectors import case_list, case_timeline, sees_internal

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(world, teams, monday):
    users = world.users

    def open_(case_type, title, actor, **kwargs):
        return services.case_open(
            actor=users[actor], case_type=case_type, title=title, now=monday, **kwargs
        )

    return {
        "east": open_("ar_dispute", "East dispute", "collector", customer=world.customer_east),
        "west": open_(
            "short_payment",
            "West short pay",
            "collector2",
            customer=world.customer_west,
            amount=Decimal("40.00"),
        ),
        "claim": open_(
            "commission_claim", "Split credit on SO-1", "rep", subjects=[world.rep_east]
        ),
        "rebate": open_(
            "rebate_claim", "Missing sale", "distributor", subjects=[world.distributor]
        ),
        "other_rebate": open_(
            "rebate_claim", "Other distributor", "analyst", subjects=[world.other_distributor]
        ),
        "defect": open_("order_defect", "Billing rejected SO-2", "ops"),
    }


def titles(user):
    return sorted(case_list(user).values_list("title", flat=True))


def test_each_person_sees_their_teams_cases_and_cases_about_what_they_may_see(world, cases):
    users = world.users
    everything = sorted(c.title for c in cases.values())
    assert titles(users["admin"]) == everything
    assert titles(users["analyst"]) == everything
    assert titles(users["ops"]) == everything  # sales operations sees everything
    # Collections members see the collections queue; collector2 is also in cash
    # application, where short payments go.
    assert titles(users["collector"]) == ["East dispute"]
    assert titles(users["collector2"]) == ["East dispute", "West short pay"]
    assert titles(users["rep"]) == ["East dispute", "Split credit on SO-1"]
    assert titles(users["rep_west"]) == ["West short pay"]
    assert titles(users["distributor"]) == ["Missing sale"]


def test_outside_people_see_only_the_external_conversation(world, cases, monday):
    claim = cases["claim"]
    analyst = world.users["analyst"]
    services.comment_add(claim, actor=analyst, body="Check policy 100 splits", now=monday)
    services.comment_add(
        claim, actor=analyst, body="We are reviewing your claim.", visibility="external", now=monday
    )
    assert not sees_internal(world.users["rep"])
    assert sees_internal(world.users["analyst"])
    assert [(e.kind, e.body) for e in case_timeline(claim, world.users["rep"])] == [
        ("created", ""),
        ("comment", "We are reviewing your claim."),
    ]
    assert [e.kind for e in case_timeline(claim, world.users["analyst"])] == [
        "created",
        "routed",
        "comment",
        "comment",
    ]
