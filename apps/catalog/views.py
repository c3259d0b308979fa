"""Catalog pages: the faceted listing (page or htmx fragment), the product page and the header
search box's suggestions."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import push_url

from apps.core.htmx import refused, wants_fragment
from apps.core.pagecache import cached_page

from . import cursor, fragments, products, selectors, suggest
from .filters import CatalogFilters
from .forms import CatalogFilterForm, build_filters, is_canonical
from .pagination import Pagination

LOAD_MORE_REFUSED = "More products could not be loaded from here: reload the page to go on."


def _fragment_requested(request: HttpRequest) -> bool:
    """htmx swaps in a fragment, except when it restores history and needs the whole page."""
    htmx = getattr(request, "htmx", None)
    return wants_fragment(request) and not (htmx and htmx.history_restore_request)


def _clean_url(request: HttpRequest) -> str | None:
    """The same URL without empty parameters (`?q=&price_min=`), or None when it has none.

    A GET form sends every field, filled or not; links people share and bookmark stay clean.
    """
    if all(value != "" for _, values in request.GET.lists() for value in values):
        return None
    clean = QueryDict(mutable=True)
    for name, values in request.GET.lists():
        clean.setlist(name, [value for value in values if value != ""])
    query = clean.urlencode()
    return f"{request.path}?{query}" if query else request.path


@cached_page(versions=(selectors.CATALOG_VERSION.key,), ttl=selectors.STOCK_LAG)
@require_safe
@vary_on_headers("HX-Request")
def catalog(request: HttpRequest, path: str = "") -> HttpResponse:
    clean_url = _clean_url(request)
    if clean_url is not None and not getattr(request, "htmx", False):
        return HttpResponseRedirect(clean_url)
    response = _catalog(request, path)
    if (
        clean_url is not None
        and response.status_code == 200
        and not request.GET.get("page")
        and not request.GET.get("after")
    ):
        # htmx pushes the clean URL, not the one it requested ("load more" pushes nothing).
        push_url(response, clean_url)
    return response


def _catalog(request: HttpRequest, path: str) -> HttpResponse:
    version = selectors.catalog_version()
    meta = selectors.catalog_meta(version)
    category = None
    if path:
        category = meta.by_path.get(path.strip("/"))
        if category is None:
            raise Http404("No such category.")
    form = CatalogFilterForm(request.GET)
    form.is_valid()
    filters = build_filters(form, request.GET, meta, category)
    if _fragment_requested(request):
        # Filters never send `page` or `after` (a filter change starts at page 1), so an htmx
        # request for a later page is "load more": its cards only, the facets have not changed.
        more = form.value("page", 1) > 1 or bool(request.GET.get("after"))
        variant = "more" if more else "fragment"
        if more and "after" in form.errors:
            # Appending the numbered page instead could repeat cards already on the screen.
            return refused(request, LOAD_MORE_REFUSED, request.path)
    else:
        variant = "page"
    shared = fragments.cacheable(request) and is_canonical(form, request.GET, meta)
    key = fragments.fragment_key(request, variant, version) if shared else None
    parts = fragments.cached_parts(key) if key else None
    if parts is None:
        parts = fragments.render_parts(
            request, variant, _listing_context(request, form, filters, meta, category), key=key
        )
    html = fragments.fill(request, parts)
    if variant != "page":
        return TemplateResponse(request, "catalog/list.html#cached", {"html": html[variant]})
    context = {
        "form": form,
        "filters": filters,
        "category": category,
        "breadcrumbs": meta.ancestors(category),
        "subcategories": meta.children(category),
        "sorts": selectors.SORTS,
        "sort": form.value("sort", selectors.DEFAULT_SORT),
        "page_sizes": selectors.PAGE_SIZES,
        "per_page": form.value("per_page", selectors.DEFAULT_PAGE_SIZE),
        "facets_html": html["facets"],
        "results_html": html["results"],
    }
    return TemplateResponse(request, "catalog/list.html", context)


def _listing_context(
    request: HttpRequest,
    form: CatalogFilterForm,
    filters: CatalogFilters,
    meta: selectors.CatalogMeta,
    category: selectors.CategoryNode | None,
) -> dict:
    """What the facets and results partials need: the page of cards and the facet counts."""
    page = selectors.catalog_page(
        filters,
        meta,
        sort=form.value("sort", selectors.DEFAULT_SORT),
        page=form.value("page", 1),
        per_page=form.value("per_page", selectors.DEFAULT_PAGE_SIZE),
        after=form.value("after"),
    )
    facets = [
        {
            "definition": definition,
            "options": [
                {
                    "value": value,
                    "id": f"f-{testid}",
                    "testid": testid,
                    "count": page.summary.counts.get(definition.id, {}).get(value, 0),
                    "checked": value in filters.selected(definition.id),
                }
                for value in definition.values
                for testid in (f"{definition.slug}-{slugify(value)}",)
            ],
        }
        for definition in meta.definitions
    ]
    for facet in facets:
        facet["options"] = [o for o in facet["options"] if o["count"] or o["checked"]]
    return {
        "form": form,
        "filters": filters,
        "category": category,
        "page": page,
        "facets": [facet for facet in facets if facet["options"]],
        "pagination": Pagination(
            request,
            page.number,
            page.num_pages,
            next_token=cursor.encode(page.next_cursor) if page.next_cursor else None,
            more=page.has_next,
        ),
    }


@cached_page(versions=(selectors.CATALOG_VERSION.key,), ttl=selectors.STOCK_LAG)
@require_safe
@vary_on_headers("HX-Request")
def product_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The product page. Choosing options (a GET form: one radio group per option) answers
    with the `product` partial for htmx, pushing `?variant=<sku>`; without JavaScript the same
    form re-renders the page. Anonymous shoppers share the plain URL's rendering (Redis)."""
    swap = _fragment_requested(request)
    key = None if swap else fragments.product_key(request)
    parts = fragments.cached_parts(key) if key else None
    if parts is None:
        wanted = {k: v for k, v in request.GET.items() if k != "variant"}
        page = products.product_page(slug, wanted, request.GET.get("variant", ""))
        if page is None:
            raise Http404("No such product.")
        context = {
            "page": page,
            "product": page.product,
            "variant": page.variant,
            "add_blocked": not page.can_add,
            "images": page.images,
            "attributes": page.attributes,
            "breadcrumbs": page.breadcrumbs,
            "crumbs": [*page.breadcrumbs, page.product],
        }
        shared = fragments.shared_choice(request, page)
        if swap:
            if shared:
                fragments.share(request)
            response = TemplateResponse(request, f"{fragments.PRODUCT_TEMPLATE}#product", context)
            return push_url(response, _choice_url(request, page))
        if page.variant is not None and any(
            request.GET.get(slug) == value for slug, value in page.selected.items()
        ):
            # The no-JS picker's GET names options: answer at the choice's own address.
            return HttpResponseRedirect(_choice_url(request, page))
        parts = fragments.render_product_parts(request, context, key, shared=shared)
    return TemplateResponse(
        request, fragments.PRODUCT_TEMPLATE, {"parts": fragments.fill(request, parts)}
    )


def _choice_url(request: HttpRequest, page: products.ProductPage) -> str:
    """The address of the current choice: `?variant=<sku>`, or the options while incomplete."""
    if page.variant is not None and page.has_options:
        return f"{request.path}?{urlencode({'variant': page.variant.sku})}"
    if page.selected:
        return f"{request.path}?{urlencode(page.selected)}"
    return request.path


@require_safe
@vary_on_headers("HX-Request")
def search_suggestions(request: HttpRequest) -> HttpResponse:
    """The header search box's listbox (templates/partials/search.html), asked for by htmx as
    the shopper types. Anything typed gets a 200: too short, too long or garbage simply finds
    little or nothing. Opened as a page (a shared or typed-in link), it is the search itself."""
    q = request.GET.get("q", "")
    if not wants_fragment(request):
        listing = reverse("catalog:list")
        if q.strip():
            listing += "?" + urlencode({"q": q[: suggest.MAX_LENGTH]})
        return HttpResponseRedirect(listing)
    return TemplateResponse(
        request,
        "partials/search.html#search-suggestions",
        {"suggestions": suggest.suggestions(q)},
    )
