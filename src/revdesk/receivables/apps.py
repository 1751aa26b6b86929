from django.apps import AppConfig


class ReceivablesConfig(AppConfig):
    name = "revdesk.receivables"
    label = "receivables"
    verbose_name = "Receivables"

    def ready(self) -> None:
        from revdesk.cases.triage import number_resolver, reference_finder_register

        from . import scoping  # noqa: F401 - registers the visibility rules
        from .models import Invoice

        # Invoice numbers named in e-mail to a team inbox are linked to the new case.
        reference_finder_register(
            "invoice", r"(?<![\w-])INV[-# ]?\d{1,10}(?!\w)", number_resolver(Invoice)
        )
