from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _templates_sync(sender, **kwargs) -> None:
    """The shipped mail templates of the desk (statement, dunning letters), added when
    missing, and the default dunning strategies when there is none."""
    from revdesk.cases.mail import mail_templates_ensure
    from revdesk.cases.models import MailTemplate

    from .dunning import defaults_sync
    from .statements import DEFAULT_TEMPLATES

    mail_templates_ensure(DEFAULT_TEMPLATES, MailTemplate.Use.STATEMENT)
    defaults_sync()


class ReceivablesConfig(AppConfig):
    name = "revdesk.receivables"
    label = "receivables"
    verbose_name = "Receivables"

    def ready(self) -> None:
        from revdesk.cases.triage import number_resolver, reference_finder_register

        from . import scoping  # noqa: F401 - registers the visibility rules
        from .models import Invoice

        post_migrate.connect(_templates_sync, sender=self)
        # what a resolved dispute, short payment or deduction does to its invoice
        from .disputes import hooks_register

        hooks_register()
        # a remittance advice e-mail read into lines and applied to its receipt
        from .remittance_mail import hooks_register as remittance_hooks_register

        remittance_hooks_register()

        # Invoice numbers named in e-mail to a team inbox are linked to the new case.
        reference_finder_register(
            "invoice", r"(?<![\w-])INV[-# ]?\d{1,10}(?!\w)", number_resolver(Invoice)
        )
