"""Accounts' background work: its e-mails, retried like the checkout's (apps.core.tasks)."""

from __future__ import annotations

from django.tasks import task

from apps.core.tasks import retried


@task
def send_account_email(subject: str, body: str, to: str) -> str:
    from . import emails

    emails.send(subject, body, to)
    return f"account e-mail to {to.split('@')[-1]}"


retried(send_account_email, attempts=5)
