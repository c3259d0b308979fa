from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("catalog/", views.catalog, name="list"),
    path("catalog/<path:path>/", views.catalog, name="category"),
    path("products/<slug:slug>/", views.product_detail, name="product"),
    path("search/suggest/", views.search_suggestions, name="suggest"),
]
