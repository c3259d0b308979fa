"""Admin for blocks, drafts and revisions. Admin saves go live through the publish service, so
they bump the layout version (cache invalidation) and leave a restorable revision."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from . import services
from .models import Draft, DraftChange, LayoutBlock, PreviewLink, Revision, ScheduledPublish


@admin.register(LayoutBlock)
class LayoutBlockAdmin(admin.ModelAdmin):
    list_display = ["__str__", "placement", "sort_order", "type", "is_active", "rev", "updated_at"]
    list_filter = ["placement", "type", "is_active"]
    list_editable = ["sort_order", "is_active"]
    ordering = ["placement", "sort_order", "pk"]
    search_fields = ["placement"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["help_texts"] = {
            "placement": "home:hero, home:main or home:sidebar; on CMS page 5, page-5:top "
            "(above its text) or page-5:bottom (below it).",
            "content": "JSON, checked against the block type's fields when you save.",
        }
        return super().get_form(request, obj, change=change, **kwargs)

    def save_model(self, request, obj, form, change) -> None:
        services.publish_direct(request.user, obj)

    def delete_model(self, request, obj) -> None:
        services.publish_direct(request.user, obj, delete=True)

    def delete_queryset(self, request, queryset) -> None:
        for block in queryset.order_by("pk"):
            services.publish_direct(request.user, block, delete=True)


class DraftChangeInline(admin.TabularInline):
    model = DraftChange
    extra = 0
    readonly_fields = ["op", "block_id", "base_rev", "data", "created_at"]
    can_delete = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.action(description="Publish the selected drafts (your own only)")
def publish_drafts(modeladmin, request, queryset) -> None:
    if not request.user.has_perm("layout.change_layoutblock"):
        modeladmin.message_user(request, "You may not publish the layout.", messages.ERROR)
        return
    for draft in queryset.filter(owner=request.user).order_by("pk"):
        try:
            result = services.publish(request.user, draft.page)
        except services.NothingToPublish:
            modeladmin.message_user(request, f"{draft.page}: nothing to publish.", messages.INFO)
            continue
        except ValidationError as exc:
            modeladmin.message_user(
                request, f"{draft.page}: invalid block: {' '.join(exc.messages)}", messages.ERROR
            )
            continue
        if result.published:
            modeladmin.message_user(
                request,
                f"{draft.page}: published {result.change_count} change(s) as v{result.version}.",
            )
        else:
            modeladmin.message_user(
                request,
                f"{draft.page}: not published. " + " ".join(result.conflicts),
                messages.ERROR,
            )
    if queryset.exclude(owner=request.user).exists():
        modeladmin.message_user(
            request, "Other people's drafts are theirs to publish.", messages.WARNING
        )


@admin.register(Draft)
class DraftAdmin(admin.ModelAdmin):
    """Deleting a draft here is the toolbar's discard; the action is its publish."""

    list_display = ["page", "owner", "base_version", "updated_at"]
    readonly_fields = ["owner", "page", "base_version", "created_at", "updated_at"]
    inlines = [DraftChangeInline]
    actions = [publish_drafts]

    def get_queryset(self, request):
        """A draft is its owner's: other staff never see its content (superusers may clean up)."""
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else queryset.filter(owner=request.user)

    def has_add_permission(self, request) -> bool:
        return False


@admin.action(description="Restore the selected revision (publishes it as a new version)")
def restore_revision(modeladmin, request, queryset) -> None:
    if queryset.count() != 1:
        modeladmin.message_user(request, "Choose exactly one revision.", messages.ERROR)
        return
    if not request.user.has_perm("layout.change_layoutblock"):
        modeladmin.message_user(request, "You may not publish the layout.", messages.ERROR)
        return
    try:
        new = services.restore(request.user, queryset.get())
    except ValidationError as exc:
        modeladmin.message_user(
            request, "Cannot restore: " + " ".join(exc.messages), messages.ERROR
        )
        return
    modeladmin.message_user(request, f"Restored as v{new.version}.")


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    list_display = ["page", "version", "note", "change_count", "author", "created_at"]
    list_filter = ["page"]
    readonly_fields = [
        "page",
        "version",
        "author",
        "created_at",
        "note",
        "change_count",
        "snapshot",
    ]
    actions = [restore_revision]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PreviewLink)
class PreviewLinkAdmin(admin.ModelAdmin):
    """Read-only: links are made by their owner from the toolbar; here staff can see them."""

    list_display = ["page", "owner", "created_at", "expires_at", "revoked_at"]
    list_filter = ["page"]
    exclude = ["token", "snapshot"]
    readonly_fields = ["page", "owner", "created_at", "refreshed_at", "expires_at", "revoked_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ScheduledPublish)
class ScheduledPublishAdmin(admin.ModelAdmin):
    list_display = ["page", "owner", "run_at", "status", "version", "finished_at"]
    list_filter = ["status", "page"]
    readonly_fields = [
        "page",
        "owner",
        "run_at",
        "status",
        "created_at",
        "finished_at",
        "message",
        "version",
        "reported",
    ]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
