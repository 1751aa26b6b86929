"""Who may work cash application's receipts, for the pages, the API and the services alike.

- The workbench (the unapplied queue, a receipt's page, applying by hand, accepting or
  rejecting a suggestion): administrators and sales operations (the cash application team),
  senior collectors, leaders (managers) and collectors, each on the receipts they may see
  (`foundation.scoping.restrict`: a collector their portfolio's, a senior collector their
  team's, the others everything).
- Unidentified receipts (no customer yet: anybody's money, the payer's name and account) are
  seen and worked by those who see everything (administrators, sales operations, a leader
  without a payee) and by senior collectors; a collector sees them once someone has named
  the customer.
- Reading bank files (upload, the list of files read): administrators and sales operations.
- Taking an application back stays with RECEIPT_REVERSAL_ROLES in web/roles.py (the books'
  keepers and the desk's leads, never a collector alone).
"""

from __future__ import annotations

from revdesk.foundation.scoping import viewer_for
from revdesk.foundation.views import user_has_role
from revdesk.parties.choices import Role

CASH_ROLES = frozenset(
    {
        Role.ADMIN.value,
        Role.SALES_OPERATIONS.value,
        Role.SENIOR_COLLECTOR.value,
        Role.MANAGER.value,
        Role.COLLECTOR.value,
    }
)
CASH_FILE_ROLES = frozenset({Role.ADMIN.value, Role.SALES_OPERATIONS.value})


def may_work_cash(user) -> bool:
    """May this person open the workbench and apply the receipts they may see?"""
    return user_has_role(user, CASH_ROLES)


def may_work_unidentified(user) -> bool:
    """May this person see and work receipts nobody has identified yet?"""
    if not may_work_cash(user):
        return False
    viewer = viewer_for(user)
    return (
        user.is_superuser or viewer.sees_everything or viewer.has_role(Role.SENIOR_COLLECTOR.value)
    )


def may_read_bank_files(user) -> bool:
    return user_has_role(user, CASH_FILE_ROLES)
