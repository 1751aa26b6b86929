"""Pages: thin views over selectors, scoped querysets and services."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Value
from django.db.models.functions import Coalesce, Lower, NullIf
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from revdesk.catalog.filtersets import ProductFilterSet
from revdesk.catalog.models import PriceListItem, Product
from revdesk.foundation.filtersets import ChangeRecordFilterSet
from revdesk.foundation.models import ChangeRecord
from revdesk.foundation.scoping import restrict, viewer_for
from revdesk.foundation.views import (
    BOOL,
    DATE,
    DATETIME,
    MONEY,
    NUMBER,
    Column,
    ObjectListView,
    field_label,
    history_entries,
    object_for_user,
    person_name,
    user_has_role,
)
from revdesk.ingest.filtersets import ImportRunFilterSet
from revdesk.ingest.models import ImportRun
from revdesk.orders.filtersets import OrderFilterSet
from revdesk.orders.models import Order
from revdesk.orders.selectors import (
    customer_orders,
    distributor_orders,
    order_list,
    order_page,
    orders_with_totals,
)
from revdesk.parties.filtersets import CustomerFilterSet, DistributorFilterSet, PayeeFilterSet
from revdesk.parties.models import Customer, Distributor, Payee
from revdesk.parties.policies import customer_editable_fields
from revdesk.parties.selectors import (
    customer_list,
    customer_page,
    distributor_list,
    payee_list,
    payee_page,
)
from revdesk.parties.services import customer_update
from revdesk.receivables.disputes import short_payment_reasons
from revdesk.receivables.filtersets import InvoiceFilterSet, PaymentFilterSet
from revdesk.receivables.models import Invoice, Payment
from revdesk.receivables.selectors import (
    customer_open_invoices,
    customer_payments,
    instalments_days_overdue,
    invoice_list,
    invoice_page,
    mark_days_overdue,
    order_invoices,
    payment_applied_totals,
    payment_list,
    payment_page,
)

from . import roles
from .forms import CustomerForm
from .selectors import (
    amounts_total,
    cases_summary,
    collections_summary,
    operations_summary,
    orders_summary,
)


class ListView(ObjectListView):
    """The web's lists: links only to the pages the person may open, and for a list of an
    import kind, "Export for re-import" for those who may import."""

    template_name = "web/object_list.html"
    import_kind: str = ""  # the ingest kind of the list's rows, if it has one

    def may_link(self, url: str) -> bool:
        return roles.may_open_url(self.request.user, url)

    def extra_context(self) -> dict:
        reimport_url = None
        if self.import_kind and roles.may_open(self.request.user, "web:import_upload"):
            reimport_url = reverse("web:import_export", args=[self.import_kind])
        return {"reimport_url": reimport_url}


def _require(user, page_roles) -> None:
    if not user_has_role(user, page_roles):
        raise Http404("No such page.")


def _customer_link(obj) -> str | None:
    customer = getattr(obj, "customer", None)
    return customer.get_absolute_url() if customer is not None else None


def _order_link(order) -> str:
    return reverse("web:order_detail", args=[order.pk])


def _payment_link(payment) -> str:
    return reverse("web:payment_detail", args=[payment.pk])


# home ------------------------------------------------------------------------------------


@login_required
def home(request):
    """Sections by the roles the person holds (a superuser with no role counts as admin)."""
    user = request.user
    today = timezone.localdate()
    held = set(viewer_for(user).roles) or ({roles.ADMIN} if user.is_superuser else set())
    context: dict = {"today": today, "portfolio": bool(held & {roles.COLLECTOR, roles.SENIOR})}
    if held & {roles.COLLECTOR, roles.SENIOR, roles.MANAGER, roles.ADMIN}:
        context["collections"] = collections_summary(user=user, today=today)
    if held & {roles.OPS, roles.ANALYST, roles.ADMIN}:
        context["operations"] = operations_summary(user=user)
        month_start = today.replace(day=1)
        context["orders_month"] = orders_summary(user=user, start=month_start, end=today)
    elif held & {roles.REP, roles.MANAGER, roles.DISTRIBUTOR}:
        context["my_customers"] = (
            restrict(Customer.objects.filter(is_active=True), user).count()
            if held & {roles.REP, roles.MANAGER}
            else None
        )
        context["sales_heading"] = (
            "My sales this year" if held & {roles.REP} else "Orders this year"
        )
        year_start = dt.date(today.year, 1, 1)
        context["orders_year"] = orders_summary(user=user, start=year_start, end=today)
    context["cases"] = cases_summary(user=user)
    context["reporting_currency"] = _reporting_currency()
    return render(request, "web/home.html", context)


def _reporting_currency() -> str:
    from django.conf import settings

    return settings.REPORTING_CURRENCY


# lists -----------------------------------------------------------------------------------


class CustomerListView(ListView):
    model = Customer
    import_kind = "customers"
    title = "Customers"
    roles = roles.CUSTOMER_ROLES
    filterset_class = CustomerFilterSet
    default_sort = "name"
    select_related = ("parent", "territory", "sales_rep", "collector")
    columns = (
        Column("code", "Code", sort="code", link=True),
        Column("name", "Name", sort="name", link=True),
        Column("parent.code", "Parent", sort="parent__code"),
        Column("segment", "Segment", sort="segment", display="get_segment_display"),
        Column("country", "Country", sort="country"),
        Column("payment_terms_days", "Terms (days)", sort="payment_terms_days", kind=NUMBER),
        Column(
            "credit_limit", "Credit limit", sort="credit_limit", kind=MONEY, currency="currency"
        ),
        Column("territory.code", "Territory", sort="territory__code"),
        Column("sales_rep.name", "Sales rep", sort="sales_rep__name"),
        Column("collector_name", "Collector", sort="collector__first_name"),
        Column("is_key_account", "Key account", sort="is_key_account", kind=BOOL),
        Column("is_active", "Active", sort="is_active", kind=BOOL),
    )

    def filterset_ready(self, filterset):
        field = filterset.form.fields["collector"]
        shown = Lower(Coalesce(NullIf("first_name", Value("")), "username"))
        field.queryset = field.queryset.order_by(shown, Lower("last_name"), "username")
        field.label_from_instance = person_name

    def rows_prepare(self, objects):
        for customer in objects:
            customer.collector_name = person_name(customer.collector)


class PayeeListView(ListView):
    model = Payee
    import_kind = "payees"
    title = "Payees"
    roles = roles.PAYEE_ROLES
    filterset_class = PayeeFilterSet
    default_sort = "name"
    select_related = ("manager", "user")
    columns = (
        Column("code", "Code", sort="code", link=True),
        Column("name", "Name", sort="name", link=True),
        Column("kind", "Kind", sort="kind", display="get_kind_display"),
        Column("manager.name", "Manager", sort="manager__name"),
        Column("email", "E-mail", sort="email"),
        Column("currency", "Currency", sort="currency"),
        Column("hired_on", "Hired", sort="hired_on", kind=DATE),
        Column("user.username", "Login", sort="user__username"),
        Column("is_active", "Active", sort="is_active", kind=BOOL),
    )


class DistributorListView(ListView):
    model = Distributor
    import_kind = "distributors"
    title = "Distributors"
    roles = roles.DISTRIBUTOR_ROLES
    filterset_class = DistributorFilterSet
    default_sort = "name"
    columns = (
        Column("code", "Code", sort="code", link=True),
        Column("name", "Name", sort="name", link=True),
        Column("country", "Country", sort="country"),
        Column("currency", "Currency", sort="currency"),
        Column("email", "E-mail", sort="email"),
        Column("is_active", "Active", sort="is_active", kind=BOOL),
    )


class ProductListView(ListView):
    model = Product
    import_kind = "products"
    title = "Products"
    roles = roles.PRODUCT_ROLES
    filterset_class = ProductFilterSet
    default_sort = "sku"
    select_related = ("product_line", "billing_code")
    columns = (
        Column("sku", "SKU", sort="sku", link=True),
        Column("name", "Name", sort="name", link=True),
        Column("product_line.name", "Product line", sort="product_line__name"),
        Column("billing_code.code", "Billing code", sort="billing_code__code"),
        Column("unit_cost", "Unit cost", sort="unit_cost", kind=MONEY, currency="currency"),
        Column("list_price", "List price", sort="list_price", kind=MONEY, currency="currency"),
        Column("is_recurring", "Recurring", sort="is_recurring", kind=BOOL),
        Column("is_active", "Active", sort="is_active", kind=BOOL),
    )


class OrderListView(ListView):
    model = Order
    import_kind = "orders"
    title = "Orders"
    roles = roles.ORDER_ROLES
    filterset_class = OrderFilterSet
    default_sort = "-booked_on"
    select_related = ("customer", "distributor", "sales_rep")
    columns = (
        Column("number", "Number", sort="number", link=_order_link),
        Column("booked_on", "Booked", sort="booked_on", kind=DATE),
        Column(
            "customer.name",
            "Customer",
            sort="customer__name",
            link=_customer_link,
            code="customer.code",
        ),
        Column("order_type", "Type", sort="order_type", display="get_order_type_display"),
        Column("channel", "Channel", sort="channel", display="get_channel_display"),
        Column(
            "distributor.name", "Distributor", sort="distributor__name", code="distributor.code"
        ),
        Column("sales_rep.name", "Sales rep", sort="sales_rep__name", code="sales_rep.code"),
        Column("status", "Status", sort="status", display="get_status_display"),
        Column("po_number", "PO number", sort="po_number"),
        Column("total", "Amount", kind=MONEY, currency="currency"),
    )

    def rows_prepare(self, objects):
        orders_with_totals(objects)


class InvoiceListView(ListView):
    model = Invoice
    import_kind = "invoices"
    title = "Invoices"
    roles = roles.INVOICE_ROLES
    filterset_class = InvoiceFilterSet
    default_sort = "-issued_on"
    select_related = ("customer",)
    columns = (
        Column("number", "Number", sort="number", link=True),
        Column(
            "customer.name",
            "Customer",
            sort="customer__name",
            link=_customer_link,
            code="customer.code",
        ),
        Column("issued_on", "Issued", sort="issued_on", kind=DATE),
        Column("due_on", "Due", sort="due_on", kind=DATE),
        Column("days_overdue", "Days overdue", sort="-due_on", kind=NUMBER),
        Column("amount", "Amount", sort="amount", kind=MONEY, currency="currency"),
        Column("balance", "Balance", sort="balance", kind=MONEY, currency="currency"),
        Column("status", "Status", sort="status", display="get_status_display"),
        Column("po_number", "PO number", sort="po_number"),
    )

    def rows_prepare(self, objects):
        mark_days_overdue(objects, timezone.localdate())


class PaymentListView(ListView):
    model = Payment
    import_kind = "payments"
    title = "Payments"
    roles = roles.PAYMENT_ROLES
    filterset_class = PaymentFilterSet
    default_sort = "-received_on"
    select_related = ("customer",)
    columns = (
        Column("number", "Receipt", sort="number", link=_payment_link),
        Column("received_on", "Received", sort="received_on", kind=DATE),
        Column(
            "customer.name",
            "Customer",
            sort="customer__name",
            link=_customer_link,
            code="customer.code",
        ),
        Column("method", "Method", sort="method", display="get_method_display"),
        Column("amount", "Amount", sort="amount", kind=MONEY, currency="currency"),
        Column("unapplied_amount", "Unapplied", kind=MONEY, currency="currency"),
        Column("reference", "Reference", sort="reference"),
    )

    def rows_prepare(self, objects):
        applied = payment_applied_totals(payment_ids=[payment.pk for payment in objects])
        for payment in objects:
            payment.unapplied_amount = payment.unapplied(applied[payment.pk])


class ChangeRecordListView(ListView):
    model = ChangeRecord
    title = "Change log"
    roles = roles.CHANGE_LOG_ROLES
    filterset_class = ChangeRecordFilterSet
    default_sort = "-time"
    select_related = ("content_type", "user")
    export_name = "change-log"
    columns = (
        Column("time", "Time", sort="time", kind=DATETIME),
        Column("by", "By", sort="user_name"),
        Column("action", "Action", sort="action", display="get_action_display"),
        Column("content_type.name", "Type", sort="content_type__model"),
        Column("object_repr", "Object", sort="object_repr"),
        Column("changed", "Changed fields"),
        Column("source", "Source", sort="source"),
    )

    def base_queryset(self):
        return ChangeRecord.objects.all()

    def rows_prepare(self, objects):
        for record in objects:
            model = record.content_type.model_class()
            record.changed = ", ".join(
                field_label(model, name) if model else name for name, _, _ in record.changed_fields
            )
            record.by = person_name(record.user, record.user_name)


def import_run_by(run) -> str:
    """Who ran an import: the person's name; a run from the command line without --user says
    so."""
    if run.user is None and run.user_name == "system":
        return "command line (system)"
    return person_name(run.user, run.user_name)


def _import_link(run) -> str:
    return reverse("web:import_detail", args=[run.pk])


class ImportRunListView(ListView):
    model = ImportRun
    title = "Imports"
    roles = roles.IMPORT_ROLES
    filterset_class = ImportRunFilterSet
    default_sort = "-started_at"
    export_name = "imports"
    template_name = "web/import_list.html"
    select_related = ("user",)

    def rows_prepare(self, objects):
        for run in objects:
            run.by = import_run_by(run)

    columns = (
        Column("started_at", "Started", sort="started_at", kind=DATETIME, link=_import_link),
        Column("kind", "Kind", sort="kind"),
        Column("file_name", "File", sort="file_name", link=_import_link),
        Column("by", "By", sort="user_name"),
        Column("status", "Status", sort="status", display="get_status_display"),
        Column("rows", "Rows", sort="rows", kind=NUMBER),
        Column("created", "Created", sort="created", kind=NUMBER),
        Column("updated", "Updated", sort="updated", kind=NUMBER),
        Column("unchanged", "Unchanged", sort="unchanged", kind=NUMBER),
        Column("error_count", "Errors", sort="error_count", kind=NUMBER),
    )


# details ---------------------------------------------------------------------------------


@login_required
def customer_detail(request, pk: int):
    _require(request.user, roles.CUSTOMER_ROLES)
    user = request.user
    customer = get_object_or_404(customer_list(user=user), pk=pk)
    today = timezone.localdate()
    parties = customer_page(customer=customer, user=user)
    open_invoices = customer_open_invoices(customer=customer, user=user)
    mark_days_overdue(open_invoices, today)
    context = {
        "customer": customer,
        "parent_visible": parties.parent_visible,
        "children": parties.children,
        "contacts": parties.contacts,
        "open_invoices": open_invoices,
        "open_amounts": amounts_total(
            ((invoice.currency, invoice.balance) for invoice in open_invoices), on=today
        ),
        "orders": customer_orders(customer=customer, user=user),
        "payments": customer_payments(customer=customer, user=user),
        "history": history_entries(customer, user=user, labels=CustomerForm.Meta.labels),
        "can_edit": bool(customer_editable_fields(user=user, customer=customer)),
        "may_list_orders": user_has_role(user, roles.ORDER_ROLES),
        "may_list_invoices": user_has_role(user, roles.INVOICE_ROLES),
        "may_list_payments": user_has_role(user, roles.PAYMENT_ROLES),
    }
    return render(request, "web/customer_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def customer_edit(request, pk: int):
    user = request.user
    customer = object_for_user(Customer.objects.all(), user, pk=pk)
    allowed = customer_editable_fields(user=user, customer=customer)
    if not allowed:
        raise Http404("No such page.")
    # The form works on its own copy (validating a ModelForm changes its instance); the
    # service reads the stored row, locked, to record "before".
    working_copy = Customer.objects.get(pk=customer.pk)
    form = CustomerForm(
        request.POST or None, instance=working_copy, user=user, allowed_fields=allowed
    )
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            changed = customer_update(customer=customer, actor=user, data=data)
        except ValidationError as error:
            form.add_error(None, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            if changed:
                messages.success(request, f"Saved {customer}.")
            else:
                messages.info(request, "Nothing changed.")
            return redirect(customer.get_absolute_url())
    return render(request, "web/customer_form.html", {"customer": customer, "form": form})


@login_required
def payee_detail(request, pk: int):
    _require(request.user, roles.PAYEE_ROLES | {roles.REP})
    user = request.user
    payee = get_object_or_404(payee_list(user=user).select_related("user"), pk=pk)
    page = payee_page(payee=payee, user=user)
    context = {
        "payee": payee,
        "reporting_line": page.reporting_line,
        "reports": page.reports,
        "territories": page.territories,
        "plans": page.plans,
        "customers": page.customers,
        "history": history_entries(payee, user=user),
    }
    return render(request, "web/payee_detail.html", context)


@login_required
def distributor_detail(request, pk: int):
    _require(request.user, roles.DISTRIBUTOR_ROLES)
    user = request.user
    distributor = get_object_or_404(distributor_list(user=user), pk=pk)
    context = {
        "distributor": distributor,
        "orders": distributor_orders(distributor=distributor, user=user),
        "history": history_entries(distributor, user=user),
        "may_list_orders": user_has_role(user, roles.ORDER_ROLES),
    }
    return render(request, "web/distributor_detail.html", context)


@login_required
def product_detail(request, pk: int):
    user = request.user
    product = object_for_user(
        Product.objects.select_related("product_line", "billing_code"), user, pk=pk
    )
    prices = restrict(PriceListItem.objects.filter(product=product), user).select_related(
        "price_list"
    )
    context = {
        "product": product,
        "prices": prices,
        "history": history_entries(product, user=user),
    }
    return render(request, "web/product_detail.html", context)


@login_required
def invoice_detail(request, pk: int):
    _require(request.user, roles.INVOICE_ROLES)
    user = request.user
    invoice = get_object_or_404(invoice_list(user=user), pk=pk)
    page = invoice_page(invoice=invoice, user=user)
    context = {
        "invoice": invoice,
        "customer_visible": page.customer_visible,
        "order_visible": page.order_visible,
        "days_overdue": (
            instalments_days_overdue(page.instalments, timezone.localdate())
            if page.instalments
            else invoice.days_overdue_on(timezone.localdate())
        ),
        "applications": page.applications,
        "credit_memos": page.credit_memos,
        "reversals": page.reversals,
        "instalments": page.instalments,
        "today": timezone.localdate(),
        "equivalents": page.equivalents,
        "history": history_entries(invoice, user=user),
    }
    return render(request, "web/invoice_detail.html", context)


@login_required
def order_detail(request, pk: int):
    _require(request.user, roles.ORDER_ROLES)
    user = request.user
    order = get_object_or_404(order_list(user=user), pk=pk)
    page = order_page(order=order, user=user)
    context = {
        "order": order,
        "lines": page.lines,
        "total": page.total,
        "invoices": order_invoices(order=order, user=user),
        "customer_visible": page.customer_visible,
        "distributor_visible": page.distributor_visible,
        "sales_rep_visible": page.sales_rep_visible,
        "history": history_entries(order, user=user),
    }
    return render(request, "web/order_detail.html", context)


@login_required
def payment_detail(request, pk: int):
    _require(request.user, roles.PAYMENT_ROLES)
    user = request.user
    payment = get_object_or_404(payment_list(user=user), pk=pk)
    page = payment_page(payment=payment, user=user)
    context = {
        "payment": payment,
        "applications": page.applications,
        "applied": page.applied,
        "unapplied": page.unapplied,
        "customer_visible": page.customer_visible,
        "reversals": page.reversals,
        "may_reverse": roles.may_open(user, "web:payment_reverse"),
        "today": timezone.localdate(),
        "history": history_entries(payment, user=user),
        # a short payment is opened from here by the collections desk
        "short_reasons": (
            short_payment_reasons() if roles.may_open(user, "web:collections_short_payment") else []
        ),
    }
    return render(request, "web/payment_detail.html", context)
