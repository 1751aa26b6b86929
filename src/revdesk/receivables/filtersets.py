import django_filters
from django.utils import timezone

from revdesk.foundation.filtersets import FilterSet, SearchFilter, date_filter

from .choices import InvoiceStatus, PaymentMethod, ReceiptStatus
from .models import BankFile, Invoice, Payment


def overdue_filter(queryset, name, value, today=None):
    """Overdue: open, a balance left, and the due date before today."""
    if value is None:
        return queryset
    overdue = Invoice.overdue_q(today or timezone.localdate())
    return queryset.filter(overdue) if value else queryset.exclude(overdue)


class InvoiceFilterSet(FilterSet):
    q = SearchFilter(fields=("number", "customer__name", "customer__code", "po_number"))
    status = django_filters.ChoiceFilter(choices=InvoiceStatus.choices)
    overdue = django_filters.BooleanFilter(method=overdue_filter, label="Overdue")
    customer = django_filters.CharFilter(field_name="customer__code", label="Customer code")
    currency = django_filters.CharFilter(lookup_expr="iexact")
    issued_after = date_filter("issued_on", "gte", "Issued from")
    issued_before = date_filter("issued_on", "lte", "Issued to")
    due_after = date_filter("due_on", "gte", "Due from")
    due_before = date_filter("due_on", "lte", "Due to")

    class Meta:
        model = Invoice
        fields = [
            "q",
            "status",
            "overdue",
            "customer",
            "currency",
            "issued_after",
            "issued_before",
            "due_after",
            "due_before",
        ]


class PaymentFilterSet(FilterSet):
    q = SearchFilter(fields=("number", "reference", "customer__name", "customer__code"))
    method = django_filters.ChoiceFilter(choices=PaymentMethod.choices)
    customer = django_filters.CharFilter(field_name="customer__code", label="Customer code")
    unidentified = django_filters.BooleanFilter(
        field_name="customer", lookup_expr="isnull", label="No customer"
    )
    currency = django_filters.CharFilter(lookup_expr="iexact")
    received_after = date_filter("received_on", "gte", "Received from")
    received_before = date_filter("received_on", "lte", "Received to")

    class Meta:
        model = Payment
        fields = [
            "q",
            "method",
            "customer",
            "unidentified",
            "currency",
            "received_after",
            "received_before",
        ]


def _age_filter(queryset, name, value):
    """Days since received, as the queue's totals group them (selectors.CASH_AGE_BUCKETS)."""
    from .selectors import cash_age_range

    if not value:
        return queryset
    since, until = cash_age_range(value, timezone.localdate())
    queryset = queryset.filter(received_on__lte=until)
    return queryset.filter(received_on__gte=since) if since is not None else queryset


class CashQueueFilterSet(FilterSet):
    """The unapplied queue's filters (the page and GET /api/cash/unapplied)."""

    q = SearchFilter(
        fields=("number", "reference", "payer_name", "payer_account", "customer__name"),
        label="Search",
    )
    status = django_filters.ChoiceFilter(
        choices=[
            (value, label)
            for value, label in ReceiptStatus.choices
            if value != ReceiptStatus.APPLIED
        ],
        label="Where it stands",
    )
    currency = django_filters.CharFilter(lookup_expr="iexact")
    customer = django_filters.CharFilter(field_name="customer__code", label="Customer code")
    received_after = date_filter("received_on", "gte", "Received from")
    received_before = date_filter("received_on", "lte", "Received to")
    amount_min = django_filters.NumberFilter(
        field_name="amount", lookup_expr="gte", label="Amount from"
    )
    amount_max = django_filters.NumberFilter(
        field_name="amount", lookup_expr="lte", label="Amount to"
    )
    age = django_filters.ChoiceFilter(
        choices=[
            ("0-7", "0–7 days"),
            ("8-30", "8–30 days"),
            ("31-60", "31–60 days"),
            ("over-60", "Over 60 days"),
        ],
        method=_age_filter,
        label="Days since received",
    )
    file = django_filters.ModelChoiceFilter(
        field_name="bank_file", queryset=BankFile.objects.all(), label="Bank file"
    )

    class Meta:
        model = Payment
        fields = [
            "q",
            "status",
            "currency",
            "customer",
            "received_after",
            "received_before",
            "amount_min",
            "amount_max",
            "age",
            "file",
        ]
