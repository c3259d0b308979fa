from django.urls import path

from . import views

app_name = "wishlist"

urlpatterns = [
    path("", views.wishlist_page, name="page"),
    path("preview/", views.preview, name="preview"),
    path("items/<int:product_id>/", views.set_item, name="set"),
    path("merge/", views.merge, name="merge"),
    path("alerts/stop/<str:token>/", views.opt_out, name="opt_out"),
]
