import django_filters

from revdesk.foundation.filtersets import FilterSet, SearchFilter, date_filter

from .choices import OrderChannel, OrderStatus, OrderType
from .models import Order


def _not_cancelled(queryset, name, value):
    if value is None:
        return queryset
    if value:
        return queryset.exclude(status=OrderStatus.CANCELLED)
    return queryset.filter(status=OrderStatus.CANCELLED)


class OrderFilterSet(FilterSet):
    q = SearchFilter(fields=("number", "customer__name", "customer__code", "po_number"))
    status = django_filters.ChoiceFilter(choices=OrderStatus.choices)
    order_type = django_filters.ChoiceFilter(choices=OrderType.choices, label="Type")
    channel = django_filters.ChoiceFilter(choices=OrderChannel.choices)
    customer = django_filters.CharFilter(field_name="customer__code", label="Customer code")
    distributor = django_filters.CharFilter(
        field_name="distributor__code", label="Distributor code"
    )
    sales_rep = django_filters.CharFilter(field_name="sales_rep__code", label="Rep code")
    currency = django_filters.CharFilter(lookup_expr="iexact")
    booked_after = date_filter("booked_on", "gte", "Booked from")
    booked_before = date_filter("booked_on", "lte", "Booked to")
    live = django_filters.BooleanFilter(method=_not_cancelled, label="Not cancelled")

    class Meta:
        model = Order
        fields = [
            "q",
            "status",
            "order_type",
            "channel",
            "customer",
            "distributor",
            "sales_rep",
            "currency",
            "booked_after",
            "booked_before",
            "live",
        ]
