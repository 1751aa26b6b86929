"""Routing rules are data: the first matching rule picks the team and how the owner is chosen."""

from decimal import Decimal

import pytest

from revdesk.cases import services
from revdesk.cases.choices import Assignment, Status
from revdesk.cases.models import CaseType, ReasonCode, RoutingRule, TeamMembership
from revdesk.parties.models import Territory

pytestmark = pytest.mark.django_db


def open_case(world, monday, **kwargs):
    kwargs.setdefault("case_type", "ar_dispute")
    kwargs.setdefault("title", "A dispute")
    return services.case_open(actor=world.users["collector"], now=monday, **kwargs)


def test_without_rules_the_type_s_default_team_queue_keeps_it(world, teams, monday):
    case = open_case(world, monday, case_type="order_defect")
    assert (case.team.code, case.owner) == ("order_management", None)
    assert case.events.get(kind="routed").body == (
        "To Order management: no routing rule matched: the Order management queue"
    )


def test_rules_match_on_reason_amount_customer_and_territory(world, teams, monday):
    dispute = CaseType.objects.get(code="ar_dispute")
    tax = ReasonCode.objects.get(case_type=dispute, code="tax")
    region = Territory.objects.create(code="US", name="United States")
    Territory.objects.filter(pk=world.territory_west.pk).update(parent=region)
    RoutingRule.objects.create(
        sequence=10,
        name="Tax disputes to tax",
        reason=tax,
        team=teams["tax"],
        assignment=Assignment.NOBODY,
    )
    RoutingRule.objects.create(
        sequence=20,
        name="Big disputes to the senior",
        case_type=dispute,
        min_amount=Decimal("10000.00"),
        team=teams["collections"],
        assignment=Assignment.PERSON,
        owner=world.users["lead"],
        set_priority="high",
    )
    RoutingRule.objects.create(
        sequence=30,
        name="US region disputes",
        case_type=dispute,
        territory=region,
        team=teams["collections"],
        assignment=Assignment.PERSON,
        owner=world.users["collector2"],
    )
    RoutingRule.objects.create(
        sequence=40,
        name="Acme to its collector",
        customer=world.customer_east,
        team=teams["collections"],
        assignment=Assignment.PERSON,
        owner=world.users["collector"],
    )
    assert open_case(world, monday, reason="tax", customer=world.customer_east).team.code == "tax"
    big = open_case(world, monday, amount=Decimal("10000.00"), customer=world.customer_east)
    assert (big.owner.username, big.priority) == ("lead", "high")
    small = open_case(world, monday, amount=Decimal("9999.99"), customer=world.customer_east)
    assert small.owner.username == "collector"
    west = open_case(world, monday, customer=world.customer_west)
    assert west.owner.username == "collector2"  # west is under the US region
    assert west.events.get(kind="routed").body == (
        "To Collections, owner collector2: routing rule 30. US region disputes"
    )


def test_a_rule_can_give_the_case_to_the_customer_s_sales_rep(world, teams, monday):
    dispute = CaseType.objects.get(code="ar_dispute")
    RoutingRule.objects.create(
        sequence=10,
        name="Rebate disputes to the rep",
        reason=ReasonCode.objects.get(case_type=dispute, code="promotion_rebate"),
        team=teams["sales"],
        assignment=Assignment.CUSTOMER_REP,
    )
    case = open_case(world, monday, reason="promotion_rebate", customer=world.customer_east)
    assert (case.team.code, case.owner.username) == ("sales", "rep")
    assert case.events.get(kind="routed").body == (
        "To Sales, owner rep: routing rule 10. Rebate disputes to the rep"
    )
    # a customer whose rep cannot sign in: the team's least-loaded member takes it
    world.rep_west.user = None
    world.rep_west.save()
    TeamMembership.objects.create(team=teams["sales"], user=world.users["manager"])
    other = open_case(world, monday, reason="promotion_rebate", customer=world.customer_west)
    assert other.owner.username == "manager"


def test_round_robin_takes_members_in_turn(world, teams, monday):
    RoutingRule.objects.create(
        name="Collections in turn", team=teams["collections"], assignment=Assignment.ROUND_ROBIN
    )
    TeamMembership.objects.filter(user__username="leader").update(takes_cases=False)
    owners = [open_case(world, monday).owner.username for _ in range(5)]
    assert owners == ["collector", "collector2", "lead", "collector", "collector2"]


