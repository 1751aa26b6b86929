from django.contrib import admin

from . import models


@admin.register(models.PlanVersion)
class PlanVersionAdmin(admin.ModelAdmin):
    """Read-only: plans are saved through `revdesk commissions plans import` (checked)."""

    list_display = ["code", "version", "name", "valid_from", "valid_to", "currency"]
    search_fields = ["code", "name"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(models.CreditingPolicy)
class CreditingPolicyAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "valid_from", "valid_to"]
