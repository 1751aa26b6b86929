from django.contrib import admin

from revdesk.foundation.admin import AuditedModelAdmin, AuditedTabularInline

from .models import Order, OrderLine


class OrderLineInline(AuditedTabularInline):
    model = OrderLine
    autocomplete_fields = ("product",)


@admin.register(Order)
class OrderAdmin(AuditedModelAdmin):
    list_display = (
        "number",
        "booked_on",
        "customer",
        "order_type",
        "channel",
        "distributor",
        "sales_rep",
        "status",
        "currency",
        "po_number",
    )
    list_filter = ("status", "order_type", "channel", "currency")
    search_fields = ("number", "po_number", "customer__code", "customer__name")
    autocomplete_fields = ("customer", "distributor", "sales_rep")
    list_select_related = ("customer", "distributor", "sales_rep")
    date_hierarchy = "booked_on"
    inlines = (OrderLineInline,)


@admin.register(OrderLine)
class OrderLineAdmin(AuditedModelAdmin):
    list_display = (
        "order",
        "line_number",
        "product",
        "quantity",
        "unit_price",
        "amount",
        "term_months",
    )
    list_filter = ("product__product_line",)
    search_fields = ("order__number", "product__sku")
    autocomplete_fields = ("order", "product")
    list_select_related = ("order", "product")
