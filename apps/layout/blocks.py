"""Block-type registry.

Each type declares: a content form (the schema, checked on every save and again at render, with
no database access), an edit form (the same plus choices read from the catalog, used when a
marketer saves), a template partial, and what catalog data it needs as `ProductSpec`s. The
renderer gathers the specs of every block on the page and fetches them in one batch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import nh3
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.catalog import listing as catalog
from apps.catalog.listing import ProductSpec

SAFE_URL = re.compile(r"^(/(?!/)[^\s]*|https://[^\s]+)$")
RICH_TEXT_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "u",
    "a",
    "ul",
    "ol",
    "li",
    "h2",
    "h3",
    "h4",
    "blockquote",
}


def clean_url(value: str) -> str:
    if value and not SAFE_URL.match(value):
        raise ValidationError("Use a site path starting with / or an https:// address.")
    return value


def sanitize_html(value: str) -> str:
    return nh3.clean(
        value or "",
        tags=RICH_TEXT_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"https", "mailto"},
        link_rel="noopener noreferrer",
    )


@dataclass
class Built:
    """What a type's `build` returns: template context, or the reason the block cannot show."""

    context: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    warnings: list[str] = field(default_factory=list)
    hidden_reason: str = ""  # shown to marketers, the block simply hides for shoppers


class BlockType:
    name: str = ""
    label: str = ""
    form_class: type[forms.Form]
    template: str = ""
    # Shows something per viewer (a signed-in shopper's hearts on product cards): the shared
    # render is the anonymous one, and signed-in requests re-render it (see rendering).
    viewer_aware: bool = False

    def edit_form_class(self) -> type[forms.Form]:
        return self.form_class

    def initial(self, content: dict) -> dict:
        return dict(content)

    def to_content(self, cleaned: dict) -> dict:
        return {k: v for k, v in cleaned.items() if v not in (None, "")}

    def specs(self, content: dict) -> list[ProductSpec]:
        return []

    def build(self, content: dict, products: list[list], now: datetime) -> Built:
        return Built(context=dict(content))


# --- hero ---------------------------------------------------------------------------------
class HeroForm(forms.Form):
    heading = forms.CharField(max_length=120)
    text = forms.CharField(max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    image = forms.CharField(
        max_length=300, required=False, validators=[clean_url], help_text="Path or https:// URL"
    )
    cta_label = forms.CharField(max_length=60, required=False, label="Button label")
    cta_url = forms.CharField(
        max_length=300, required=False, validators=[clean_url], label="Button link"
    )

    def clean(self) -> dict:
        data = super().clean()
        if bool(data.get("cta_label")) != bool(data.get("cta_url")):
            raise ValidationError("A call to action needs both a label and a link.")
        return data


class Hero(BlockType):
    name, label, form_class, template = "hero", "Hero", HeroForm, "layout/blocks/hero.html"


# --- product grid -------------------------------------------------------------------------
class ProductGridForm(forms.Form):
    SOURCES = [
        ("category", "Category"),
        ("attribute", "Attribute value"),
        ("skus", "Hand-picked SKUs"),
    ]
    title = forms.CharField(max_length=120, required=False)
    source = forms.ChoiceField(choices=SOURCES)
    category = forms.IntegerField(required=False, min_value=1)
    attribute = forms.SlugField(required=False)
    value = forms.CharField(max_length=120, required=False)
    skus = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="One SKU per line"
    )
    limit = forms.IntegerField(min_value=1, max_value=24, initial=8)

    def clean_skus(self) -> list[str]:
        raw = self.cleaned_data.get("skus") or ""
        if isinstance(raw, list | tuple):
            raw = "\n".join(str(s) for s in raw)
        skus = [s.strip() for s in re.split(r"[\s,]+", raw) if s.strip()]
        return list(dict.fromkeys(skus))

    def clean(self) -> dict:
        data = super().clean()
        source = data.get("source")
        if source == "category" and not data.get("category"):
            self.add_error("category", "Choose a category.")
        if source == "attribute" and not (data.get("attribute") and data.get("value")):
            self.add_error("attribute", "Choose an attribute and a value.")
        if source == "skus" and not data.get("skus"):
            self.add_error("skus", "List at least one SKU.")
        return data


