"""Account e-mails (password reset, e-mail change): rendered in the request, sent by the worker.

The message is rendered where its context (a one-time token) exists and the task carries only
strings, so the worker needs no access to the request; links are absolute on settings.SITE_URL.
"""

from __future__ import annotations

from typing import Any

from django.core.mail import EmailMessage
from django.template.loader import render_to_string


def enqueue(subject_template: str, body_template: str, context: dict[str, Any], to: str) -> None:
    from .tasks import send_account_email

    subject = "".join(render_to_string(subject_template, context).splitlines())
    body = render_to_string(body_template, context)
    send_account_email.enqueue(subject, body, to)


def send(subject: str, body: str, to: str) -> None:
    from django.conf import settings

    EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [to]).send()
