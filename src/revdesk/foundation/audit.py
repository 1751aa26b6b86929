"""The change log, written by services inside their transaction (never by signals)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from .context import current_action
from .models import ChangeAction, ChangeRecord

#: Never copied into the change log: timestamps kept by the row itself, and secrets.
AUDIT_EXCLUDED_FIELDS = {"created_at", "updated_at", "password", "last_login"}


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def snapshot(instance: models.Model) -> dict[str, object]:
    """The audited state of an instance: concrete fields, foreign keys by id, JSON-safe."""
    data: dict[str, object] = {}
    for field in instance._meta.concrete_fields:
        if field.name in AUDIT_EXCLUDED_FIELDS or field.primary_key:
            continue
        value = getattr(instance, field.attname)
        if isinstance(field, models.DecimalField) and isinstance(value, Decimal):
            value = value.quantize(Decimal(1).scaleb(-field.decimal_places))
        elif isinstance(field, models.FileField):
            value = value.name or ""  # the stored file's name, not the file
        data[field.name] = _plain(value)
    return data


def _actor_name(actor) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return "system"
    return actor.get_username()


def change_record_build(
    *,
    actor,
    action: ChangeAction,
    instance: models.Model,
    before: dict | None,
    after: dict | None,
    content_type: ContentType | None = None,
    time: dt.datetime | None = None,
) -> ChangeRecord:
    context = current_action()
    return ChangeRecord(
        time=time or timezone.now(),
        user=actor if getattr(actor, "is_authenticated", False) else None,
        user_name=_actor_name(actor),
        request_id=context.request_id,
        source=context.source[:40],
        action=action,
        content_type=content_type or ContentType.objects.get_for_model(instance),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        before=before,
        after=after,
    )


def change_record_create(*, actor, action, instance, before=None, after=None) -> ChangeRecord:
    record = change_record_build(
        actor=actor, action=action, instance=instance, before=before, after=after
    )
    record.save()
    return record


def change_records_bulk_create(records: Iterable[ChangeRecord], batch_size: int = 2000) -> None:
    ChangeRecord.objects.bulk_create(records, batch_size=batch_size)


def audited_save(instance: models.Model, *, actor, fields: dict[str, object]) -> bool:
    """Set fields on a new or existing instance, save it and record the change.

    Returns False (and writes nothing) when nothing changed.
    """
    creating = instance._state.adding
    before = None if creating else snapshot(instance)
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.full_clean()
    after = snapshot(instance)
    if not creating and before == after:
        return False
    instance.save()
    change_record_create(
        actor=actor,
        action=ChangeAction.CREATE if creating else ChangeAction.UPDATE,
        instance=instance,
        before=before,
        after=after,
    )
    return True


def audited_delete(instance: models.Model, *, actor) -> None:
    before = snapshot(instance)
    record = change_record_build(
        actor=actor, action=ChangeAction.DELETE, instance=instance, before=before, after=None
    )
    instance.delete()
    record.save()


def change_history(instance: models.Model):
    """Selector: the change log of one object, newest first."""
    return ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(instance), object_id=str(instance.pk)
    ).select_related("user")
