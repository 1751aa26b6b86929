"""Who may change what on parties data: one policy for the web, the API and the services.

Customers:
- administrators and sales operations keep the customer master: every editable field;
- a senior collector keeps the collection terms of their team's customers: collector (within
  the team), payment terms and the documentation requirements;
- a collector keeps the documentation requirements of the customers in their portfolio;
- everyone else reads only.
"""

from __future__ import annotations

from revdesk.foundation.scoping import viewer_for

from .choices import Role
from .models import Customer

CUSTOMER_EDITABLE_FIELDS = (
    "name",
    "parent",
    "country",
    "currency",
    "payment_terms_days",
    "credit_limit",
    "segment",
    "territory",
    "sales_rep",
    "collector",
    "is_key_account",
    "requires_po",
    "requires_proof_of_delivery",
    "requires_portal_upload",
    "portal_name",
    "requires_timesheet",
    "invoice_format",
    "is_active",
)

CUSTOMER_DOCUMENTATION_FIELDS = frozenset(
    {
        "requires_po",
        "requires_proof_of_delivery",
        "requires_portal_upload",
        "portal_name",
        "requires_timesheet",
        "invoice_format",
    }
)
CUSTOMER_COLLECTION_FIELDS = CUSTOMER_DOCUMENTATION_FIELDS | {"collector", "payment_terms_days"}
CUSTOMER_EDITORS = frozenset({Role.ADMIN, Role.SALES_OPERATIONS})


def customer_editable_fields(*, user, customer: Customer) -> frozenset[str]:
    """The fields of this customer this person may change (empty: may not edit it)."""
    viewer = viewer_for(user)
    if getattr(user, "is_superuser", False) or viewer.has_role(*CUSTOMER_EDITORS):
        return frozenset(CUSTOMER_EDITABLE_FIELDS)
    if customer.collector_id not in viewer.collector_ids:
        return frozenset()
    if viewer.has_role(Role.SENIOR_COLLECTOR):
        return CUSTOMER_COLLECTION_FIELDS
    if viewer.has_role(Role.COLLECTOR):
        return CUSTOMER_DOCUMENTATION_FIELDS
    return frozenset()


def customer_editing_roles() -> frozenset[str]:
    """Roles that may edit at least some customers (for navigation and page access)."""
    return frozenset({*CUSTOMER_EDITORS, Role.SENIOR_COLLECTOR, Role.COLLECTOR})
