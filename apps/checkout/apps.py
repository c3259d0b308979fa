from django.apps import AppConfig


class CheckoutConfig(AppConfig):
    name = "apps.checkout"
    label = "checkout"

    def ready(self) -> None:
        from apps.cart import discounts

        from .coupons import cart_discount

        discounts.register(cart_discount)

        from django.db.models.signals import post_migrate

        from . import tasks  # noqa: F401 - registers retry policies and periodic jobs
        from .permissions import ensure_order_staff_group

        post_migrate.connect(ensure_order_staff_group, sender=self)
