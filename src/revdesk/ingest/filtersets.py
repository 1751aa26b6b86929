import django_filters

from revdesk.foundation.filtersets import FilterSet, SearchFilter, date_filter

from .choices import ImportStatus
from .models import ImportRun


class ImportRunFilterSet(FilterSet):
    q = SearchFilter(fields=("file_name", "kind", "user_name", "profile"))
    kind = django_filters.CharFilter(lookup_expr="iexact")
    status = django_filters.ChoiceFilter(choices=ImportStatus.choices)
    after = date_filter("started_at", "date__gte", "From")
    before = date_filter("started_at", "date__lte", "To")

    class Meta:
        model = ImportRun
        fields = ["q", "kind", "status", "after", "before"]
