from django.apps import AppConfig


class PartiesConfig(AppConfig):
    name = "revdesk.parties"
    label = "parties"
    verbose_name = "Parties"

    def ready(self) -> None:
        from . import scoping  # noqa: F401 - registers the visibility rules
