from django.contrib import admin

from . import models


class ReasonInline(admin.TabularInline):
    model = models.ReasonCode
    extra = 0


class SlaInline(admin.TabularInline):
    model = models.SlaTarget
    extra = 0


@admin.register(models.CaseType)
class CaseTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "desk", "default_team", "is_active"]
    readonly_fields = ["code"]
    inlines = [ReasonInline, SlaInline]


class MembershipInline(admin.TabularInline):
    model = models.TeamMembership
    extra = 0


@admin.register(models.Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "email", "calendar"]
    inlines = [MembershipInline]


class HolidayInline(admin.TabularInline):
    model = models.Holiday
    extra = 0


@admin.register(models.BusinessCalendar)
class CalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "timezone", "work_days", "day_starts", "day_ends"]
    inlines = [HolidayInline]


@admin.register(models.RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["sequence", "name", "case_type", "reason", "team", "assignment", "is_active"]
    list_editable = ["is_active"]


@admin.register(models.EscalationRule)
class EscalationRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "case_type", "priority", "clock", "overdue_minutes", "level"]


@admin.register(models.Inbox)
class InboxAdmin(admin.ModelAdmin):
    list_display = ["name", "address", "team", "kind", "is_active", "last_read_at"]


@admin.register(models.MailTemplate)
class MailTemplateAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "use", "subject"]
    list_filter = ["use"]


@admin.register(models.Case)
class CaseAdmin(admin.ModelAdmin):
    """Read-only here: cases change through their page (services, timeline, audit)."""

    list_display = ["number", "title", "case_type", "status", "team", "owner", "opened_at"]
    list_filter = ["status", "case_type", "team"]
    search_fields = ["number", "title"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
