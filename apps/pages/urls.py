"""The catch-all: included last in shop/urls.py, so every real route wins over a CMS page."""

from django.urls import path

from . import views

app_name = "pages"

urlpatterns = [
    path("<path:slug>/", views.page_detail, name="detail"),
]
