"""Generic views: one declarative list view (sort, filter, paginate, export to Excel).

A list is a few lines: the model, the columns, a FilterSet and the roles that may open it.

    class CustomerListView(ObjectListView):
        model = Customer
        title = "Customers"
        filterset_class = CustomerFilterSet
        default_sort = "name"
        roles = {"collector", "admin"}
        columns = [
            Column("code", "Code", sort="code", link=True),
            Column("name", "Name", sort="name"),
            Column("credit_limit", "Credit limit", kind=MONEY, currency="currency"),
        ]

Every queryset goes through `revdesk.foundation.scoping.restrict`. Asked with an
`HX-Request` header, the same URL returns only the table fragment. `?export=xlsx` returns
the filtered, sorted rows (all pages) as an Excel workbook with real numbers and dates.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.text import slugify
from django.views import View

from .audit import change_history
from .scoping import restrict, viewer_for
from .spreadsheet import excel_text_cell

TEXT = "text"
NUMBER = "number"
MONEY = "money"
DATE = "date"
DATETIME = "datetime"
BOOL = "bool"

EXCEL_FORMATS = {
    NUMBER: "#,##0",
    MONEY: "#,##0.00",
    DATE: "yyyy-mm-dd",
    DATETIME: "yyyy-mm-dd hh:mm",
}
EXPORT_ROW_LIMIT = 200_000
EXPORT_CHUNK = 2000


def user_has_role(user, roles: Iterable[str] | None) -> bool:
    """True when roles is None (any signed-in person) or the user holds one of them.

    A superuser counts as holding every role.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if roles is None or user.is_superuser:
        return True
    return viewer_for(user).has_role(*roles)


def person_name(user, kept: str = "") -> str:
    """A person as people call them: full name, else login name; kept when the user is gone."""
    if user is None:
        return kept
    return user.get_full_name().strip() or user.get_username()


def object_for_user(queryset: models.QuerySet, user, **lookup) -> models.Model:
    """The object if this person may see it; 404 otherwise (so existence does not leak)."""
    return get_object_or_404(restrict(queryset, user), **lookup)


def resolve(obj: Any, path: str) -> Any:
    """Follow a dotted path ("customer.name"); None anywhere on the way gives None."""
    value = obj
    for part in path.split("."):
        if value is None:
            return None
        value = value.get(part) if isinstance(value, dict) else getattr(value, part)
        if callable(value) and not isinstance(value, models.Model):
            value = value()
    return value


@dataclass(frozen=True)
class Column:
    """One column of a list: where its value comes from, how it sorts, shows and exports.

    name      dotted path on the object (or a key set by `rows_prepare` on obj.row_extra)
    sort      the order_by field; None means the column cannot be sorted
    kind      TEXT, NUMBER, MONEY, DATE or BOOL (numbers right-aligned, real Excel cells)
    currency  dotted path of the currency shown after a MONEY value
    link      True links to obj.get_absolute_url(); a callable(obj) returns a URL or None
    display   dotted path shown instead of name (e.g. "get_status_display")
    code      dotted path of a code exported beside the value as "<label> code" (Excel only)

    In Excel a MONEY column with a currency is followed by "<label> currency".
    """

    name: str
    label: str
    sort: str | None = None
    kind: str = TEXT
    currency: str | None = None
    link: bool | Callable[[Any], str | None] = False
    display: str | None = None
    code: str | None = None

    def value(self, obj: Any) -> Any:
        return resolve(obj, self.name)

    def text(self, obj: Any) -> str:
        if self.display:
            shown = resolve(obj, self.display)
            return "" if shown is None else str(shown)
        value = self.value(obj)
        if value is None:
            return ""
        if self.kind == MONEY:
            return f"{value:,.2f}"
        if self.kind == NUMBER:
            return f"{value:,}"
        if self.kind == BOOL:
            return "Yes" if value else "No"
        if self.kind == DATE:
            return value.isoformat()
        if self.kind == DATETIME:
            return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
        return str(value)

    def url(self, obj: Any) -> str | None:
        if self.link is True:
            return obj.get_absolute_url()
        if callable(self.link):
            return self.link(obj)
        return None

    @property
    def numeric(self) -> bool:
        return self.kind in (NUMBER, MONEY)


@dataclass(frozen=True)
class Cell:
    text: str
    url: str | None
    numeric: bool
    suffix: str = ""


@dataclass(frozen=True)
class Header:
    label: str
    url: str | None
    direction: str | None  # "ascending", "descending" or None (for aria-sort)
    numeric: bool


