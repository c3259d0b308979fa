from django.urls import path

from . import views

app_name = "checkout"

urlpatterns = [
    path("", views.start, name="start"),
    path("coupon/", views.coupon_apply, name="coupon_apply"),
    path("coupon/remove/", views.coupon_remove, name="coupon_remove"),
    path("place/", views.place, name="place"),
    path("webhooks/payments/", views.payment_webhook, name="payment_webhook"),
    path("orders/", views.order_history, name="orders"),
    path("orders/<str:number>/", views.order_detail, name="order"),
    path("<str:name>/", views.step, name="step"),
]
