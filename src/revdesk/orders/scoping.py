from django.db.models import Q

from revdesk.foundation.scoping import Viewer, scope_rule
from revdesk.parties.scoping import customer_visibility

from .models import Order, OrderLine


def order_visibility(viewer: Viewer, prefix: str = "") -> Q:
    return (
        customer_visibility(viewer, prefix=f"{prefix}customer__")
        | Q(**{f"{prefix}sales_rep_id__in": viewer.payee_ids})
        | Q(**{f"{prefix}distributor_id__in": viewer.distributor_ids})
    )


@scope_rule(Order)
def _order(viewer: Viewer) -> Q:
    return order_visibility(viewer)


@scope_rule(OrderLine)
def _order_line(viewer: Viewer) -> Q:
    return order_visibility(viewer, prefix="order__")
