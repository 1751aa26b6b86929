import django_filters
from django.utils import timezone

from revdesk.foundation.filtersets import FilterSet, SearchFilter, date_filter

from .choices import InvoiceStatus, PaymentMethod
from .models import Invoice, Payment


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
