"""FilterSet building blocks shared by the pages and (later) the API query parameters."""

import django_filters
from django import forms
from django.db.models import Q

from .models import ChangeAction, ChangeRecord

ANY = "Any"


class YesNoSelect(forms.Select):
    """Any / Yes / No (instead of Django's "Unknown"), sent as true/false in the URL."""

    def __init__(self, attrs=None):
        super().__init__(attrs, choices=[("", ANY), ("true", "Yes"), ("false", "No")])

    def format_value(self, value):
        if value in (True, "true", "True", "1"):
            return ["true"]
        if value in (False, "false", "False", "0"):
            return ["false"]
        return [""]


class FilterSet(django_filters.FilterSet):
    """Our base: empty choices read "Any", yes/no filters are Any/Yes/No selects."""

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            for field in form.fields.values():
                if isinstance(field, forms.NullBooleanField):
                    field.widget = YesNoSelect()
                elif hasattr(field, "empty_label"):  # model and django-filter choices
                    field.empty_label = ANY
                    field.widget.choices = field.choices  # the widget holds its own copy
                elif isinstance(field, forms.ChoiceField):
                    field.choices = [
                        (value, ANY if value == "" else label) for value, label in field.choices
                    ]
        return self._form


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


class ChangeRecordFilterSet(FilterSet):
    q = SearchFilter(fields=("object_repr", "user_name", "object_id"))
    action = django_filters.ChoiceFilter(choices=ChangeAction.choices)
    model = django_filters.CharFilter(field_name="content_type__model", label="Model")
    source = django_filters.CharFilter(lookup_expr="icontains")
    after = date_filter("time", "date__gte", "From")
    before = date_filter("time", "date__lte", "To")

    class Meta:
        model = ChangeRecord
        fields = ["q", "action", "model", "source", "after", "before"]
