"""A mail backend whose server refuses connections, as a real SMTP outage would."""

from __future__ import annotations

from django.core.mail.backends.base import BaseEmailBackend


class FailingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("SMTP server unreachable")
