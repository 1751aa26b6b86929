from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "revdesk.orders"
    label = "orders"
    verbose_name = "Orders"

    def ready(self) -> None:
        from . import scoping  # noqa: F401 - registers the visibility rules
