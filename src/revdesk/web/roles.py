"""Which role may open which page, and the navigation that follows from it.

One table decides both: a page is linked in the navigation only for the roles that may open
it, and the view refuses (404) everybody else. Who may change which customer fields is
decided by revdesk.parties.policies, for the web, the API and the service alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import Resolver404, resolve, reverse

from revdesk.foundation.scoping import viewer_for
from revdesk.foundation.views import user_has_role
from revdesk.parties.choices import Role
from revdesk.receivables.policies import CASH_FILE_ROLES as _CASH_FILE_ROLES
from revdesk.receivables.policies import CASH_ROLES as _CASH_ROLES

ADMIN = Role.ADMIN.value
OPS = Role.SALES_OPERATIONS.value
ANALYST = Role.COMMISSIONS_ANALYST.value
COLLECTOR = Role.COLLECTOR.value
SENIOR = Role.SENIOR_COLLECTOR.value
MANAGER = Role.MANAGER.value
REP = Role.SALES_REP.value
DISTRIBUTOR = Role.DISTRIBUTOR_USER.value

CUSTOMER_ROLES = frozenset({ADMIN, OPS, ANALYST, COLLECTOR, SENIOR, MANAGER, REP})
PAYEE_ROLES = frozenset({ADMIN, OPS, ANALYST, MANAGER})
DISTRIBUTOR_ROLES = frozenset({ADMIN, OPS, ANALYST, DISTRIBUTOR})
PRODUCT_ROLES = None  # reference data: anyone signed in
ORDER_ROLES = frozenset({ADMIN, OPS, ANALYST, MANAGER, REP, DISTRIBUTOR})
INVOICE_ROLES = frozenset({ADMIN, OPS, ANALYST, COLLECTOR, SENIOR, MANAGER, REP, DISTRIBUTOR})
PAYMENT_ROLES = frozenset({ADMIN, OPS, ANALYST, COLLECTOR, SENIOR, MANAGER})
CHANGE_LOG_ROLES = frozenset({ADMIN})
IMPORT_ROLES = frozenset({ADMIN, OPS, ANALYST})
PAYEE_DETAIL_ROLES = PAYEE_ROLES | {REP}  # a rep opens their own payee page
PRODUCT_LIST_ROLES = frozenset({ADMIN, OPS, ANALYST, MANAGER})
# Quality review: the house's staff roles; the pages also need a case team membership (or
# the administrator role), checked by quality_allowed in the views and the navigation.
QUALITY_ROLES = frozenset({ADMIN, OPS, ANALYST, COLLECTOR, SENIOR, MANAGER})
# Cases: everyone who can have one (reps and distributor users see their own, external part
# only); the SLA dashboard, "My cases" and work instructions are for the staff who work them.
CASE_ROLES = frozenset({ADMIN, OPS, ANALYST, COLLECTOR, SENIOR, MANAGER, REP, DISTRIBUTOR})
CASE_STAFF_ROLES = CASE_ROLES - {REP, DISTRIBUTOR}
# Commissions: analysts and administrators calculate, review, pay and edit plans; managers
# read, approve and send back; a rep opens only their own commissions page (approved figures).
COMMISSION_RUN_ROLES = frozenset({ADMIN, ANALYST, MANAGER})
COMMISSION_EDIT_ROLES = frozenset({ADMIN, ANALYST})
COMMISSION_PAYEE_ROLES = COMMISSION_RUN_ROLES | {REP}
# A run's documents: statements for everyone paid under a plan (a rep or manager only what
# statement_allowed lets them: their own or their team's, from approved or paid runs); the
# payroll export and the reconciliation with what was paid for the analysts.
COMMISSION_STATEMENT_ROLES = frozenset({ADMIN, ANALYST, MANAGER, REP})
COMMISSION_RECONCILE_ROLES = frozenset({ADMIN, ANALYST})
# Analytics (trends over runs): analysts, managers (their team's payees) and administrators.
COMMISSION_ANALYTICS_ROLES = frozenset({ADMIN, ANALYST, MANAGER})

# Claims for credit under a crediting policy: a rep files and follows their own; analysts,
# managers and administrators see them all (deciding happens on the claim's case page).
CLAIM_ROLES = frozenset({ADMIN, ANALYST, MANAGER, REP})
CLAIM_STAFF_ROLES = frozenset({ADMIN, ANALYST, MANAGER})
CLAIM_FILE_ROLES = frozenset({ADMIN, ANALYST, REP})

# Collections: the collectors (their portfolio), senior collectors (their team's), leaders
# and administrators (everyone's), and sales operations.
COLLECTIONS_ROLES = frozenset({ADMIN, OPS, COLLECTOR, SENIOR, MANAGER})
# Keeping the month's Top Past Due list for the review: the desk's leads.
COLLECTIONS_LEAD_ROLES = frozenset({ADMIN, SENIOR, MANAGER})
# Taking cash back (a returned receipt, a wrong application): the books' keepers and the
# desk's leads, never a collector alone.
RECEIPT_REVERSAL_ROLES = frozenset({ADMIN, OPS, SENIOR, MANAGER})
# Cash application (receivables/policies.py says why): the workbench for the cash application
# team (sales operations, administrators), the desk's leads and collectors, each on the
# receipts they may see; reading bank files for the cash application team.
CASH_ROLES = _CASH_ROLES
CASH_FILE_ROLES = _CASH_FILE_ROLES

# Every page by URL name: who may open it ("*" anyone signed in). Links are drawn only to
# pages the person may open (may_open), and the views refuse everybody else with a 404.
PAGE_ROLES: dict[str, frozenset[str] | str] = {
    "web:home": "*",
    "web:customer_list": CUSTOMER_ROLES,
    "web:customer_detail": CUSTOMER_ROLES,
    "web:payee_list": PAYEE_ROLES,
    "web:payee_detail": PAYEE_DETAIL_ROLES,
    "web:distributor_list": DISTRIBUTOR_ROLES,
    "web:distributor_detail": DISTRIBUTOR_ROLES,
    "web:product_list": "*",
    "web:product_detail": "*",
    "web:order_list": ORDER_ROLES,
    "web:order_detail": ORDER_ROLES,
    "web:invoice_list": INVOICE_ROLES,
    "web:invoice_detail": INVOICE_ROLES,
    "web:payment_list": PAYMENT_ROLES,
    "web:payment_detail": PAYMENT_ROLES,
    "web:payment_reverse": RECEIPT_REVERSAL_ROLES,
    "web:payment_application_reverse": RECEIPT_REVERSAL_ROLES,
    "web:import_list": IMPORT_ROLES,
    "web:import_upload": IMPORT_ROLES,
    "web:import_columns": IMPORT_ROLES,
    "web:import_detail": IMPORT_ROLES,
    "web:import_status": IMPORT_ROLES,
    "web:import_report": IMPORT_ROLES,
    "web:import_export": IMPORT_ROLES,
    "web:change_list": CHANGE_LOG_ROLES,
    "web:quality_home": QUALITY_ROLES,
    "web:quality_review": QUALITY_ROLES,
    "web:quality_report": QUALITY_ROLES,
    "web:case_queue": CASE_ROLES,
    "web:case_mine": CASE_STAFF_ROLES,
    "web:case_new": CASE_ROLES,
    "web:case_detail": CASE_ROLES,
    "web:case_attachment": CASE_ROLES,
    "web:case_bulk_assign": CASE_STAFF_ROLES,
    "web:case_view_save": CASE_ROLES,
    "web:case_view_delete": CASE_ROLES,
    "web:case_sla": CASE_STAFF_ROLES,
    "web:case_notifications": CASE_ROLES,
    "web:case_notification_open": CASE_ROLES,
    "web:case_instruction": CASE_STAFF_ROLES,
    "web:claim_list": CLAIM_ROLES,
    "web:claim_new": CLAIM_FILE_ROLES,
    "web:commission_statement": COMMISSION_STATEMENT_ROLES,
    "web:commission_payroll": COMMISSION_RECONCILE_ROLES,
    "web:commission_reconciliation": COMMISSION_RECONCILE_ROLES,
    "web:commission_paid_import": COMMISSION_RECONCILE_ROLES,
    "web:commission_variance_cases": COMMISSION_RECONCILE_ROLES,
    "web:commission_run_list": COMMISSION_RUN_ROLES,
    "web:commission_calculation": COMMISSION_EDIT_ROLES,
    "web:commission_calculation_status": COMMISSION_EDIT_ROLES,
    "web:commission_run_detail": COMMISSION_RUN_ROLES,
    "web:commission_run_excel": COMMISSION_RUN_ROLES,
    "web:commission_run_step": COMMISSION_RUN_ROLES,
    "web:commission_run_payee": COMMISSION_RUN_ROLES,
    "web:commission_payee": COMMISSION_PAYEE_ROLES,
    "web:commission_plan_list": COMMISSION_RUN_ROLES,
    "web:commission_plan_version": COMMISSION_RUN_ROLES,
    "web:commission_plan_edit": COMMISSION_EDIT_ROLES,
    "web:commission_plan_new": COMMISSION_EDIT_ROLES,
    "web:commission_plan_schema": COMMISSION_RUN_ROLES,
    "web:commission_plotly": "*",
    "web:commission_analytics": COMMISSION_ANALYTICS_ROLES,
    "web:commission_analytics_excel": COMMISSION_ANALYTICS_ROLES,
    "web:collections_worklist": COLLECTIONS_ROLES,
    "web:collections_worklist_refresh": COLLECTIONS_ROLES,
    "web:collections_worklist_items": COLLECTIONS_ROLES,
    "web:collections_account": COLLECTIONS_ROLES,
    "web:collections_statement_pdf": COLLECTIONS_ROLES,
    "web:collections_statement_excel": COLLECTIONS_ROLES,
    "web:collections_statement_send": COLLECTIONS_ROLES,
    "web:collections_activity_add": COLLECTIONS_ROLES,
    "web:collections_promise_add": COLLECTIONS_ROLES,
    "web:collections_dispute_add": COLLECTIONS_ROLES,
    "web:collections_short_payment": COLLECTIONS_ROLES,
    "web:collections_invoice_document": COLLECTIONS_ROLES,
    "web:collections_task_done": COLLECTIONS_ROLES,
    "web:collections_promise_cancel": COLLECTIONS_ROLES,
    "web:collections_aging": COLLECTIONS_ROLES,
    "web:collections_aging_excel": COLLECTIONS_ROLES,
    "web:collections_aging_items": COLLECTIONS_ROLES,
    "web:collections_top_past_due": COLLECTIONS_ROLES,
    "web:collections_top_past_due_excel": COLLECTIONS_ROLES,
    "web:collections_top_past_due_pdf": COLLECTIONS_ROLES,
    "web:collections_top_past_due_keep": COLLECTIONS_LEAD_ROLES,
    "web:collections_kpis": COLLECTIONS_ROLES,
    "web:collections_kpis_excel": COLLECTIONS_ROLES,
    "web:cash_queue": CASH_ROLES,
    "web:cash_receipt": CASH_ROLES,
    "web:cash_receipt_apply": CASH_ROLES,
    "web:cash_receipt_customer": CASH_ROLES,
    "web:cash_suggestion_accept": CASH_ROLES,
    "web:cash_suggestion_reject": CASH_ROLES,
    "web:cash_application_reverse": RECEIPT_REVERSAL_ROLES,
    "web:cash_file_list": CASH_FILE_ROLES,
    "web:cash_file_upload": CASH_FILE_ROLES,
    "web:cash_file_detail": CASH_FILE_ROLES,
    "web:cash_file_reading": CASH_FILE_ROLES,
    "web:cash_file_reading_status": CASH_FILE_ROLES,
}


def page_roles(url_name: str) -> frozenset[str] | None:
    """The roles that may open a page (None: anyone signed in); unknown pages raise KeyError."""
    roles = PAGE_ROLES[url_name if ":" in url_name else f"web:{url_name}"]
    return None if roles == "*" else roles


def may_open(user, url_name: str) -> bool:
    """May this person open the page named url_name ("web:invoice_detail" or "invoice_detail")?

    By role only: a detail page still answers 404 for an object outside the person's scope.
    """
    return user_has_role(user, page_roles(url_name))


def object_url(obj) -> str | None:
    """The page of an object: its get_absolute_url, else web:<model>_detail when that exists."""
    if obj is None:
        return None
    if hasattr(obj, "get_absolute_url"):
        return obj.get_absolute_url()
    name = f"web:{obj._meta.model_name}_detail"
    return reverse(name, args=[obj.pk]) if name in PAGE_ROLES else None


class PagesOpen:
    """In templates: {% if may_open.invoice_detail %} (by role, see may_open)."""

    def __init__(self, user):
        self.user = user

    def __getitem__(self, url_name: str) -> bool:
        try:
            return may_open(self.user, url_name)
        except KeyError:
            return False


def may_open_url(user, url: str | None) -> bool:
    """may_open for a path inside the site ("/invoices/7/"); other addresses are left alone."""
    if not url or not url.startswith("/"):
        return bool(url)
    try:
        match = resolve(url.split("?", 1)[0])
    except Resolver404:
        return False
    if match.view_name not in PAGE_ROLES:
        return True
    return may_open(user, match.view_name)


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool


def _only(user, roles: set[str]) -> bool:
    """The person holds only roles from this set (so 'My ...' labels fit)."""
    held = viewer_for(user).roles
    return bool(held) and held <= roles and not user.is_superuser


def _quality_allowed(user, on_team: bool | None = None) -> bool:
    from .quality_views import quality_allowed

    return quality_allowed(user, on_team=on_team)


def navigation_items(user, path: str, *, on_team: bool | None = None) -> list[NavItem]:
    """The pages this person may open, the current one marked. on_team: whether they are on
    a case team, when already read (else read here, for the quality pages' link)."""
    mine = _only(user, {REP})
    own_orders = _only(user, {REP, DISTRIBUTOR})
    own_invoices = _only(user, {REP})
    entries = [
        ("Home", "web:home", "*"),
        ("My customers" if mine else "Customers", "web:customer_list", CUSTOMER_ROLES),
        ("Payees", "web:payee_list", PAYEE_ROLES),
        ("My orders" if own_orders else "Orders", "web:order_list", ORDER_ROLES),
        ("My invoices" if own_invoices else "Invoices", "web:invoice_list", INVOICE_ROLES),
        ("Payments", "web:payment_list", PAYMENT_ROLES),
        ("Cash application", "web:cash_queue", CASH_ROLES),
        ("Worklist", "web:collections_worklist", COLLECTIONS_ROLES),
        ("My cases" if own_orders else "Cases", "web:case_queue", CASE_ROLES),
        ("SLA dashboard", "web:case_sla", CASE_STAFF_ROLES),
        ("Quality review", "web:quality_home", lambda u: _quality_allowed(u, on_team)),
        ("Commissions", "web:commission_run_list", COMMISSION_RUN_ROLES),
        ("My claims" if mine else "Claims", "web:claim_list", CLAIM_ROLES),
        ("Distributors", "web:distributor_list", DISTRIBUTOR_ROLES - {DISTRIBUTOR}),
        ("Products", "web:product_list", PRODUCT_LIST_ROLES),
        ("Imports", "web:import_list", IMPORT_ROLES),
        ("Change log", "web:change_list", CHANGE_LOG_ROLES),
    ]
    items = []
    for label, name, roles in entries:
        if callable(roles):
            if not roles(user):
                continue
        elif roles != "*" and not user_has_role(user, roles):
            continue
        url = reverse(name)
        active = path == url if url == "/" else path.startswith(url)
        items.append(NavItem(label, url, active))
        if name == "web:case_queue":
            items.extend(_own_commissions(user, path))
    # one entry is current: the longest address the path starts with (/cases/sla/ is not
    # also /cases/)
    current = max((item for item in items if item.active), key=lambda i: len(i.url), default=None)
    return [NavItem(i.label, i.url, i is current) for i in items]


def _own_commissions(user, path: str) -> list[NavItem]:
    """ "My commissions" for a sales rep linked to a payee (staff reach theirs through runs)."""
    if not user_has_role(user, {REP}) or user_has_role(user, COMMISSION_RUN_ROLES):
        return []
    from revdesk.parties.models import Payee

    code = Payee.objects.filter(user=user).values_list("code", flat=True).first()
    if code is None:
        return []
    url = reverse("web:commission_payee", args=[code])
    return [NavItem("My commissions", url, path.startswith(url))]


def role_labels(user) -> list[str]:
    labels = dict(Role.choices)
    roles = sorted(viewer_for(user).roles, key=lambda value: list(labels).index(value))
    names = [str(labels[value]) for value in roles]
    if user.is_superuser and str(labels[ADMIN]) not in names:
        names.insert(0, str(labels[ADMIN]))
    return names