class ProductGridEditForm(ProductGridForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"] = forms.TypedChoiceField(
            coerce=int,
            required=False,
            empty_value=None,
            choices=[("", "—")] + catalog.category_choices(),
        )
        self.fields["attribute"] = forms.ChoiceField(
            required=False, choices=[("", "—")] + catalog.attribute_choices()
        )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("source") == "skus" and data.get("skus"):
            missing = [s for s in data["skus"] if s not in catalog.existing_skus(data["skus"])]
            if missing:
                self.add_error("skus", f"Unknown SKUs: {', '.join(missing)}.")
        return data


class ProductGrid(BlockType):
    name, label, form_class, template = (
        "product_grid",
        "Product grid",
        ProductGridForm,
        "layout/blocks/product_grid.html",
    )
    viewer_aware = True

    def edit_form_class(self) -> type[forms.Form]:
        return ProductGridEditForm

    def initial(self, content: dict) -> dict:
        return {**content, "skus": "\n".join(content.get("skus", []))}

    def to_content(self, cleaned: dict) -> dict:
        content = {
            "title": cleaned.get("title", ""),
            "source": cleaned["source"],
            "limit": cleaned["limit"],
        }
        if cleaned["source"] == "category":
            content["category"] = cleaned["category"]
        elif cleaned["source"] == "attribute":
            content.update(attribute=cleaned["attribute"], value=cleaned["value"])
        else:
            content["skus"] = cleaned["skus"]
        return content

    def specs(self, content: dict) -> list[ProductSpec]:
        source, limit = content["source"], content["limit"]
        if source == "category":
            return [ProductSpec("category", limit, category_id=content["category"])]
        if source == "attribute":
            return [
                ProductSpec(
                    "attribute", limit, attribute=content["attribute"], value=content["value"]
                )
            ]
        skus = tuple(content["skus"])
        return [ProductSpec("skus", min(limit, len(skus)), skus=skus)]

    def build(self, content: dict, products: list[list], now: datetime) -> Built:
        found = products[0]
        if not found:
            return Built(
                error="No active products match this grid (they may have been removed or archived)."
            )
        warnings = []
        if content["source"] == "skus":
            missing = [
                s for s in content["skus"][: content["limit"]] if s not in {p.sku for p in found}
            ]
            if missing:
                warnings.append(f"Not shown (no longer available): {', '.join(missing)}.")
        return Built(context={**content, "products": found}, warnings=warnings)


# --- promo banner -------------------------------------------------------------------------
class PromoBannerForm(forms.Form):
    text = forms.CharField(max_length=200)
    coupon_code = forms.RegexField(
        regex=r"^[A-Za-z0-9_-]{3,32}$",
        required=False,
        error_messages={"invalid": "3–32 letters, digits, - or _."},
    )
    starts_at = forms.DateTimeField(
        required=False, help_text="Hidden until this moment, shop time (optional)"
    )
    ends_at = forms.DateTimeField(required=False, help_text="Hidden after this moment (optional)")
    link = forms.CharField(max_length=300, required=False, validators=[clean_url])

    def clean(self) -> dict:
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and starts >= ends:
            raise ValidationError("The banner must start before it ends.")
        return data


class PromoBanner(BlockType):
    name, label, form_class, template = (
        "promo_banner",
        "Promo banner",
        PromoBannerForm,
        "layout/blocks/promo_banner.html",
    )

    def to_content(self, cleaned: dict) -> dict:
        content = super().to_content(cleaned)
        if cleaned.get("coupon_code"):
            content["coupon_code"] = cleaned["coupon_code"].upper()
        for moment in ("starts_at", "ends_at"):
            if cleaned.get(moment):
                content[moment] = cleaned[moment].isoformat()
            else:
                content.pop(moment, None)
        return content

    def build(self, content: dict, products: list[list], now: datetime) -> Built:
        hidden = banner_hidden_reason(content, now)
        if hidden:
            return Built(hidden_reason=hidden)
        return Built(context=dict(content))


def banner_hidden_reason(content: dict, now: datetime) -> str:
    """Why a promo banner is not shown at `now` (before its start, after its end), or ""."""
    starts_at, ends_at = starts_at_of(content), ends_at_of(content)
    if starts_at and starts_at > now:
        local = timezone.localtime(starts_at)
        return f"Banner starts on {local:%Y-%m-%d %H:%M %Z} and is hidden until then."
    if ends_at and ends_at <= now:
        return f"Banner ended on {ends_at:%Y-%m-%d %H:%M} UTC and is hidden."
    return ""


def starts_at_of(content: dict) -> datetime | None:
    return _moment(content, "starts_at")


def ends_at_of(content: dict) -> datetime | None:
    return _moment(content, "ends_at")


