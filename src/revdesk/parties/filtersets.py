"""One FilterSet per model: the list pages use them, and the API can take the same parameters."""

import django_filters
from django.contrib.auth import get_user_model

from revdesk.foundation.filtersets import FilterSet, SearchFilter
from revdesk.foundation.scoping import restrict

from .choices import PayeeKind, Segment
from .models import Customer, Distributor, Payee, Territory
from .selectors import collector_list


def _payees(request):
    if request is None:
        return Payee.objects.none()
    return restrict(Payee.objects.all(), request.user)


def _collectors(request):
    """Collectors to filter by: the ones this person may assign (`collector_list`)."""
    if request is None:
        return get_user_model().objects.none()
    return collector_list(user=request.user).order_by("username")


class CustomerFilterSet(FilterSet):
    q = SearchFilter(fields=("code", "name", "portal_name"))
    segment = django_filters.ChoiceFilter(choices=Segment.choices)
    country = django_filters.CharFilter(lookup_expr="iexact")
    currency = django_filters.CharFilter(lookup_expr="iexact")
    territory = django_filters.ModelChoiceFilter(queryset=Territory.objects.all())
    sales_rep = django_filters.ModelChoiceFilter(queryset=_payees, label="Sales rep")
    collector = django_filters.ModelChoiceFilter(queryset=_collectors)
    parent = django_filters.CharFilter(field_name="parent__code", label="Parent code")
    is_key_account = django_filters.BooleanFilter(label="Key account")
    is_active = django_filters.BooleanFilter(label="Active")

    class Meta:
        model = Customer
        fields = [
            "q",
            "segment",
            "country",
            "currency",
            "territory",
            "sales_rep",
            "collector",
            "parent",
            "is_key_account",
            "is_active",
        ]


class PayeeFilterSet(FilterSet):
    q = SearchFilter(fields=("code", "name", "email"))
    kind = django_filters.ChoiceFilter(choices=PayeeKind.choices)
    manager = django_filters.CharFilter(field_name="manager__code", label="Manager code")
    is_active = django_filters.BooleanFilter(label="Active")

    class Meta:
        model = Payee
        fields = ["q", "kind", "manager", "is_active"]


class DistributorFilterSet(FilterSet):
    q = SearchFilter(fields=("code", "name", "email"))
    country = django_filters.CharFilter(lookup_expr="iexact")
    is_active = django_filters.BooleanFilter(label="Active")

    class Meta:
        model = Distributor
        fields = ["q", "country", "is_active"]
