from django.contrib import admin

from .models import ImportRun


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    """Import history is written by the importer only: read-only here."""

    list_display = (
        "started_at",
        "kind",
        "file_name",
        "user_name",
        "status",
        "dry_run",
        "rows",
        "created",
        "updated",
        "unchanged",
        "error_count",
    )
    list_filter = ("status", "kind", "dry_run")
    search_fields = ("file_name", "kind", "user_name", "profile", "sha256")
    date_hierarchy = "started_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
