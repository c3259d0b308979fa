from django.apps import AppConfig


class WishlistConfig(AppConfig):
    name = "apps.wishlist"
    label = "wishlist"

    def ready(self) -> None:
        from . import tasks  # noqa: F401 - registers the hourly alerts job
