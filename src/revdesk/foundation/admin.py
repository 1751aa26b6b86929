"""Admin: every change made here is written to the change log, like any other change."""

from django.contrib import admin

from .audit import change_record_create, snapshot
from .models import ApiToken, ChangeAction, ChangeRecord


class AuditedModelAdmin(admin.ModelAdmin):
    """A ModelAdmin whose saves and deletes write ChangeRecords (before/after snapshots)."""

    def save_model(self, request, obj, form, change):
        before = None
        if change:
            stored = type(obj)._default_manager.filter(pk=obj.pk).first()
            before = snapshot(stored) if stored is not None else None
        super().save_model(request, obj, form, change)
        after = snapshot(obj)
        if change and before == after:
            return
        change_record_create(
            actor=request.user,
            action=ChangeAction.UPDATE if change else ChangeAction.CREATE,
            instance=obj,
            before=before,
            after=after,
        )

    def delete_model(self, request, obj):
        before = snapshot(obj)
        pk = obj.pk
        super().delete_model(request, obj)
        obj.pk = pk
        change_record_create(
            actor=request.user, action=ChangeAction.DELETE, instance=obj, before=before
        )

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


class AuditedTabularInline(admin.TabularInline):
    """Inline rows are edited from the parent page; AuditedModelAdmin.save_formset logs them."""

    extra = 0


def _save_formset_audited(self, request, form, formset, change):
    before = {obj.pk: snapshot(obj) for obj in formset.get_queryset() if obj.pk is not None}
    instances = formset.save(commit=False)
    for obj in formset.deleted_objects:
        pk = obj.pk
        obj.delete()
        obj.pk = pk
        change_record_create(
            actor=request.user,
            action=ChangeAction.DELETE,
            instance=obj,
            before=before.get(pk),
        )
    for obj in instances:
        creating = obj.pk is None
        obj.save()
        change_record_create(
            actor=request.user,
            action=ChangeAction.CREATE if creating else ChangeAction.UPDATE,
            instance=obj,
            before=None if creating else before.get(obj.pk),
            after=snapshot(obj),
        )
    formset.save_m2m()


AuditedModelAdmin.save_formset = _save_formset_audited


class RecordAdmin(admin.ModelAdmin):
    """A record the services write (the change log, a reversal): shown, never added, changed
    or deleted here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ChangeRecord)
class ChangeRecordAdmin(RecordAdmin):
    """The change log is read-only, here as everywhere."""

    list_display = ("time", "user_name", "action", "content_type", "object_repr", "source")
    list_filter = ("action", "content_type", "source")
    search_fields = ("object_repr", "user_name", "object_id", "request_id")
    date_hierarchy = "time"
    list_select_related = ("content_type",)


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedModelAdmin):
    """Tokens are created with `revdesk` or the API (the raw key is shown once); revoke here."""

    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "expires_at")
    list_filter = ("expires_at",)
    search_fields = ("name", "user__username", "prefix")
    readonly_fields = ("user", "name", "prefix", "last_used_at", "created_at")
    fields = ("user", "name", "prefix", "expires_at", "last_used_at", "created_at")

    def has_add_permission(self, request):
        return False
