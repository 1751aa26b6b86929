from revdesk.foundation.scoping import restrict
from revdesk.parties.models import Customer


def test_collector_sees_only_their_portfolio(world):
    visible = restrict(Customer.objects.all(), world.users["collector"])
    assert sorted(visible.values_list("code", flat=True)) == ["C-1000", "C-1001"]
