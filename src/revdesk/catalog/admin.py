from django.contrib import admin

from revdesk.foundation.admin import AuditedModelAdmin, AuditedTabularInline

from .models import BillingCode, FxRate, PriceList, PriceListItem, Product, ProductLine


@admin.register(ProductLine)
class ProductLineAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "kind")
    list_filter = ("kind",)
    search_fields = ("code", "name")


@admin.register(BillingCode)
class BillingCodeAdmin(AuditedModelAdmin):
    list_display = (
        "code",
        "description",
        "is_recurring",
        "revenue_account",
        "tax_category",
        "is_active",
    )
    list_filter = ("is_recurring", "is_active", "tax_category")
    search_fields = ("code", "description", "revenue_account")


@admin.register(Product)
class ProductAdmin(AuditedModelAdmin):
    list_display = (
        "sku",
        "name",
        "product_line",
        "billing_code",
        "currency",
        "unit_cost",
        "list_price",
        "is_recurring",
        "is_active",
    )
    list_filter = ("product_line", "currency", "is_recurring", "is_active")
    search_fields = ("sku", "name", "billing_code__code")
    autocomplete_fields = ("product_line", "billing_code")
    list_select_related = ("product_line", "billing_code")


class PriceListItemInline(AuditedTabularInline):
    model = PriceListItem
    autocomplete_fields = ("product",)


@admin.register(PriceList)
class PriceListAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "currency", "valid_from", "valid_to")
    list_filter = ("currency",)
    search_fields = ("code", "name")
    inlines = (PriceListItemInline,)


@admin.register(PriceListItem)
class PriceListItemAdmin(AuditedModelAdmin):
    list_display = ("price_list", "product", "unit_price")
    list_filter = ("price_list",)
    search_fields = ("product__sku", "product__name", "price_list__code")
    autocomplete_fields = ("price_list", "product")
    list_select_related = ("price_list", "product")


@admin.register(FxRate)
class FxRateAdmin(AuditedModelAdmin):
    list_display = ("currency", "quote_currency", "valid_on", "rate")
    list_filter = ("currency", "quote_currency")
    search_fields = ("currency", "quote_currency")
    date_hierarchy = "valid_on"
