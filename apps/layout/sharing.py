"""Signed preview links: a read-only snapshot of one marketer's draft for people without an account.

The address carries a random token signed with the secret key (a tampered address is refused
before any query). The link row holds a snapshot of the draft's block states, so what a client
reviews does not change while the marketer keeps editing, until they refresh the link. Only the
draft's owner can make, refresh or revoke links to it: every function here takes the acting user
and looks links up by (owner, page).
"""

from __future__ import annotations

import secrets
from dataclasses import asdict
from datetime import timedelta

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from . import selectors
from .models import PreviewLink
from .selectors import BlockState

SALT = "layout.preview-link"
MIN_HOURS, MAX_HOURS = 1, 7 * 24
DURATIONS = ((1, "1 hour"), (8, "8 hours"), (24, "1 day"), (72, "3 days"), (168, "7 days"))


class LinkRefused(Exception):
    """Why a preview address shows nothing: 404 (never valid) or 410 (expired, revoked)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def parse_hours(raw: object) -> int:
    try:
        hours = int(str(raw).strip())
    except ValueError:
        raise ValidationError("Choose how long the link stays valid, in hours.") from None
    if not MIN_HOURS <= hours <= MAX_HOURS:
        raise ValidationError("A preview link lasts from 1 hour to 7 days.")
    return hours


def _snapshot(user, page: str) -> list[dict]:
    draft, states = selectors.preview_states(user, page)
    if draft is None or not draft.changes.all():
        raise ValidationError("Your draft has no changes to share yet.")
    return [asdict(state) for state in states]


def create_link(user, page: str, hours: int) -> PreviewLink:
    now = timezone.now()
    return PreviewLink.objects.create(
        owner=user,
        page=page,
        token=secrets.token_urlsafe(24),
        snapshot=_snapshot(user, page),
        refreshed_at=now,
        expires_at=now + timedelta(hours=parse_hours(hours)),
    )


def _own_live_link(user, page: str, pk: int) -> PreviewLink:
    link = (
        PreviewLink.objects.select_for_update()
        .filter(owner=user, page=page, pk=pk, revoked_at=None)
        .first()
    )
    if link is None:
        raise Http404("No such preview link of yours.")
    return link


@transaction.atomic
def refresh_link(user, page: str, pk: int) -> PreviewLink:
    """Show the draft as it is now through the same address."""
    link = _own_live_link(user, page, pk)
    if link.expires_at <= timezone.now():
        raise ValidationError("This link has expired: make a new one.")
    link.snapshot = _snapshot(user, page)
    link.refreshed_at = timezone.now()
    link.save(update_fields=["snapshot", "refreshed_at"])
    return link


@transaction.atomic
def revoke_link(user, page: str, pk: int) -> PreviewLink:
    link = _own_live_link(user, page, pk)
    link.revoked_at = timezone.now()
    link.save(update_fields=["revoked_at"])
    return link


def links_of(user, page: str) -> list[PreviewLink]:
    return list(PreviewLink.objects.filter(owner=user, page=page)[:20])


def address(link: PreviewLink) -> str:
    """The signed value that goes into the link's URL."""
    return signing.Signer(salt=SALT).sign(link.token)


def open_link(value: str) -> PreviewLink:
    """The link behind a signed address, or LinkRefused: never a fallback to the live page."""
    try:
        token = signing.Signer(salt=SALT).unsign(value)
    except signing.BadSignature:
        raise LinkRefused(404, "This preview link is not valid.") from None
    link = PreviewLink.objects.select_related("owner").filter(token=token).first()
    if link is None:
        raise LinkRefused(404, "This preview link is not valid.")
    if link.revoked_at is not None:
        raise LinkRefused(410, "This preview link was withdrawn by the person who shared it.")
    if link.expires_at <= timezone.now():
        raise LinkRefused(410, f"This preview link expired on {link.expires_at:%Y-%m-%d %H:%M}.")
    if not (link.owner.is_active and link.owner.is_staff):
        raise LinkRefused(410, "This preview link is no longer valid.")
    return link


def link_states(link: PreviewLink) -> list[BlockState]:
    return [BlockState(**row) for row in link.snapshot]
