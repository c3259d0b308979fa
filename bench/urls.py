"""The shop's URLs plus the floor view, mounted first so the catch-all never sees it."""

from django.http import HttpResponse
from django.urls import include, path

# The shop's own error views (a bad Host header is its 400 page, not Django's default one).
from shop.urls import handler400, handler403, handler404, handler500  # noqa: F401


def floor(request):
    return HttpResponse("hello world", content_type="text/plain")


urlpatterns = [path("__bench__/floor", floor), path("", include("shop.urls"))]
