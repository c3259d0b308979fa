"""Admin for blocks, drafts and revisions. Admin saves go live through the publish service, so
they bump the layout version (cache invalidation) and leave a restorable revision."""

from __future__ import annotations

from django.contrib import admin, messages

from . import services
from .models import Draft, DraftChange, LayoutBlock, Revision


@admin.register(LayoutBlock)
class LayoutBlockAdmin(admin.ModelAdmin):
    list_display = ["__str__", "placement", "sort_order", "type", "is_active", "rev", "updated_at"]
    list_filter = ["placement", "type", "is_active"]
    list_editable = ["sort_order", "is_active"]
    ordering = ["placement", "sort_order", "pk"]

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


@admin.register(Draft)
class DraftAdmin(admin.ModelAdmin):
    list_display = ["page", "owner", "base_version", "updated_at"]
    readonly_fields = ["owner", "page", "base_version", "created_at", "updated_at"]
    inlines = [DraftChangeInline]

    def has_add_permission(self, request) -> bool:
        return False


@admin.action(description="Restore the selected revision (publishes it as a new version)")
def restore_revision(modeladmin, request, queryset) -> None:
    if queryset.count() != 1:
        modeladmin.message_user(request, "Choose exactly one revision.", messages.ERROR)
        return
    new = services.restore(request.user, queryset.get())
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
