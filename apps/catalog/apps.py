from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "apps.catalog"
    label = "catalog"

    def ready(self) -> None:
        from . import signals, sitemaps

        signals.connect()
        sitemaps.register()
