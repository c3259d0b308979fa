"""A mail backend whose server refuses connections, as a real SMTP outage would."""

from __future__ import annotations

from smtplib import SMTPRecipientsRefused

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class FailingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("SMTP server unreachable")


class RefusesBounces(LocmemBackend):
    """Delivers like locmem, but the server refuses any address containing "bounce"."""

    def send_messages(self, email_messages):
        for message in email_messages:
            refused = [to for to in message.to if "bounce" in to]
            if refused:
                raise SMTPRecipientsRefused({to: (550, b"No such user") for to in refused})
        return super().send_messages(email_messages)
