"""Bulk upsert by natural key, with the change log written in bulk.

Apps' bulk services (`customers_upsert`, `invoices_upsert`, ...) call `bulk_upsert` with rows
whose references are already resolved to ids. It looks up the existing objects of the batch by
key (one query), compares the given fields, creates the new ones, updates the changed ones and
leaves the rest alone, and writes one ChangeRecord (before/after snapshot) per created or
updated object. An unchanged object writes nothing, so re-running an import is free of noise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import prefetch_related_objects
from django.utils import timezone

from .audit import change_record_build, change_records_bulk_create, snapshot
from .models import ChangeAction

Key = tuple[object, ...]


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass
class UpsertResult:
    """What happened to each key of one batch, and the objects (with ids) by key."""

    outcomes: dict[Key, Outcome] = field(default_factory=dict)
    objects: dict[Key, models.Model] = field(default_factory=dict)

    def count(self, outcome: Outcome) -> int:
        return sum(1 for value in self.outcomes.values() if value is outcome)

    @property
    def created(self) -> int:
        return self.count(Outcome.CREATED)

    @property
    def updated(self) -> int:
        return self.count(Outcome.UPDATED)

    @property
    def unchanged(self) -> int:
        return self.count(Outcome.UNCHANGED)

    def ids(self, *outcomes: Outcome) -> list[int]:
        return [self.objects[key].pk for key, value in self.outcomes.items() if value in outcomes]


class BulkRowError(ValueError):
    """A row a service refused (a programming error upstream: the importer validates first)."""

    def __init__(self, index: int, errors: dict[str, list[str]]):
        self.index = index
        self.errors = errors
        detail = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in errors.items())
        super().__init__(f"row {index + 1}: {detail}")


@dataclass(frozen=True)
class RowRefusal:
    """One row a service will not write: its position in the rows given, the attribute
    (e.g. `amount`, `parent_id`), the value and why, in plain words."""

    index: int
    field: str
    value: object
    message: str


class RowsRefused(ValueError):
    """A service refused rows of a batch for a business rule (e.g. an invoice amount below
    what is already paid). Nothing of the batch is written; callers report every refusal."""

    def __init__(self, refusals: Sequence[RowRefusal]):
        self.refusals = list(refusals)
        super().__init__(
            "; ".join(f"row {r.index + 1}, {r.field}: {r.message}" for r in self.refusals)
        )


def parent_loops(*, model: type[models.Model], field: str, ids: Iterable[int]) -> dict[int, list]:
    """Which of `ids` are, through `field` (e.g. `parent_id`), their own ancestor, as saved.

    Returns id -> the loop as ids, starting and ending with that id. Reads the chains a level
    at a time (one query per level and 900 ids), so it serves a bulk load inside its
    transaction: write, then call this, and refuse (roll back) what loops.
    """
    parent_of: dict[int, int | None] = {}
    pending = set(ids)
    while pending:
        wanted = sorted(pending)
        for start in range(0, len(wanted), 900):
            parent_of.update(
                model._default_manager.filter(pk__in=wanted[start : start + 900]).values_list(
                    "pk", field
                )
            )
        pending = {p for p in parent_of.values() if p is not None and p not in parent_of}
    loops: dict[int, list] = {}
    for start in ids:
        path = [start]
        node = parent_of.get(start)
        while node is not None and node != start and node not in path:
            path.append(node)
            node = parent_of.get(node)
        if node == start:
            loops[start] = [*path, start]
    return loops


def normalise(model_field: models.Field, value: object) -> object:
    """The value as the database will give it back, so old and new compare exactly.

    A decimal is brought to the field's decimal places only when that loses nothing (100.5 ->
    100.50); one with more places that count (100.005) is kept as given, so the field's
    decimal-places validator refuses the row (BulkRowError) instead of it being rounded.
    """
    if value is None:
        return None
    if isinstance(model_field, models.DecimalField):
        value = value if isinstance(value, Decimal) else Decimal(str(value))
        if not value.is_finite():
            return value
        try:
            quantized = value.quantize(Decimal(1).scaleb(-model_field.decimal_places))
        except InvalidOperation:  # more digits than any field holds: the validator says so
            return value
        return quantized if quantized == value else value
    if isinstance(model_field, models.DateField) and not isinstance(
        model_field, models.DateTimeField
    ):
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, str):
            return dt.date.fromisoformat(value)
    return value


def _key_of(values: Mapping[str, object], key: Sequence[str]) -> Key:
    return tuple(values[name] for name in key)


#: how many objects one prefetch of the change log's related objects reads at a time
PREFETCH_SLICE = 500


def bulk_upsert(
    *,
    model: type[models.Model],
    key: Sequence[str],
    rows: Sequence[Mapping[str, object]],
    fields: Sequence[str],
    actor,
    on_create: Callable[[Mapping[str, object]], Mapping[str, object]] | None = None,
    batch_size: int = 1000,
) -> UpsertResult:
    """Create or update one batch of `model` objects identified by `key` (attribute names).

    Each row maps attribute names (`customer_id` for a foreign key) to values for the key and
    for every name in `fields`; `on_create` may add values only a new object gets (e.g. an
    invoice's opening balance). Rows must have distinct keys. Field validators run on every
    given non-relation field; a bad row raises BulkRowError and nothing of the batch is saved.
    Call inside a transaction.
    """
    meta = model._meta
    by_attname = {f.attname: f for f in meta.concrete_fields}
    unknown = [name for name in (*key, *fields) if name not in by_attname]
    if unknown:
        raise ValueError(f"{model.__name__} has no field {', '.join(unknown)}")
    result = UpsertResult()
    if not rows:
        return result

    existing = _existing_by_key(model, key, [_key_of(row, key) for row in rows])
    content_type = ContentType.objects.get_for_model(model)
    time = timezone.now()
    to_create: list[tuple[Key, models.Model]] = []
    to_update: list[tuple[Key, models.Model, dict]] = []
    seen: set[Key] = set()
    for index, row in enumerate(rows):
        row_key = _key_of(row, key)
        if row_key in seen:
            raise ValueError(f"{model.__name__}: key {row_key} appears twice in one batch")
        seen.add(row_key)
        values = {name: normalise(by_attname[name], row[name]) for name in (*key, *fields)}
        instance = existing.get(row_key)
        if instance is None:
            if on_create is not None:
                values.update(
                    {
                        name: normalise(by_attname[name], value)
                        for name, value in on_create(row).items()
                    }
                )
            instance = model(**values)
            _validate(instance, values, index)
            to_create.append((row_key, instance))
            continue
        changed = {
            name: value
            for name, value in values.items()
            if normalise(by_attname[name], getattr(instance, name)) != value
        }
        if not changed:
            result.outcomes[row_key] = Outcome.UNCHANGED
            result.objects[row_key] = instance
            continue
        before = snapshot(instance)
        for name, value in changed.items():
            setattr(instance, name, value)
        _validate(instance, changed, index)
        to_update.append((row_key, instance, before))

    # the change log names each object (its __str__), which often reads the objects its key
    # points to (an application: its payment and invoice): read them once for the batch
    related = [by_attname[name].name for name in key if by_attname[name].is_relation]
    if related:
        named = [instance for _, instance in to_create] + [instance for _, instance, _ in to_update]
        # in slices: SQLite refuses one query naming many thousands of objects ("Expression
        # tree is too large")
        for start in range(0, len(named), PREFETCH_SLICE):
            prefetch_related_objects(named[start : start + PREFETCH_SLICE], *related)
    records = []
    if to_create:
        model.objects.bulk_create([instance for _, instance in to_create], batch_size=batch_size)
        for row_key, instance in to_create:
            result.outcomes[row_key] = Outcome.CREATED
            result.objects[row_key] = instance
            records.append(
                change_record_build(
                    actor=actor,
                    action=ChangeAction.CREATE,
                    instance=instance,
                    before=None,
                    after=snapshot(instance),
                    content_type=content_type,
                    time=time,
                )
            )
    if to_update:
        update_fields = sorted(
            set(fields) | ({"updated_at"} if "updated_at" in by_attname else set())
        )
        for _, instance, _before in to_update:
            if "updated_at" in by_attname:
                instance.updated_at = time
        model.objects.bulk_update(
            [instance for _, instance, _ in to_update],
            [by_attname[name].name for name in update_fields],
            batch_size=batch_size,
        )
        for row_key, instance, before in to_update:
            result.outcomes[row_key] = Outcome.UPDATED
            result.objects[row_key] = instance
            records.append(
                change_record_build(
                    actor=actor,
                    action=ChangeAction.UPDATE,
                    instance=instance,
                    before=before,
                    after=snapshot(instance),
                    content_type=content_type,
                    time=time,
                )
            )
    if records:
        change_records_bulk_create(records, batch_size=batch_size)
    return result


def _existing_by_key(
    model: type[models.Model], key: Sequence[str], keys: Sequence[Key]
) -> dict[Key, models.Model]:
    """Existing objects of one batch by key: one query on the key's first attribute."""
    first = key[0]
    values = sorted({k[0] for k in keys}, key=str)
    found: dict[Key, models.Model] = {}
    wanted = set(keys)
    for chunk_start in range(0, len(values), 900):
        chunk = values[chunk_start : chunk_start + 900]
        for instance in model.objects.filter(**{f"{first}__in": chunk}):
            instance_key = tuple(getattr(instance, name) for name in key)
            if instance_key in wanted:
                found[instance_key] = instance
    return found


def _validate(instance: models.Model, values: Mapping[str, object], index: int) -> None:
    """Run the field validators (no database queries) of the fields being written."""
    errors: dict[str, list[str]] = {}
    for model_field in instance._meta.concrete_fields:
        if model_field.attname not in values or model_field.is_relation:
            continue
        value = getattr(instance, model_field.attname)
        try:
            model_field.clean(value, instance)
        except ValidationError as error:
            errors[model_field.name] = error.messages
    if errors:
        raise BulkRowError(index, errors)
