"""Plans and crediting policies as records: saved checked, versioned, audited."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from revdesk.compensation.models import CreditingPolicy, PlanVersion
from revdesk.compensation.services import PlanRefused, crediting_policy_save, plan_version_save
from revdesk.foundation.audit import change_history

pytestmark = pytest.mark.django_db

PLAN = """\
code: field-rep
name: Field rep
version: 1
valid_from: 2026-01-01
currency: USD
clawback: {window_months: 6}
components:
  - code: commission
    rates_by_product_line: {UPS: 0.05, Thermal: 0.03}
"""


def test_a_plan_file_becomes_a_version_once(world):
    analyst = world.users["analyst"]
    version, created = plan_version_save(PLAN, actor=analyst, name="field-rep.yaml")
    assert created
    assert (version.code, version.version, version.name, version.currency) == (
        "field-rep",
        1,
        "Field rep",
        "USD",
    )
    assert version.valid_from == dt.date(2026, 1, 1)
    assert version.text == PLAN
    assert change_history(version).get().user == analyst
    again, created = plan_version_save(PLAN, actor=analyst)
    assert (again.pk, created) == (version.pk, False)


def test_a_changed_plan_must_be_a_new_version(world):
    plan_version_save(PLAN, actor=None)
    changed = PLAN.replace("UPS: 0.05", "UPS: 0.06")
    with pytest.raises(PlanRefused) as error:
        plan_version_save(changed, actor=None, name="field-rep.yaml")
    assert error.value.problems == [
        (
            "field-rep.yaml",
            None,
            "version",
            "field-rep version 1 exists with other content: give the changed plan version 2",
        )
    ]
    version, created = plan_version_save(
        changed.replace("version: 1", "version: 2").replace("2026-01-01", "2026-07-01"),
        actor=None,
    )
    assert (version.version, created) == (2, True)
    assert list(PlanVersion.objects.values_list("version", flat=True)) == [1, 2]


def test_a_bad_plan_is_refused_at_its_line(world):
    with pytest.raises(PlanRefused) as error:
        plan_version_save(PLAN.replace("currency: USD", "currency: dollars"), actor=None)
    ((_, line, field, message),) = error.value.problems
    assert (line, field) == (5, "currency")
    assert message == (
        "currency must be a three-letter currency code in capitals such as USD, not 'dollars'"
    )
    assert not PlanVersion.objects.exists()


def test_crediting_policy_shares_add_up_to_one(world):
    analyst = world.users["analyst"]
    policy = crediting_policy_save(
        actor=analyst,
        number="Policy 100",
        title="Specifying, ordering and installing territories",
        text="Credit is split 25/50/25 when a claim under this policy is approved.",
        splits={"specifying": "0.25", "ordering": 0.5, "installing": "0.25"},
        valid_from=dt.date(2026, 1, 1),
    )
    assert policy.splits == {"specifying": "0.25", "ordering": "0.5", "installing": "0.25"}
    with pytest.raises(ValidationError, match=r"the shares add up to 0\.9, not 1"):
        crediting_policy_save(
            actor=analyst,
            number="Policy 101",
            title="x",
            text="x",
            splits={"a": "0.4", "b": "0.5"},
            valid_from=dt.date(2026, 1, 1),
        )
    with pytest.raises(ValidationError, match="'half' is not a share"):
        crediting_policy_save(
            actor=analyst,
            number="Policy 102",
            title="x",
            text="x",
            splits={"a": "half", "b": "0.5"},
            valid_from=dt.date(2026, 1, 1),
        )
    assert list(CreditingPolicy.objects.values_list("number", flat=True)) == ["Policy 100"]
