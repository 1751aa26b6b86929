from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "revdesk.orders"
    label = "orders"
    verbose_name = "Orders"

    def ready(self) -> None:
        from revdesk.cases.triage import number_resolver, reference_finder_register

        from . import scoping  # noqa: F401 - registers the visibility rules
        from .models import Order

        # Order numbers named in e-mail to a team inbox are linked to the new case.
        reference_finder_register("order", r"(?<![\w-])S?O-\d{1,10}(?!\w)", number_resolver(Order))
