from django.apps import AppConfig


class FoundationConfig(AppConfig):
    name = "revdesk.foundation"
    label = "foundation"
    verbose_name = "Foundation"
