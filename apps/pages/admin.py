"""Marketers edit pages here: rich text in the prose editor, SEO fields, publish when ready."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from js_asset import InlineStyle, Media

from .layout import REGIONS, layout_key
from .models import DynamicPage


@admin.register(DynamicPage)
class DynamicPageAdmin(admin.ModelAdmin):
    list_display = ["title", "address", "is_published", "published_at", "noindex", "updated_at"]
    list_filter = ["is_published", "noindex"]
    search_fields = ["title", "slug", "seo_title"]
    date_hierarchy = "updated_at"
    readonly_fields = ["created_at", "updated_at", "layout_blocks"]
    actions = ["publish", "unpublish"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "body", "layout_blocks"]}),
        ("Publishing", {"fields": ["is_published", "published_at", "created_at", "updated_at"]}),
        (
            "Search engines and link previews",
            {"fields": ["seo_title", "meta_description", "canonical_url", "og_image", "noindex"]},
        ),
    ]

    @property
    def media(self) -> Media:
        """The editor's base CSS as a static file, plus an empty nonce-carrying
        `<style data-tiptap-style>`: Tiptap reuses that element instead of injecting its own
        inline `<style>`, which the strict CSP (no 'unsafe-inline' styles) would block."""
        return super().media + Media(
            css={
                "all": [
                    InlineStyle("", **{"data-tiptap-style": ""}),
                    "pages/prosemirror-base.css",
                ]
            }
        )

    @admin.display(description="address", ordering="slug")
    def address(self, page: DynamicPage) -> str:
        return page.get_absolute_url()

    @admin.display(description="layout blocks")
    def layout_blocks(self, page: DynamicPage) -> str:
        """Where this page's blocks go: edited on the page itself in Draft mode, or here."""
        if not page.pk:
            return "Save the page first; then add blocks above or below its text."
        key = layout_key(page)
        add = reverse("admin:layout_layoutblock_add")
        links = format_html(
            ", ".join(['<a href="{}?placement={}">add to {}</a>'] * len(REGIONS)),
            *[part for region in REGIONS for part in (add, f"{key}:{region}", region)],
        )
        listing = reverse("admin:layout_layoutblock_changelist")
        return format_html(
            'Placements {} (above the text) and {} (below it): <a href="{}?q={}">blocks</a>, {}. '
            "Or open the page and use the toolbar's Draft mode.",
            f"{key}:{REGIONS[0]}",
            f"{key}:{REGIONS[1]}",
            listing,
            f"{key}:",
            links,
        )

    @admin.action(description="Publish selected pages")
    def publish(self, request: HttpRequest, queryset: QuerySet[DynamicPage]) -> None:
        for page in queryset.filter(is_published=False):
            page.is_published = True
            page.save()
        self.message_user(request, "Published.")

    @admin.action(description="Unpublish selected pages")
    def unpublish(self, request: HttpRequest, queryset: QuerySet[DynamicPage]) -> None:
        for page in queryset.filter(is_published=True):
            page.is_published = False
            page.save(update_fields=["is_published", "updated_at"])
        self.message_user(request, "Unpublished.")
