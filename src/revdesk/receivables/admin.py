"""The ledger in the admin: every save and delete goes through receivables.services, which
checks the ledger rules with the rows locked, writes the change log and refreshes the affected
invoices' balances. Balance and status are derived, so read-only here."""

from django.contrib import admin

from revdesk.foundation.admin import AuditedModelAdmin, AuditedTabularInline, RecordAdmin

from . import services
from .models import (
    ApplicationReversal,
    BankFile,
    CashSuggestion,
    CreditMemo,
    DunningLevel,
    DunningState,
    DunningStrategy,
    Invoice,
    Payment,
    PaymentApplication,
    RemittanceLine,
)


class LedgerAdmin(AuditedModelAdmin):
    """Saves and deletes through the service named by `save_service` / `delete_service`."""

    save_service: str
    delete_service: str
    instance_name: str

    def save_model(self, request, obj, form, change):
        getattr(services, self.save_service)(**{self.instance_name: obj}, actor=request.user)

    def delete_model(self, request, obj):
        getattr(services, self.delete_service)(**{self.instance_name: obj}, actor=request.user)


@admin.register(Invoice)
class InvoiceAdmin(LedgerAdmin):
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
    readonly_fields = ("balance", "status", "instalments")
    save_service, delete_service, instance_name = "invoice_save", "invoice_delete", "invoice"

    @admin.display(description="Instalments")
    def instalments(self, invoice):
        """The schedule, as imported (`revdesk import invoice-instalments` checks it whole)."""
        schedule = [
            f"{i.sequence}: {i.amount} due {i.due_on.isoformat()}"
            for i in invoice.instalments.order_by("sequence")
        ]
        return "; ".join(schedule) or "none: due whole on the due date"


@admin.register(CreditMemo)
class CreditMemoAdmin(LedgerAdmin):
    list_display = ("number", "customer", "invoice", "issued_on", "currency", "amount", "reason")
    list_filter = ("currency",)
    search_fields = ("number", "reason", "customer__code", "customer__name", "invoice__number")
    autocomplete_fields = ("customer", "invoice")
    list_select_related = ("customer", "invoice")
    date_hierarchy = "issued_on"
    save_service, delete_service, instance_name = "credit_memo_save", "credit_memo_delete", "memo"


class PaymentApplicationInline(AuditedTabularInline):
    model = PaymentApplication
    autocomplete_fields = ("invoice",)


@admin.register(Payment)
class PaymentAdmin(LedgerAdmin):
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
    # A receipt is reversed on its page (services.payment_reverse), never by editing a date.
    # Cash application's record of where the receipt came from and where it stands.
    readonly_fields = (
        "reversed_on",
        "reversal_reason",
        "bank_file",
        "source",
        "payer_name",
        "payer_account",
        "bank_reference",
        "status",
        "status_reason",
    )
    save_service, delete_service, instance_name = "payment_save", "payment_delete", "payment"

    def save_formset(self, request, form, formset, change):
        """Each application through its service (audit, balances); deletes first."""
        formset.save(commit=False)
        for application in formset.deleted_objects:
            services.payment_application_delete(application=application, actor=request.user)
        for application in [*formset.new_objects, *(obj for obj, _ in formset.changed_objects)]:
            services.payment_application_save(application=application, actor=request.user)


@admin.register(PaymentApplication)
class PaymentApplicationAdmin(LedgerAdmin):
    list_display = ("payment", "invoice", "amount", "applied_on")
    search_fields = ("payment__number", "invoice__number")
    autocomplete_fields = ("payment", "invoice")
    list_select_related = ("payment", "invoice")
    date_hierarchy = "applied_on"
    save_service, delete_service = "payment_application_save", "payment_application_delete"
    instance_name = "application"


@admin.register(ApplicationReversal)
class ApplicationReversalAdmin(RecordAdmin):
    """Applications taken back: a record, made only by services.application_reverse and
    services.payment_reverse."""

    list_display = ("payment", "invoice", "amount", "applied_on", "reversed_on", "reason")
    search_fields = ("payment__number", "invoice__number", "reason")
    list_select_related = ("payment", "invoice")
    date_hierarchy = "reversed_on"


@admin.register(BankFile)
class BankFileAdmin(RecordAdmin):
    """Bank and remittance files read by cash application (receivables.cash)."""

    list_display = ("name", "format", "receipts", "debits_skipped", "imported_by", "created_at")
    list_filter = ("format",)
    search_fields = ("name", "fingerprint")


@admin.register(RemittanceLine)
class RemittanceLineAdmin(RecordAdmin):
    list_display = ("payment", "invoice_number", "paid", "adjustment", "adjustment_reason")
    search_fields = ("payment__number", "invoice_number")
    list_select_related = ("payment",)


@admin.register(CashSuggestion)
class CashSuggestionAdmin(RecordAdmin):
    """Decided on the cash application pages (accepted: applied; rejected), never here."""

    list_display = ("payment", "invoice", "amount", "confidence", "rule", "status")
    list_filter = ("status", "rule")
    search_fields = ("payment__number", "invoice__number")
    list_select_related = ("payment", "invoice")


class DunningLevelInline(admin.TabularInline):
    model = DunningLevel
    extra = 1
    ordering = ("order",)


@admin.register(DunningStrategy)
class DunningStrategyAdmin(AuditedModelAdmin):
    """Dunning strategies: ordered levels per customer segment (receivables.dunning)."""

    list_display = ("code", "name", "segment")
    inlines = [DunningLevelInline]


@admin.register(DunningState)
class DunningStateAdmin(admin.ModelAdmin):
    list_display = ("customer", "strategy", "level", "reached_on", "paused")
    search_fields = ("customer__code", "customer__name")
    readonly_fields = ("customer", "strategy", "level", "reached_on", "paused")