def _moment(content: dict, name: str) -> datetime | None:
    """The banner's start or end, or None (also for malformed content: validation reports it)."""
    raw = content.get(name) if isinstance(content, dict) else None
    try:
        value = datetime.fromisoformat(raw) if isinstance(raw, str) and raw else None
    except ValueError:
        value = None
    if value is None:
        return None
    return value if timezone.is_aware(value) else timezone.make_aware(value, timezone.UTC)


# --- rich text ----------------------------------------------------------------------------
class RichTextForm(forms.Form):
    title = forms.CharField(max_length=120, required=False)
    html = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}), max_length=20000, label="Text (HTML)"
    )

    def clean_html(self) -> str:
        cleaned = sanitize_html(self.cleaned_data["html"])
        if not cleaned.strip():
            raise ValidationError("The text is empty once unsafe markup is removed.")
        return cleaned


class RichText(BlockType):
    name, label, form_class, template = (
        "rich_text",
        "Rich text",
        RichTextForm,
        "layout/blocks/rich_text.html",
    )

    def build(self, content: dict, products: list[list], now: datetime) -> Built:
        # Sanitised again at render: rows written around the form (SQL, fixtures) are not trusted.
        return Built(context={**content, "html": sanitize_html(content["html"])})


# --- category tiles -----------------------------------------------------------------------
class CategoryTilesForm(forms.Form):
    title = forms.CharField(max_length=120, required=False)
    categories = forms.JSONField(help_text="Category ids")

    def clean_categories(self) -> list[int]:
        value = self.cleaned_data["categories"]
        if not isinstance(value, list) or not value or len(value) > 12:
            raise ValidationError("Choose between 1 and 12 categories.")
        if not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value):
            raise ValidationError("Categories must be category ids.")
        return list(dict.fromkeys(value))


class CategoryTilesEditForm(forms.Form):
    title = forms.CharField(max_length=120, required=False)
    categories = forms.TypedMultipleChoiceField(coerce=int, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["categories"].choices = catalog.category_choices()

    def clean_categories(self) -> list[int]:
        value = self.cleaned_data["categories"]
        if len(value) > 12:
            raise ValidationError("Choose at most 12 categories.")
        return value


class CategoryTiles(BlockType):
    name, label, form_class, template = (
        "category_tiles",
        "Category tiles",
        CategoryTilesForm,
        "layout/blocks/category_tiles.html",
    )

    def edit_form_class(self) -> type[forms.Form]:
        return CategoryTilesEditForm

    def specs(self, content: dict) -> list[ProductSpec]:
        # One representative product per category: its image illustrates the tile.
        return [ProductSpec("category", 1, category_id=cid) for cid in content["categories"]]

    def build(self, content: dict, products: list[list], now: datetime) -> Built:
        tiles = [found[0] for found in products if found]
        if not tiles:
            return Built(error="None of the chosen categories has active products.")
        warnings = []
        if len(tiles) < len(content["categories"]):
            warnings.append(
                f"{len(content['categories']) - len(tiles)} tile(s) hidden: "
                "category empty or inactive."
            )
        return Built(context={**content, "tiles": tiles}, warnings=warnings)


REGISTRY: dict[str, BlockType] = {
    t.name: t for t in (Hero(), ProductGrid(), PromoBanner(), RichText(), CategoryTiles())
}
TYPE_CHOICES = [(t.name, t.label) for t in REGISTRY.values()]


def get_type(name: str) -> BlockType:
    try:
        return REGISTRY[name]
    except KeyError:
        raise ValidationError(f"Unknown block type “{name}”.") from None


def form_errors_text(form: forms.Form) -> str:
    parts = []
    for name, errors in form.errors.items():
        label = "" if name == "__all__" else f"{form[name].label}: "
        parts.append(label + " ".join(errors))
    return "; ".join(parts)


def content_to_form_data(block_type: BlockType, content: dict) -> dict:
    data = block_type.initial(content if isinstance(content, dict) else {})
    if isinstance(block_type, CategoryTiles):
        import json

        data["categories"] = (
            json.dumps(content.get("categories")) if isinstance(content, dict) else ""
        )
    return data


def validate_block(type_name: str, content: Any) -> dict:
    """Schema check without the database; returns normalised content or raises ValidationError."""
    block_type = get_type(type_name)
    if not isinstance(content, dict):
        raise ValidationError("Content must be an object.")
    form = block_type.form_class(data=content_to_form_data(block_type, content))
    if not form.is_valid():
        raise ValidationError(form_errors_text(form))
    return block_type.to_content(form.cleaned_data)
