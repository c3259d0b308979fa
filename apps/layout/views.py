"""Home page. The layout issue turns it into published layout blocks with draft previews."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET


@require_GET
def home(request: HttpRequest) -> TemplateResponse:
    return TemplateResponse(request, "layout/home.html", {})