class ObjectListView(View):
    """A permission-aware list with server-side sort, filter, pagination and Excel export."""

    model: type[models.Model]
    title: str = ""
    columns: Sequence[Column] = ()
    filterset_class: type | None = None
    default_sort: str = ""  # a column name, "-" prefix for descending
    roles: Iterable[str] | None = None  # None: anyone signed in
    paginate_by: int = 50
    template_name = "foundation/object_list.html"
    fragment_template_name = "foundation/partials/_object_table.html"
    select_related: Sequence[str] = ()
    export_name: str = ""
    description: str = ""

    # hooks -------------------------------------------------------------------------------

    def base_queryset(self) -> models.QuerySet:
        return self.model._default_manager.all()

    def get_queryset(self) -> models.QuerySet:
        queryset = restrict(self.base_queryset(), self.request.user)
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        return queryset

    def rows_prepare(self, objects: list[Any]) -> None:
        """Attach computed values (e.g. Decimal totals) to a page or chunk of objects."""

    def extra_context(self) -> dict[str, Any]:
        return {}

    def filterset_ready(self, filterset) -> None:
        """Adjust the bound filter set (e.g. how a choice is labelled) before it is used."""

    def may_link(self, url: str) -> bool:
        """Draw this link? Override to leave out links to pages the person may not open."""
        return True

    # machinery ---------------------------------------------------------------------------

    def dispatch(self, request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        if not user_has_role(request.user, self.roles):
            raise Http404("No such page.")
        return super().dispatch(request, *args, **kwargs)

    def _sort(self) -> tuple[Column | None, bool]:
        requested = self.request.GET.get("sort", "") or self.default_sort
        descending = requested.startswith("-")
        name = requested.lstrip("-")
        for column in self.columns:
            if column.name == name and column.sort:
                return column, descending
        if requested != self.default_sort and self.default_sort:
            name = self.default_sort.lstrip("-")
            for column in self.columns:
                if column.name == name and column.sort:
                    return column, self.default_sort.startswith("-")
        return None, False

    def filtered(self):
        queryset = self.get_queryset()
        filterset = None
        if self.filterset_class is not None:
            filterset = self.filterset_class(
                self.request.GET or None, queryset=queryset, request=self.request
            )
            self.filterset_ready(filterset)
            queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
            if filterset.is_bound and not filterset.is_valid():
                queryset = queryset.none()
        column, descending = self._sort()
        if column is not None:
            key = column.sort
            if descending:
                key = key[1:] if key.startswith("-") else f"-{key}"
            queryset = queryset.order_by(key, "-pk" if descending else "pk")
        return queryset, filterset, column, descending

    def _query(self, **changes) -> str:
        params = self.request.GET.copy()
        for key, value in changes.items():
            if value is None:
                params.pop(key, None)
            else:
                params[key] = value
        encoded = params.urlencode()
        return f"?{encoded}" if encoded else "?"

    def headers(self, sort_column: Column | None, descending: bool) -> list[Header]:
        headers = []
        for column in self.columns:
            if not column.sort:
                headers.append(Header(column.label, None, None, column.numeric))
                continue
            active = column is sort_column
            next_key = f"-{column.name}" if active and not descending else column.name
            direction = ("descending" if descending else "ascending") if active else None
            headers.append(
                Header(
                    column.label, self._query(sort=next_key, page=None), direction, column.numeric
                )
            )
        return headers

    def row(self, obj: Any) -> list[Cell]:
        cells = []
        for column in self.columns:
            suffix = ""
            if column.kind == MONEY and column.currency:
                suffix = resolve(obj, column.currency) or ""
            url = column.url(obj)
            if url is not None and not self.may_link(url):
                url = None
            cells.append(Cell(column.text(obj), url, column.numeric, suffix))
        return cells

    def page_links(self, page) -> list[tuple[str, str | None]]:
        """(label, url) pairs: first, a window around the current page, last; None = gap."""
        paginator = page.paginator
        numbers = sorted(
            {1, paginator.num_pages}
            | set(range(max(1, page.number - 2), min(paginator.num_pages, page.number + 2) + 1))
        )
        links: list[tuple[str, str | None]] = []
        previous = 0
        for number in numbers:
            if number - previous > 1:
                links.append(("…", None))
            links.append((str(number), self._query(page=str(number))))
            previous = number
        return links

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        queryset, filterset, sort_column, descending = self.filtered()
        if request.GET.get("export") == "xlsx":
            return self.export(queryset)
        paginator = Paginator(queryset, self.paginate_by)
        page = paginator.get_page(_page_number(request.GET.get("page")))
        objects = list(page.object_list)
        self.rows_prepare(objects)
        context = {
            "title": self.title,
            "description": self.description,
            "filterset": filterset,
            "headers": self.headers(sort_column, descending),
            "rows": [self.row(obj) for obj in objects],
            "page": page,
            "page_links": self.page_links(page) if paginator.num_pages > 1 else [],
            "previous_url": self._query(page=str(page.number - 1)) if page.has_previous() else None,
            "next_url": self._query(page=str(page.number + 1)) if page.has_next() else None,
            "export_url": self._query(export="xlsx", page=None),
            "clear_url": request.path,
            "is_filtered": bool(filterset is not None and filterset.is_bound),
            "filter_errors": _filter_errors(filterset),
            **self.extra_context(),
        }
        template = (
            self.fragment_template_name
            if request.headers.get("HX-Request") == "true"
            else self.template_name
        )
        return render(request, template, context)

    # export ------------------------------------------------------------------------------

    def export(self, queryset: models.QuerySet) -> HttpResponse:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=(self.title or "Rows")[:31])
        sheet.freeze_panes = "A2"
        bold = Font(bold=True)
        # (header, column, extra): extra is None for the column's own value, else the dotted
        # path of its currency or code, exported as text beside it
        excel_columns: list[tuple[str, Column, str | None]] = []
        for column in self.columns:
            excel_columns.append((column.label, column, None))
            if column.code:
                excel_columns.append((f"{column.label} code", column, column.code))
            if column.kind == MONEY and column.currency:
                excel_columns.append((f"{column.label} currency", column, column.currency))
        for index, (_, column, extra) in enumerate(excel_columns, start=1):
            width = 12 if column.kind in (MONEY, DATE, NUMBER) else 24
            if extra is not None:
                width = 10
            sheet.column_dimensions[_column_letter(index)].width = width
        header = []
        for label, _, _ in excel_columns:
            cell = WriteOnlyCell(sheet, value=label)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        count = 0
        for chunk in _chunked(queryset, EXPORT_CHUNK):
            self.rows_prepare(chunk)
            for obj in chunk:
                values = []
                for _, column, extra in excel_columns:
                    if extra is not None:
                        values.append(resolve(obj, extra))
                        continue
                    values.append(_excel_cell(sheet, column, obj, WriteOnlyCell))
                sheet.append(values)
                count += 1
                if count >= EXPORT_ROW_LIMIT:
                    break
            if count >= EXPORT_ROW_LIMIT:
                break
        if count:
            sheet.auto_filter.ref = f"A1:{_column_letter(len(excel_columns))}{count + 1}"
        buffer = io.BytesIO()
        workbook.save(buffer)
        name = self.export_name or slugify(self.title) or "export"
        filename = f"{name}-{timezone.localdate().isoformat()}.xlsx"
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


