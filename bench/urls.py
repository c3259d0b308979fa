"""The shop's URLs plus the floor view, mounted first so the catch-all never sees it."""

from django.http import HttpResponse
from django.urls import include, path


def floor(request):
    return HttpResponse("hello world", content_type="text/plain")


urlpatterns = [path("__bench__/floor", floor), path("", include("shop.urls"))]
