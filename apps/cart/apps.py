from django.apps import AppConfig


class CartConfig(AppConfig):
    name = "apps.cart"
    label = "cart"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from apps.core.pagecache import hole

        from .context_processors import badge_count
        from .signals import merge_cart_on_login

        # Cached anonymous pages show each visitor's own cart count.
        hole("cart_badge_count")(badge_count)

        user_logged_in.connect(merge_cart_on_login, dispatch_uid="cart-merge-on-login")
