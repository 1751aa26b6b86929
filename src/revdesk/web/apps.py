from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "revdesk.web"
    label = "web"
    verbose_name = "Web"
