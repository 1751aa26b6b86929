from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "revdesk.ingest"
    label = "ingest"
    verbose_name = "Ingest"
