from django.apps import AppConfig


class LayoutConfig(AppConfig):
    name = "apps.layout"
    label = "layout"

    def ready(self) -> None:
        from . import signals

        signals.connect()
