"""Layout: published blocks, per-page versions, per-user drafts (changesets) and revisions.

A draft belongs to a user, not a session (session keys rotate at login), and holds one change
per block so a preview is the published rows with the changes applied, never the draft alone.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

placement_validator = RegexValidator(
    r"^[a-z0-9-]+:[a-z0-9-]+$", "A placement looks like 'home:main' (page:region)."
)


def page_of(placement: str) -> str:
    return placement.split(":", 1)[0]


class LayoutBlock(models.Model):
    placement = models.CharField(max_length=80, validators=[placement_validator])
    sort_order = models.IntegerField(default=0)
    is_active = models.BooleanField(default=True)
    type = models.CharField(max_length=40)
    content = models.JSONField(default=dict, blank=True)
    # Bumped on every published change: a draft change remembers the rev it was based on.
    rev = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["placement", "sort_order", "pk"]
        indexes = [models.Index(fields=["placement", "sort_order"], name="layoutblock_place_order")]

    def __str__(self) -> str:
        return f"{self.placement} #{self.pk} ({self.type})"

    def save(self, *args, **kwargs) -> None:
        """Content is validated on every save, whoever saves (admin, services, shell)."""
        from .blocks import validate_block

        placement_validator(self.placement)
        self.content = validate_block(self.type, self.content)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        from .blocks import validate_block

        validate_block(self.type, self.content)

    @property
    def page(self) -> str:
        return page_of(self.placement)


class LayoutPage(models.Model):
    """One row per page: its layout version, bumped (under a row lock) by every publish."""

    key = models.CharField(max_length=60, unique=True)
    version = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key} v{self.version}"


class Draft(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="layout_drafts", on_delete=models.CASCADE
    )
    page = models.CharField(max_length=60)
    base_version = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "page"], name="layout_one_draft_per_user_page")
        ]

    def __str__(self) -> str:
        return f"Draft of {self.page} by {self.owner} (base v{self.base_version})"


class DraftChange(models.Model):
    class Op(models.TextChoices):
        INSERT = "insert", "Insert"
        UPDATE = "update", "Update"
        DELETE = "delete", "Delete"

    draft = models.ForeignKey(Draft, related_name="changes", on_delete=models.CASCADE)
    op = models.CharField(max_length=10, choices=Op.choices)
    # The published block this change applies to (plain id: the block may vanish meanwhile).
    block_id = models.PositiveBigIntegerField(null=True, blank=True)
    base_rev = models.PositiveIntegerField(null=True, blank=True)
    # update: only the changed fields; insert: every field.
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["draft", "block_id"],
                condition=Q(block_id__isnull=False),
                name="layout_one_change_per_block",
            ),
            models.CheckConstraint(
                condition=Q(op="insert", block_id__isnull=True)
                | (~Q(op="insert") & Q(block_id__isnull=False)),
                name="layout_change_target_matches_op",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.op} {self.block_id or 'new'}"


class Revision(models.Model):
    page = models.CharField(max_length=60)
    version = models.PositiveIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=200, blank=True)
    change_count = models.PositiveIntegerField(default=0)
    # Every block of the page after this publish:
    # [{id, placement, sort_order, is_active, type, content}].
    snapshot = models.JSONField(default=list)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["page", "version"], name="layout_revision_unique_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.page} v{self.version}"


class PreviewLink(models.Model):
    """A read-only link to a snapshot of one marketer's draft, for people without an account.

    The snapshot (the draft's block states when the link was made or last refreshed) is what the
    link shows, so later edits do not change what a client is reviewing.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="layout_preview_links", on_delete=models.CASCADE
    )
    page = models.CharField(max_length=60)
    token = models.CharField(max_length=64, unique=True)
    snapshot = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    refreshed_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["owner", "page"], name="layout_previewlink_owner_page")]

    def __str__(self) -> str:
        return f"Preview of {self.page} by {self.owner} until {self.expires_at:%Y-%m-%d %H:%M}"


class ScheduledPublish(models.Model):
    """'Publish at…': the owner's draft of a page goes live at `run_at`, on the task worker."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        PUBLISHED = "published", "Published"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="layout_schedules", on_delete=models.CASCADE
    )
    page = models.CharField(max_length=60)
    run_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    message = models.TextField(blank=True)
    version = models.PositiveIntegerField(null=True, blank=True)
    # A failure is shown to the owner once, on their next visit to the page.
    reported = models.BooleanField(default=False)

    class Meta:
        ordering = ["run_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "page"],
                condition=Q(status="pending"),
                name="layout_one_pending_schedule_per_draft",
            )
        ]
        indexes = [models.Index(fields=["status", "run_at"], name="layout_schedule_due")]

    def __str__(self) -> str:
        return f"{self.page} by {self.owner} at {self.run_at:%Y-%m-%d %H:%M} ({self.status})"
