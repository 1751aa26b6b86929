"""/api/invoices and /api/payments."""

from ninja import Query, Router
from ninja.pagination import paginate

from revdesk.foundation.api import ErrorOut, Pagination, visible_or_404

from . import selectors
from .schemas import InvoiceFilter, InvoiceOut, PaymentFilter, PaymentOut

router = Router(tags=["receivables"])


@router.get(
    "/invoices",
    response=list[InvoiceOut],
    summary="Invoices you may see, with balance and what paid them",
)
@paginate(Pagination)
def invoice_list(request, filters: Query[InvoiceFilter]):
    return filters.filter(selectors.invoice_list(user=request.auth))


@router.get("/invoices/{invoice_id}", response={200: InvoiceOut, 404: ErrorOut})
def invoice_detail(request, invoice_id: int):
    return visible_or_404(selectors.invoice_list(user=request.auth), label="invoice", id=invoice_id)


@router.get("/payments", response=list[PaymentOut], summary="Payments you may see")
@paginate(Pagination)
def payment_list(request, filters: Query[PaymentFilter]):
    return filters.filter(selectors.payment_list(user=request.auth))


@router.get("/payments/{payment_id}", response={200: PaymentOut, 404: ErrorOut})
def payment_detail(request, payment_id: int):
    return visible_or_404(selectors.payment_list(user=request.auth), label="payment", id=payment_id)
