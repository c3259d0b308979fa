from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from apps.core.htmx import safe_next

from . import services
from .forms import LoginForm, SignUpForm


class SafeNextMixin:
    """Follow `next` only through core's safe_next (a bare word would be tried as a URL name)."""

    def get_redirect_url(self) -> str:
        return safe_next(self.request, "")


class LoginView(SafeNextMixin, auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    # FormView would treat PUT as POST, and the signed-in redirect ran before any method check.
    http_method_names = ["get", "post", "head", "options"]

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method.lower() not in self.http_method_names:
            return self.http_method_not_allowed(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)


class LogoutView(SafeNextMixin, auth_views.LogoutView):
    pass


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.sign_up(form)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome, {user.first_name}! Your account is ready.")
        return HttpResponseRedirect(safe_next(request, reverse("home")))
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(
        request,
        "accounts/signup.html",
        {"form": form, "next": safe_next(request, "")},
        status=status,
    )
