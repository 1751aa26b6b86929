"""FilterSet building blocks shared by the pages and (later) the API query parameters."""

import django_filters
from django import forms
from django.db.models import Q

from .models import ChangeAction, ChangeRecord


class SearchFilter(django_filters.CharFilter):
    """One box searching several fields (icontains on each, OR-ed)."""

    def __init__(self, *args, fields: tuple[str, ...], **kwargs):
        kwargs.setdefault("label", "Search")
        kwargs.setdefault("method", self.search)
        super().__init__(*args, **kwargs)
        self.search_fields = fields

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        query = Q()
        for field in self.search_fields:
            query |= Q(**{f"{field}__icontains": value})
        return queryset.filter(query)


def date_filter(field: str, lookup: str, label: str) -> django_filters.DateFilter:
    return django_filters.DateFilter(
        field_name=field,
        lookup_expr=lookup,
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class ChangeRecordFilterSet(django_filters.FilterSet):
    q = SearchFilter(fields=("object_repr", "user_name", "object_id"))
    action = django_filters.ChoiceFilter(choices=ChangeAction.choices)
    model = django_filters.CharFilter(field_name="content_type__model", label="Model")
    source = django_filters.CharFilter(lookup_expr="icontains")
    after = date_filter("time", "date__gte", "From")
    before = date_filter("time", "date__lte", "To")

    class Meta:
        model = ChangeRecord
        fields = ["q", "action", "model", "source", "after", "before"]
