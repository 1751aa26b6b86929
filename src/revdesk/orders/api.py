"""/api/orders."""

from ninja import Query, Router
from ninja.pagination import paginate

from revdesk.foundation.api import ErrorOut, Pagination, visible_or_404

from . import selectors
from .schemas import OrderFilter, OrderOut

router = Router(tags=["orders"])


@router.get("/orders", response=list[OrderOut], summary="Orders you may see, with their lines")
@paginate(Pagination)
def order_list(request, filters: Query[OrderFilter]):
    return filters.filter(selectors.order_list(user=request.auth))


@router.get("/orders/{order_id}", response={200: OrderOut, 404: ErrorOut})
def order_detail(request, order_id: int):
    return visible_or_404(selectors.order_list(user=request.auth), label="order", id=order_id)
