from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "apps.catalog"
    label = "catalog"

    def ready(self) -> None:
        from . import signals, sitemaps, tasks  # noqa: F401 - tasks registers the index refresh

        signals.connect()
        sitemaps.register()
