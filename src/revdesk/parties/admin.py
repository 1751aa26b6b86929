from django.contrib import admin

from revdesk.foundation.admin import AuditedModelAdmin, AuditedTabularInline

from .models import (
    BillingContact,
    Customer,
    CustomerBankAccount,
    Distributor,
    Payee,
    PlanAssignment,
    Territory,
    TerritoryAssignment,
    UserProfile,
)


@admin.register(Territory)
class TerritoryAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "parent")
    search_fields = ("code", "name")
    list_filter = ("parent",)
    autocomplete_fields = ("parent",)


class TerritoryAssignmentInline(AuditedTabularInline):
    model = TerritoryAssignment
    autocomplete_fields = ("territory",)


class PlanAssignmentInline(AuditedTabularInline):
    model = PlanAssignment


@admin.register(Payee)
class PayeeAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "kind", "manager", "currency", "is_active", "user")
    list_filter = ("kind", "is_active", "currency")
    search_fields = ("code", "name", "email", "user__username")
    autocomplete_fields = ("manager", "user")
    list_select_related = ("manager", "user")
    inlines = (TerritoryAssignmentInline, PlanAssignmentInline)


@admin.register(TerritoryAssignment)
class TerritoryAssignmentAdmin(AuditedModelAdmin):
    list_display = ("payee", "territory", "role", "valid_from", "valid_to")
    list_filter = ("role", "territory")
    search_fields = ("payee__code", "payee__name", "territory__code")
    autocomplete_fields = ("payee", "territory")
    list_select_related = ("payee", "territory")


@admin.register(PlanAssignment)
class PlanAssignmentAdmin(AuditedModelAdmin):
    list_display = ("payee", "plan_code", "valid_from", "valid_to")
    list_filter = ("plan_code",)
    search_fields = ("payee__code", "payee__name", "plan_code")
    autocomplete_fields = ("payee",)
    list_select_related = ("payee",)


@admin.register(Distributor)
class DistributorAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "country", "currency", "email", "is_active")
    list_filter = ("country", "currency", "is_active")
    search_fields = ("code", "name", "email")


class BillingContactInline(AuditedTabularInline):
    model = BillingContact


@admin.register(Customer)
class CustomerAdmin(AuditedModelAdmin):
    list_display = (
        "code",
        "name",
        "parent",
        "segment",
        "country",
        "currency",
        "payment_terms_days",
        "credit_limit",
        "territory",
        "sales_rep",
        "collector",
        "is_key_account",
        "is_active",
    )
    list_filter = ("segment", "country", "currency", "is_key_account", "is_active", "territory")
    search_fields = ("code", "name", "parent__code", "portal_name")
    autocomplete_fields = ("parent", "territory", "sales_rep", "collector")
    list_select_related = ("parent", "territory", "sales_rep", "collector")
    inlines = (BillingContactInline,)


@admin.register(BillingContact)
class BillingContactAdmin(AuditedModelAdmin):
    list_display = ("name", "email", "phone", "title", "customer", "is_primary")
    list_filter = ("is_primary",)
    search_fields = ("name", "email", "customer__code", "customer__name")
    autocomplete_fields = ("customer",)
    list_select_related = ("customer",)


@admin.register(CustomerBankAccount)
class CustomerBankAccountAdmin(AuditedModelAdmin):
    list_display = ("account", "customer", "source", "confirmed_by")
    list_filter = ("source",)
    search_fields = ("account", "customer__code", "customer__name")
    autocomplete_fields = ("customer",)
    list_select_related = ("customer", "confirmed_by")


@admin.register(UserProfile)
class UserProfileAdmin(AuditedModelAdmin):
    list_display = ("user", "distributor", "team_lead")
    list_filter = ("distributor",)
    search_fields = ("user__username", "user__email", "team_lead__username")
    autocomplete_fields = ("user", "distributor", "team_lead")
    list_select_related = ("user", "distributor", "team_lead")
