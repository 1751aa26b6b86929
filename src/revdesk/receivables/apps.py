from django.apps import AppConfig


class ReceivablesConfig(AppConfig):
    name = "revdesk.receivables"
    label = "receivables"
    verbose_name = "Receivables"

    def ready(self) -> None:
        from . import scoping  # noqa: F401 - registers the visibility rules
