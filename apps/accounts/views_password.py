"""Password reset (Django's views and tokens), password change and e-mail change.

The reset request answers the same whether or not an account has the address (a redirect to one
"check your inbox" page), so it tells nobody who has an account; it is rate-limited per address
and per IP (apps.accounts.ratelimit) whatever the address, for the same reason.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse, reverse_lazy
from django.views.decorators.http import require_http_methods

from . import ratelimit, services
from .forms import EmailChangeForm, ThrottledPasswordResetForm

BACKEND = "django.contrib.auth.backends.ModelBackend"
# (attempts, seconds) per e-mail address and per client IP for resets, per account for e-mail
# changes; override any of them with settings.PASSWORD_RESET_LIMITS.
RESET_LIMITS = {"email": (3, 3600), "ip": (20, 3600), "email_change": (5, 3600)}


def _limits() -> dict[str, tuple[int, int]]:
    return {**RESET_LIMITS, **getattr(settings, "PASSWORD_RESET_LIMITS", {})}


class _FormStatusMixin:
    """A form posted with errors is re-rendered with them and a 400; PUT is not a POST."""

    http_method_names = ["get", "post", "head", "options"]

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class PasswordResetView(_FormStatusMixin, auth_views.PasswordResetView):
    form_class = ThrottledPasswordResetForm
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        limits = _limits()
        by_email = ratelimit.hit(
            "reset-email",
            form.cleaned_data["email"],
            limit=limits["email"][0],
            window=limits["email"][1],
        )
        by_ip = ratelimit.hit(
            "reset-ip",
            ratelimit.client_ip(self.request),
            limit=limits["ip"][0],
            window=limits["ip"][1],
        )
        if not (by_email and by_ip):
            form.add_error(None, "Too many reset requests. Please wait an hour and try again.")
            response = self.render_to_response(self.get_context_data(form=form))
            response.status_code = 429
            return response
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(_FormStatusMixin, auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:account")
    post_reset_login = True
    post_reset_login_backend = BACKEND

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method.lower() not in self.http_method_names:
            return self.http_method_not_allowed(request, *args, **kwargs)
        response = super().dispatch(request, *args, **kwargs)
        if not self.validlink and response.status_code == 200:
            # A used, expired or made-up link: the page says so, with a 4xx.
            response.status_code = 400
        return response

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "Your password was changed and you are signed in.")
        return response


class PasswordChangeView(_FormStatusMixin, auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:account")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "Your password was changed.")
        return response


@require_http_methods(["GET", "POST"])
@login_required
def email_change(request: HttpRequest) -> HttpResponse:
    form = EmailChangeForm(request.user, request.POST or None)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        limit, window = _limits()["email_change"]
        if not ratelimit.hit("email-change", str(request.user.pk), limit=limit, window=window):
            form.add_error(None, "Too many e-mail changes. Please wait an hour and try again.")
            return TemplateResponse(
                request, "accounts/email_change.html", {"form": form}, status=429
            )
        services.request_email_change(request.user, form.cleaned_data["email"])
        messages.success(
            request,
            f"We sent a confirmation link to {form.cleaned_data['email']}. Your e-mail changes "
            "when you follow it.",
        )
        return HttpResponseRedirect(reverse("accounts:account"))
    return TemplateResponse(request, "accounts/email_change.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def email_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what the link confirms (mail scanners follow links); POST confirms it."""
    try:
        if request.method == "POST":
            user = services.confirm_email_change(token)
            messages.success(request, f"Your e-mail address is now {user.email}.")
            target = "accounts:account" if request.user.is_authenticated else "home"
            return HttpResponseRedirect(reverse(target))
        _, new_email = services.email_change_target(token)
    except services.InvalidLink as invalid:
        return TemplateResponse(
            request, "accounts/email_confirm.html", {"error": str(invalid)}, status=400
        )
    return TemplateResponse(
        request, "accounts/email_confirm.html", {"new_email": new_email, "token": token}
    )
