from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "apps.pages"
    label = "pages"

    def ready(self) -> None:
        from . import layout, sitemaps

        layout.connect()
        sitemaps.register()