def test_least_loaded_takes_the_member_with_fewest_open_cases(world, teams, monday):
    TeamMembership.objects.filter(level__gte=1).update(takes_cases=False)
    for username in ("collector", "collector", "collector2"):
        open_case(world, monday, team=teams["collections"], owner=world.users[username])
    done = open_case(world, monday, team=teams["collections"], owner=world.users["collector2"])
    services.case_transition(done, Status.REJECTED, actor=world.users["lead"], note="duplicate")
    RoutingRule.objects.create(
        name="Least loaded", team=teams["collections"], assignment=Assignment.LEAST_LOADED
    )
    # collector has 2 open, collector2 1 open (the rejected one does not count).
    assert open_case(world, monday).owner.username == "collector2"
    assert open_case(world, monday).owner.username == "collector"  # 2 each: by name


def test_round_robin_reads_the_team_s_last_assignment_as_it_is_now(world, teams):
    # Two cases opened at the same moment each hold a Team read before the other saved its
    # pick: the choice must come from the (locked) row, not from the copy in hand.
    from revdesk.cases.models import Team
    from revdesk.cases.routing import pick_owner

    team = teams["collections"]
    first_copy, second_copy = Team.objects.get(pk=team.pk), Team.objects.get(pk=team.pk)
    first = pick_owner(first_copy, Assignment.ROUND_ROBIN)
    Team.objects.filter(pk=team.pk).update(last_assigned=first)
    second = pick_owner(second_copy, Assignment.ROUND_ROBIN)
    assert (first.username, second.username) == ("collector", "collector2")


def _bulk(world, monday, count, **kwargs):
    from revdesk.cases.services import Opening

    kwargs.setdefault("case_type", "ar_dispute")
    kwargs.setdefault("title", "A dispute")
    kwargs.setdefault("customer", world.customer_east)
    return services.cases_open_bulk(
        actor=world.users["collector"], openings=[Opening(**kwargs)] * count, now=monday
    )


def test_cases_opened_together_are_routed_as_one_at_a_time(world, teams, monday):
    from revdesk.cases.models import Notification, Team
    from revdesk.foundation.models import ChangeRecord

    RoutingRule.objects.create(
        name="Collections in turn", team=teams["collections"], assignment=Assignment.ROUND_ROBIN
    )
    TeamMembership.objects.filter(user__username="leader").update(takes_cases=False)
    assert open_case(world, monday).owner.username == "collector"
    cases = _bulk(world, monday, 4, amount=Decimal("12.50"), subjects=[world.customer_east])
    assert [c.owner.username for c in cases] == ["collector2", "lead", "collector", "collector2"]
    assert Team.objects.get(code="collections").last_assigned.username == "collector2"
    # one at a time again: it goes on after the last one given out together
    assert open_case(world, monday).owner.username == "lead"
    first = cases[0]
    first.refresh_from_db()
    assert (first.number, first.currency, first.amount) == (
        f"CASE-{first.pk:06d}",
        world.customer_east.currency,
        Decimal("12.50"),
    )
    assert first.first_response_due_at == open_case(world, monday).first_response_due_at
    assert [(e.kind, e.body) for e in first.events.order_by("pk")] == [
        ("created", ""),
        ("routed", "To Collections, owner collector2: routing rule 100. Collections in turn"),
    ]
    assert [s.label for s in first.subjects.all()] == [str(world.customer_east)]
    # the owners are told, but not the person who opened them
    assert sorted(
        Notification.objects.filter(case__in=cases).values_list("user__username", flat=True)
    ) == ["collector2", "collector2", "lead"]
    assert ChangeRecord.objects.filter(object_id__in=[str(c.pk) for c in cases]).count() >= 4


def test_least_loaded_counts_the_cases_given_out_together(world, teams, monday):
    TeamMembership.objects.filter(level__gte=1).update(takes_cases=False)
    for username in ("collector", "collector"):
        open_case(world, monday, team=teams["collections"], owner=world.users[username])
    RoutingRule.objects.create(
        name="Least loaded", team=teams["collections"], assignment=Assignment.LEAST_LOADED
    )
    # collector has 2 open, collector2 none: collector2 takes two, then they alternate by name
    owners = [c.owner.username for c in _bulk(world, monday, 4)]
    assert owners == ["collector2", "collector2", "collector", "collector2"]


def test_a_bad_reason_in_a_batch_opens_nothing(world, teams, monday):
    from django.core.exceptions import ValidationError

    from revdesk.cases.models import Case

    with pytest.raises(ValidationError, match="'nonsense' is not a reason code of"):
        _bulk(world, monday, 2, reason="nonsense")
    assert not Case.objects.exists()
