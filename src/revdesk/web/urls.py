from django.urls import path

from . import case_views, commission_document_views, import_views, quality_views, views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("customers/", views.CustomerListView.as_view(), name="customer_list"),
    path("customers/<int:pk>/", views.customer_detail, name="customer_detail"),
    path("customers/<int:pk>/edit/", views.customer_edit, name="customer_edit"),
    path("payees/", views.PayeeListView.as_view(), name="payee_list"),
    path("payees/<int:pk>/", views.payee_detail, name="payee_detail"),
    path("distributors/", views.DistributorListView.as_view(), name="distributor_list"),
    path("distributors/<int:pk>/", views.distributor_detail, name="distributor_detail"),
    path("products/", views.ProductListView.as_view(), name="product_list"),
    path("products/<int:pk>/", views.product_detail, name="product_detail"),
    path("orders/", views.OrderListView.as_view(), name="order_list"),
    path("orders/<int:pk>/", views.order_detail, name="order_detail"),
    path("invoices/", views.InvoiceListView.as_view(), name="invoice_list"),
    path("invoices/<int:pk>/", views.invoice_detail, name="invoice_detail"),
    path("payments/", views.PaymentListView.as_view(), name="payment_list"),
    path("payments/<int:pk>/", views.payment_detail, name="payment_detail"),
    path("imports/", views.ImportRunListView.as_view(), name="import_list"),
    path("imports/upload/", import_views.import_upload, name="import_upload"),
    path("imports/columns/", import_views.import_columns, name="import_columns"),
    path("imports/export/<str:kind>.xlsx", import_views.import_export, name="import_export"),
    path("imports/<int:pk>/", import_views.import_detail, name="import_detail"),
    path("imports/<int:pk>/status/", import_views.import_status, name="import_status"),
    path("imports/<int:pk>/report.csv", import_views.import_report, name="import_report"),
    path("changes/", views.ChangeRecordListView.as_view(), name="change_list"),
    path("quality/", quality_views.quality_home, name="quality_home"),
    path("quality/report/", quality_views.quality_report, name="quality_report"),
    path("quality/<int:pk>/", quality_views.quality_review, name="quality_review"),
    path("cases/", case_views.CaseQueueView.as_view(), name="case_queue"),
    path("cases/mine/", case_views.MyCasesView.as_view(), name="case_mine"),
    path("cases/new/", case_views.case_new, name="case_new"),
    path("cases/assign/", case_views.case_bulk_assign, name="case_bulk_assign"),
    path("cases/views/", case_views.case_view_save, name="case_view_save"),
    path("cases/views/<int:pk>/delete/", case_views.case_view_delete, name="case_view_delete"),
    path("cases/sla/", case_views.case_sla, name="case_sla"),
    path("cases/notifications/", case_views.case_notifications, name="case_notifications"),
    path(
        "cases/notifications/<int:pk>/",
        case_views.case_notification_open,
        name="case_notification_open",
    ),
    path(
        "cases/types/<slug:code>/instruction/",
        case_views.case_instruction,
        name="case_instruction",
    ),
    path("cases/<str:number>/", case_views.case_detail, name="case_detail"),
    path(
        "cases/<str:number>/attachments/<int:pk>/",
        case_views.case_attachment,
        name="case_attachment",
    ),
    path(
        "commissions/runs/<int:pk>/statements/<str:code>.<str:fmt>",
        commission_document_views.commission_statement,
        name="commission_statement",
    ),
    path(
        "commissions/runs/<int:pk>/payroll.<str:fmt>",
        commission_document_views.commission_payroll,
        name="commission_payroll",
    ),
    path(
        "commissions/runs/<int:pk>/reconciliation/",
        commission_document_views.commission_reconciliation,
        name="commission_reconciliation",
    ),
    path(
        "commissions/runs/<int:pk>/reconciliation/paid/",
        commission_document_views.commission_paid_import,
        name="commission_paid_import",
    ),
    path(
        "commissions/runs/<int:pk>/reconciliation/cases/",
        commission_document_views.commission_variance_cases,
        name="commission_variance_cases",
    ),
]