def _page_number(value: str | None) -> int:
    """?page=: a positive whole number; anything else (0, -3, "abc") is the first page.

    A number past the end gives the last page (Paginator.get_page).
    """
    try:
        number = int(value or 1)
    except ValueError:
        return 1
    return number if number >= 1 else 1


def _filter_errors(filterset) -> list[tuple[str, str, str]]:
    """(field label, value given, message) for each filter value that is not valid."""
    if filterset is None or not filterset.is_bound or filterset.is_valid():
        return []
    form = filterset.form
    errors = []
    for name, messages in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        given = str(form.data.get(name, "")) if name in form.fields else ""
        errors.extend((str(label or name), given, str(message)) for message in messages)
    return errors


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def _excel_cell(sheet, column: Column, obj: Any, cell_class):
    value = column.value(obj)
    if column.display:
        value = resolve(obj, column.display)
    elif column.kind == BOOL:
        value = None if value is None else ("Yes" if value else "No")
    elif isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = timezone.localtime(value).replace(tzinfo=None)  # Excel has no time zones
    elif isinstance(value, models.Model) or (
        column.kind == TEXT and value is not None and not isinstance(value, str)
    ):
        value = str(value)
    if value is None:
        return None
    if isinstance(value, str):
        # imported names and notes stay text, never a formula (=HYPERLINK(...))
        return excel_text_cell(sheet, value, cell_class)
    cell = cell_class(sheet, value=value)
    if column.kind in EXCEL_FORMATS and isinstance(value, Decimal | int | dt.date):
        cell.number_format = EXCEL_FORMATS[column.kind]
    return cell


def _chunked(queryset: models.QuerySet, size: int):
    """Keyset-free chunking that keeps the queryset's ordering (offset pages)."""
    start = 0
    while True:
        chunk = list(queryset[start : start + size])
        if not chunk:
            return
        yield chunk
        if len(chunk) < size:
            return
        start += size


# audit history ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryEntry:
    time: dt.datetime
    user_name: str
    action: str
    source: str
    changes: list[FieldChange]


