"""CMS pages: rich text at any free URL, with the metadata search engines and link previews use.

The body is sanitised by nh3 whenever it is written (the editor form field, `save()`) and again
when it is rendered (`rendered_body`), so nothing a marketer pastes or an import brings in can run
script in a shopper's browser.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator, URLValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django_prose_editor.fields import ProseEditorField

from .routing import reserved_segments
from .sanitize import EDITOR_EXTENSIONS, sanitize_html

SLUG_PATH_REGEX = r"^[a-z0-9]+(-[a-z0-9]+)*(/[a-z0-9]+(-[a-z0-9]+)*){0,4}$"

slug_path_validator = RegexValidator(
    SLUG_PATH_REGEX,
    "Use lowercase letters, digits and hyphens, with '/' between at most five parts "
    "(for example help/shipping).",
)
http_url_validator = URLValidator(schemes=["http", "https"])


def normalise_slug(value: str) -> str:
    """'/Help/Shipping/' -> 'help/shipping': what people type in the admin or front matter."""
    return (value or "").strip().strip("/").lower()


def validate_not_reserved(value: str) -> None:
    first = normalise_slug(value).split("/", 1)[0]
    if first in reserved_segments():
        raise ValidationError(
            "“%(segment)s” is used by the shop itself (/%(segment)s/…); choose another address.",
            code="reserved",
            params={"segment": first},
        )


class DynamicPageQuerySet(models.QuerySet):
    def live(self) -> DynamicPageQuerySet:
        """Published pages whose publish date has come."""
        return self.filter(is_published=True, published_at__lte=Now())


class DynamicPage(models.Model):
    slug = models.CharField(
        "address",
        max_length=200,
        unique=True,
        validators=[slug_path_validator, validate_not_reserved],
        help_text="The page lives at /address/. Nested addresses such as help/shipping work.",
    )
    title = models.CharField(max_length=200)
    body = ProseEditorField(extensions=EDITOR_EXTENSIONS, sanitize=sanitize_html, blank=True)
    seo_title = models.CharField(
        "SEO title", max_length=70, blank=True, help_text="Browser tab and search result title."
    )
    meta_description = models.CharField(
        max_length=300, blank=True, help_text="Shown under the title in search results."
    )
    canonical_url = models.CharField(
        "canonical URL",
        max_length=500,
        blank=True,
        validators=[http_url_validator],
        help_text="Only when this content lives at another address; defaults to this page.",
    )
    og_image = models.ImageField(
        "Open Graph image", upload_to="pages/og/", blank=True, help_text="Link preview image."
    )
    noindex = models.BooleanField(
        "hide from search engines", default=False, help_text="Adds robots noindex."
    )
    is_published = models.BooleanField("published", default=False)
    published_at = models.DateTimeField(
        "publish date",
        null=True,
        blank=True,
        help_text="Visible from this moment once published; set to now when left empty.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DynamicPageQuerySet.as_manager()

    class Meta:
        ordering = ["slug"]
        constraints = [
            models.CheckConstraint(
                condition=Q(slug__regex=SLUG_PATH_REGEX), name="dynamicpage_slug_path_format"
            ),
            models.CheckConstraint(
                condition=Q(is_published=False) | Q(published_at__isnull=False),
                name="dynamicpage_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (/{self.slug}/)"

    def save(self, *args, **kwargs) -> None:
        self.slug = normalise_slug(self.slug)
        self.body = sanitize_html(self.body)
        if self.is_published and self.published_at is None:
            self.published_at = timezone.now()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("pages:detail", kwargs={"slug": self.slug})

    def clean(self) -> None:
        # Before constraint validation, so "published, no date yet" passes as "published now".
        if self.is_published and self.published_at is None:
            self.published_at = timezone.now()

    def clean_fields(self, exclude=None) -> None:
        self.slug = normalise_slug(self.slug)
        super().clean_fields(exclude=exclude)

    @property
    def is_live(self) -> bool:
        return bool(self.is_published and self.published_at and self.published_at <= timezone.now())

    @property
    def rendered_body(self) -> SafeString:
        """The body, sanitised again at render time (defence in depth for rows from elsewhere)."""
        return mark_safe(sanitize_html(self.body))

    @property
    def head_title(self) -> str:
        return self.seo_title or self.title
