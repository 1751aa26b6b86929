from django.db.models import Q

from revdesk.foundation.scoping import Viewer, scope_rule
from revdesk.parties.scoping import customer_visibility

from .models import (
    ApplicationReversal,
    CreditMemo,
    Invoice,
    InvoiceInstalment,
    Payment,
    PaymentApplication,
)


@scope_rule(Invoice)
def _invoice(viewer: Viewer) -> Q:
    return customer_visibility(viewer, prefix="customer__") | Q(
        order__distributor_id__in=viewer.distributor_ids
    )


@scope_rule(CreditMemo)
def _credit_memo(viewer: Viewer) -> Q:
    return customer_visibility(viewer, prefix="customer__") | Q(
        invoice__order__distributor_id__in=viewer.distributor_ids
    )


@scope_rule(Payment)
def _payment(viewer: Viewer) -> Q:
    return customer_visibility(viewer, prefix="customer__")


@scope_rule(PaymentApplication)
@scope_rule(ApplicationReversal)
@scope_rule(InvoiceInstalment)
def _payment_application(viewer: Viewer) -> Q:
    return customer_visibility(viewer, prefix="invoice__customer__")
