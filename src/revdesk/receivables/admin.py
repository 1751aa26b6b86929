from django.contrib import admin

from revdesk.foundation.admin import AuditedModelAdmin, AuditedTabularInline

from .models import CreditMemo, Invoice, Payment, PaymentApplication


@admin.register(Invoice)
class InvoiceAdmin(AuditedModelAdmin):
    """Balances are kept by receivables.services; edit payments and credits, not the balance."""

    list_display = (
        "number",
        "customer",
        "issued_on",
        "due_on",
        "currency",
        "amount",
        "balance",
        "status",
        "po_number",
    )
    list_filter = ("status", "currency")
    search_fields = ("number", "po_number", "customer__code", "customer__name", "order__number")
    autocomplete_fields = ("customer", "order")
    list_select_related = ("customer",)
    date_hierarchy = "due_on"
    readonly_fields = ("balance",)


@admin.register(CreditMemo)
class CreditMemoAdmin(AuditedModelAdmin):
    list_display = ("number", "customer", "invoice", "issued_on", "currency", "amount", "reason")
    list_filter = ("currency",)
    search_fields = ("number", "reason", "customer__code", "customer__name", "invoice__number")
    autocomplete_fields = ("customer", "invoice")
    list_select_related = ("customer", "invoice")
    date_hierarchy = "issued_on"


class PaymentApplicationInline(AuditedTabularInline):
    model = PaymentApplication
    autocomplete_fields = ("invoice",)


@admin.register(Payment)
class PaymentAdmin(AuditedModelAdmin):
    list_display = (
        "number",
        "received_on",
        "customer",
        "method",
        "currency",
        "amount",
        "reference",
    )
    list_filter = ("method", "currency")
    search_fields = ("number", "reference", "customer__code", "customer__name")
    autocomplete_fields = ("customer",)
    list_select_related = ("customer",)
    date_hierarchy = "received_on"
    inlines = (PaymentApplicationInline,)


@admin.register(PaymentApplication)
class PaymentApplicationAdmin(AuditedModelAdmin):
    list_display = ("payment", "invoice", "amount", "applied_on")
    search_fields = ("payment__number", "invoice__number")
    autocomplete_fields = ("payment", "invoice")
    list_select_related = ("payment", "invoice")
    date_hierarchy = "applied_on"
