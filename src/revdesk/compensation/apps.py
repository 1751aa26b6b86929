from django.apps import AppConfig


class CompensationConfig(AppConfig):
    name = "revdesk.compensation"
    label = "compensation"
    verbose_name = "Commissions"

    def ready(self) -> None:
        from revdesk.foundation.scoping import scope_public

        from . import scoping  # noqa: F401  (registers the scope rules)
        from .claims import hooks_register
        from .models import CreditingPolicy

        hooks_register()

        # Crediting policies are the house's written rules: every signed-in person may read them.
        scope_public(CreditingPolicy)
