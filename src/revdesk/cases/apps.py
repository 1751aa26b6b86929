from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "revdesk.cases"
    label = "cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import scoping  # noqa: F401  (registers the scope rules)
        from .registry import case_types_sync_after_migrate

        post_migrate.connect(case_types_sync_after_migrate, sender=self)
