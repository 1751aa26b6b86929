from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "revdesk.quality"
    label = "quality"
    verbose_name = "Quality review"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import sources  # noqa: F401  (registers the shipped sources of work)
        from .services import checklists_sync_after_migrate

        post_migrate.connect(checklists_sync_after_migrate, sender=self)