def _is_money(field: models.Field) -> bool:
    """MoneyField's shape: DECIMAL(18, 2) (quantities and rates are declared otherwise)."""
    return (
        isinstance(field, models.DecimalField)
        and field.max_digits == 18
        and field.decimal_places == 2
    )


NOT_VISIBLE = "(not visible to you)"

# names of related records, per related model, then per str(pk)
RelatedNames = dict[type[models.Model], dict[str, str]]


def _related_name(related: models.Model) -> str:
    return person_name(related) if hasattr(related, "get_full_name") else str(related)


def _related_names(model: type[models.Model], records: Sequence[Any], user) -> RelatedNames:
    """Names of every key these records mention, as this person may see them.

    One read per related model, through `restrict` for the viewer, however many records:
    a key the viewer may not see is named NOT_VISIBLE, a key that no longer exists
    "#<id> (deleted)". People (the user model) are named for anyone who may see the object,
    as the Who of every entry already is.
    """
    from django.contrib.auth import get_user_model

    wanted: dict[type[models.Model], set[Any]] = {}
    for record in records:
        for name, old, new in record.changed_fields:
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if isinstance(field, models.ForeignKey):
                ids = wanted.setdefault(field.related_model, set())
                ids.update(value for value in (old, new) if value not in (None, ""))
    names: RelatedNames = {}
    user_model = get_user_model()
    for related_model, ids in wanted.items():
        if not ids:
            continue
        everyone = related_model._default_manager.filter(pk__in=ids)
        seen = everyone if related_model is user_model else restrict(everyone, user)
        visible = {obj.pk: _related_name(obj) for obj in seen}
        shown = {str(pk): text for pk, text in visible.items()}
        if len(visible) < len(ids):
            hidden = everyone.exclude(pk__in=list(visible)).values_list("pk", flat=True)
            shown.update((str(pk), NOT_VISIBLE) for pk in hidden)
        names[related_model] = shown
    return names


def _shown(
    model: type[models.Model],
    name: str,
    value: Any,
    currency: str = "",
    related: RelatedNames | None = None,
) -> str:
    """A stored value as people read it: names for keys and choices, Yes/No, 1,234.50 USD.

    Keys are named from `related` (see `_related_names`); a key missing there is deleted.
    """
    if value is None or value == "" or value == []:
        return "—"
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return str(value)
    if isinstance(field, models.ForeignKey):
        shown = (related or {}).get(field.related_model, {}).get(str(value))
        return f"#{value} (deleted)" if shown is None else shown
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return "Yes" if value else "No"
    if isinstance(field, models.DecimalField):
        try:
            number = Decimal(str(value))
        except ArithmeticError:
            return str(value)
        text = f"{number:,.{field.decimal_places}f}"
        return f"{text} {currency}" if currency and _is_money(field) else text
    if isinstance(field, models.IntegerField) and isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list):
        return "; ".join(str(item) for item in value) or "—"
    return str(value)


def field_label(model: type[models.Model], name: str, labels: dict[str, str] | None = None) -> str:
    """What a field is called on screen: labels[name], else its verbose name, capitalized."""
    if labels and name in labels:
        return str(labels[name])
    try:
        label = str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        label = name.replace("_", " ")
    return label[:1].upper() + label[1:]


def _currency(model: type[models.Model], snapshot: dict | None, instance) -> str:
    try:
        model._meta.get_field("currency")
    except FieldDoesNotExist:
        return ""
    if snapshot and snapshot.get("currency"):
        return str(snapshot["currency"])
    return str(getattr(instance, "currency", "") or "")


def history_entries(
    instance: models.Model, *, user, limit: int = 100, labels: dict[str, str] | None = None
) -> list[HistoryEntry]:
    """The change log of one object as who/when/what, with before → after per changed field.

    Fields by their label (labels[name], else the verbose name), foreign keys by name as
    `user` may see them ("(not visible to you)" otherwise), choices by label, booleans as
    Yes/No, money as 1,234.50 with the object's currency. The caller has checked that `user`
    may see the object; the number of reads does not grow with the number of entries.
    """
    model = type(instance)
    records = list(change_history(instance)[:limit])
    related = _related_names(model, records, user)
    entries = []
    for record in records:
        before_currency = _currency(model, record.before, instance)
        after_currency = _currency(model, record.after, instance)
        changes = [
            FieldChange(
                field_label(model, name, labels),
                _shown(model, name, old, before_currency, related),
                _shown(model, name, new, after_currency, related),
            )
            for name, old, new in record.changed_fields
        ]
        entries.append(
            HistoryEntry(
                time=record.time,
                user_name=person_name(record.user, record.user_name),
                action=record.get_action_display(),
                source=record.source,
                changes=changes,
            )
        )
    return entries
