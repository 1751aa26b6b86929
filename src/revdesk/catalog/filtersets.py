import django_filters

from revdesk.foundation.filtersets import FilterSet, SearchFilter

from .models import Product, ProductLine


class ProductFilterSet(FilterSet):
    q = SearchFilter(fields=("sku", "name", "billing_code__code"))
    product_line = django_filters.ModelChoiceFilter(queryset=ProductLine.objects.all())
    currency = django_filters.CharFilter(lookup_expr="iexact")
    is_recurring = django_filters.BooleanFilter(label="Recurring")
    is_active = django_filters.BooleanFilter(label="Active")

    class Meta:
        model = Product
        fields = ["q", "product_line", "currency", "is_recurring", "is_active"]
