"""The catalog's query string as a form: bad input becomes a message in the filter form.

Nothing a shopper types produces an error page: an unknown sort falls back to the default, a
huge `q` is cut, unknown facet slugs and values are dropped, a bad price is reported next to
the price inputs and left out of the filter.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.http import QueryDict

from . import cursor
from .cursor import Cursor
from .filters import MAX_QUERY_LENGTH, CatalogFilters
from .selectors import (
    DEFAULT_PAGE_SIZE,
    DEFAULT_SORT,
    PAGE_SIZES,
    SORTS,
    CatalogMeta,
    CategoryNode,
    ordering_name,
)

MAX_PRICE = Decimal("9999999999.99")


class CatalogFilterForm(forms.Form):
    q = forms.CharField(required=False, strip=True, label="Search")
    sort = forms.CharField(required=False)
    price_min = forms.DecimalField(
        required=False, min_value=0, max_value=MAX_PRICE, decimal_places=2, label="Min price"
    )
    price_max = forms.DecimalField(
        required=False, min_value=0, max_value=MAX_PRICE, decimal_places=2, label="Max price"
    )
    in_stock = forms.BooleanField(required=False, label="In stock only")
    per_page = forms.CharField(required=False)
    page = forms.CharField(required=False)
    # "Load more" and "Next" carry the last card's position (apps.catalog.cursor); `page` then
    # only labels the page. A bad one is reported and the numbered page is shown instead.
    after = forms.CharField(required=False, strip=False, label="Position in the list")

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data["q"].split())[:MAX_QUERY_LENGTH]

    def clean_sort(self) -> str:
        sort = self.cleaned_data["sort"]
        return sort if sort in SORTS else DEFAULT_SORT

    def clean_per_page(self) -> int:
        value = self.cleaned_data["per_page"]
        return int(value) if value in {str(size) for size in PAGE_SIZES} else DEFAULT_PAGE_SIZE

    def clean_page(self) -> int:
        value = self.cleaned_data["page"]
        try:
            return max(1, int(value))
        except ValueError:
            return 1

    def clean_after(self) -> Cursor | None:
        token = self.cleaned_data["after"]
        if not token:
            return None
        searching = bool(self.cleaned_data.get("q"))
        name = ordering_name(self.cleaned_data.get("sort", DEFAULT_SORT), searching)
        try:
            return cursor.decode(token, name)
        except cursor.InvalidCursor as error:
            raise forms.ValidationError(f"{error} Showing the numbered page instead.") from error

    def clean(self) -> dict:
        cleaned = super().clean()
        low, high = cleaned.get("price_min"), cleaned.get("price_max")
        if low is not None and high is not None and low > high:
            self.add_error(None, "The minimum price is above the maximum: prices are not applied.")
            cleaned["price_min"] = cleaned["price_max"] = None
        return cleaned

    def value(self, name: str, default=None):
        """A cleaned value, or `default` when that field was invalid (shown as an error)."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return self.cleaned_data.get(name, default)


def build_filters(
    form: CatalogFilterForm, data: QueryDict, meta: CatalogMeta, category: CategoryNode | None
) -> CatalogFilters:
    """The normalised filter state: only known attribute slugs and values survive."""
    attributes, options = [], []
    for definition in meta.definitions:
        known = set(definition.values)
        chosen = sorted({value for value in data.getlist(definition.slug) if value in known})
        if chosen and definition.is_option:
            options.append((definition.id, definition.slug, tuple(chosen)))
        elif chosen:
            attributes.append((definition.id, tuple(chosen)))
    return CatalogFilters(
        category_ids=meta.subtree_ids(category) if category else None,
        q=form.value("q", ""),
        price_min=form.value("price_min"),
        price_max=form.value("price_max"),
        in_stock=bool(form.value("in_stock", False)),
        attributes=tuple(sorted(attributes)),
        options=tuple(sorted(options)),
    )


def is_canonical(form: CatalogFilterForm, data: QueryDict, meta: CatalogMeta) -> bool:
    """Whether the query string is one the filter form itself produces.

    Only those answers are shared through the cache: its keys repeat the query string, and junk
    (unknown parameters or values, invalid prices, an overlong `q`) must not fill Redis.
    """
    if form.errors:
        return False
    vocabulary = {d.slug: set(d.values) for d in meta.definitions}
    for name, values in data.lists():
        if name in vocabulary:
            if not set(values) <= vocabulary[name]:
                return False
        elif name not in form.fields or len(values) > 1:
            return False
    return (
        data.get("q", "") == form.value("q", "")
        and data.get("sort", DEFAULT_SORT) in SORTS
        and data.get("per_page", str(DEFAULT_PAGE_SIZE)) in {str(size) for size in PAGE_SIZES}
        and data.get("in_stock", "on") == "on"
        and re.fullmatch(r"[1-9][0-9]{0,5}", data.get("page", "1")) is not None
    )
