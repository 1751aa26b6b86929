from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "revdesk.catalog"
    label = "catalog"
    verbose_name = "Catalogue"

    def ready(self) -> None:
        from . import scoping  # noqa: F401 - catalogue data is readable by every signed-in person
