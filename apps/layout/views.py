"""Home page from layout blocks, and the marketer's in-page draft tools (for every surface:
the home page and CMS pages alike).

Authorisation is decided here and in `context.page_context`: the editing endpoints answer 403
to anyone without `layout.change_layoutblock`, 404 for pages and blocks outside their own view.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import reswap, retarget

from apps.core.htmx import wants_fragment
from apps.core.pagecache import cached_page

from . import cache as keys
from . import scheduling, selectors, services, surfaces
from .blocks import REGISTRY, content_to_form_data, get_type
from .context import MODE_SESSION_KEY, can_edit, page_context, private_if_editor
from .models import Revision
from .surfaces import Surface


def _editor(request: HttpRequest, page: str) -> Surface:
    """The surface being edited; 403 without the permission, 404 for a page they cannot see."""
    if not can_edit(request.user):
        raise PermissionDenied("You may not edit the layout.")
    surface = surfaces.resolve(page)
    if surface is None or surface.context(request) is None:
        raise Http404("No such page.")
    return surface


def _private(response: HttpResponse, context: dict) -> HttpResponse:
    return private_if_editor(response, context)


@cached_page(
    versions=(keys.version_key("home"), keys.CATALOG_VERSION.key), ttl=keys.RENDER_TTL, query=False
)
@require_safe
@vary_on_headers("HX-Request")
def home(request: HttpRequest) -> HttpResponse:
    context = page_context(request, surfaces.home())
    template = "layout/home.html#layout" if wants_fragment(request) else "layout/home.html"
    return _private(TemplateResponse(request, template, context), context)


def _done(request: HttpRequest, surface: Surface) -> HttpResponse:
    """After a change: the refreshed layout for htmx, a redirect (POST/redirect/GET) otherwise."""
    if wants_fragment(request):
        context = {**(surface.context(request) or {}), **page_context(request, surface)}
        return _private(TemplateResponse(request, surface.fragment, context), context)
    return HttpResponseRedirect(surface.url)


@require_POST
def set_mode(request: HttpRequest, page: str) -> HttpResponse:
    surface = _editor(request, page)
    request.session[MODE_SESSION_KEY] = "draft" if request.POST.get("mode") == "draft" else "live"
    return _done(request, surface)


def _form_response(request, surface, form, *, key, title, action, status=200) -> HttpResponse:
    context = {
        "form": form,
        "page": surface.key,
        "key": key,
        "title": title,
        "action": action,
        "cancel_url": surface.url,
    }
    if wants_fragment(request):
        response = TemplateResponse(request, "layout/edit.html#block-editor", context)
        if key and request.method == "POST":
            response = reswap(retarget(response, f"#block-{key}"), "innerHTML")
        return _private(response, {"editor": True})
    return _private(
        TemplateResponse(request, "layout/edit.html", context, status=status), {"editor": True}
    )


@require_http_methods(["GET", "POST"])
def edit_block(request: HttpRequest, page: str, key: str) -> HttpResponse:
    surface = _editor(request, page)
    state = services.block_state(request.user, page, key)
    if state.type not in REGISTRY:
        # The placeholder offers Edit on every block; a type no longer in the code cannot be
        # edited, only deleted.
        return HttpResponse(
            f"This block's type “{state.type}” no longer exists: delete the block instead.",
            status=409,
            content_type="text/plain; charset=utf-8",
        )
    block_type = get_type(state.type)
    form_class = block_type.edit_form_class()
    action = reverse("layout:edit", args=[page, key])
    title = f"Edit {block_type.label.lower()}"
    if request.method == "GET":
        form = form_class(
            initial=content_to_form_data(block_type, state.content)
            if isinstance(state.content, dict)
            else {}
        )
        return _form_response(request, surface, form, key=key, title=title, action=action)
    form = form_class(data=request.POST)
    if form.is_valid():
        try:
            services.set_fields(
                request.user, page, key, {"content": block_type.to_content(form.cleaned_data)}
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Saved to your draft.")
            return _done(request, surface)
    return _form_response(request, surface, form, key=key, title=title, action=action, status=400)


@require_http_methods(["GET", "POST"])
def add_block(request: HttpRequest, page: str) -> HttpResponse:
    surface = _editor(request, page)

    def param(name: str, default: str = "") -> str:
        return request.GET.get(name) or request.POST.get(name) or default

    type_name, region = param("type"), param("region")
    if type_name not in REGISTRY or region not in surface.regions:
        return HttpResponse("Choose a block type and a region.", status=400)
    try:
        position = int(param("position", "999"))
    except ValueError:
        position = 999
    block_type = REGISTRY[type_name]
    form_class = block_type.edit_form_class()
    action = (
        f"{reverse('layout:add', args=[page])}?type={type_name}&region={region}&position={position}"
    )
    title = f"Add {block_type.label.lower()} to {region}"
    if request.method == "GET":
        return _form_response(request, surface, form_class(), key="", title=title, action=action)
    form = form_class(data=request.POST)
    if form.is_valid():
        try:
            services.insert_block(
                request.user,
                f"{page}:{region}",
                position,
                type_name,
                block_type.to_content(form.cleaned_data),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"{block_type.label} added to your draft.")
            return _done(request, surface)
    response = _form_response(
        request, surface, form, key="", title=title, action=action, status=400
    )
    if wants_fragment(request):
        response = reswap(retarget(response, f"#add-{region}"), "innerHTML")
    return response


@require_POST
def move_block(request: HttpRequest, page: str, key: str) -> HttpResponse:
    surface = _editor(request, page)
    services.move_block(
        request.user, page, key, "up" if request.POST.get("direction") == "up" else "down"
    )
    return _done(request, surface)


@require_POST
def toggle_block(request: HttpRequest, page: str, key: str) -> HttpResponse:
    surface = _editor(request, page)
    services.set_active(request.user, page, key, request.POST.get("active") == "1")
    return _done(request, surface)


@require_POST
def delete_block(request: HttpRequest, page: str, key: str) -> HttpResponse:
    surface = _editor(request, page)
    services.delete_block(request.user, page, key)
    messages.success(request, "Block deleted in your draft.")
    return _done(request, surface)


@require_http_methods(["GET", "POST"])
def publish(request: HttpRequest, page: str) -> HttpResponse:
    surface = _editor(request, page)
    draft = selectors.draft_for(request.user, page)
    summary = services.change_summary(draft)
    context = {
        "page": page,
        "change_count": len(summary),
        "changes": summary,
        "conflicts": services.conflicts_for(request.user, page),
        "cancel_url": surface.url,
    }
    status = 200
    if request.method == "POST":
        try:
            result = services.publish(request.user, page)
        except services.NothingToPublish as exc:
            messages.info(request, str(exc))
            return _done(request, surface)
        except ValidationError as exc:
            # Content that passed when drafted but no longer validates: nothing was written.
            context["conflicts"] = ["A block in your draft is invalid: " + " ".join(exc.messages)]
            result = None
        if result is not None and result.published:
            if scheduling.drop_pending(request.user, page, "Published by hand first."):
                messages.info(request, "Your scheduled publish was cancelled: nothing left.")
            messages.success(
                request,
                f"Published {result.change_count} change(s): layout v{result.version} is live.",
            )
            return _done(request, surface)
        if result is not None:
            context["conflicts"] = result.conflicts
        status = 409
    if wants_fragment(request):
        response = TemplateResponse(request, "layout/publish.html#publish-dialog", context)
        if request.method == "POST":
            response = reswap(retarget(response, "#layout-dialog"), "innerHTML")
        return _private(response, {"editor": True})
    return _private(
        TemplateResponse(request, "layout/publish.html", context, status=status), {"editor": True}
    )


@require_POST
def rebase(request: HttpRequest, page: str) -> HttpResponse:
    surface = _editor(request, page)
    dropped = services.rebase(request.user, page)
    messages.info(
        request, f"Draft moved onto the latest publish; {dropped} conflicting change(s) dropped."
    )
    return _done(request, surface)


@require_POST
def discard(request: HttpRequest, page: str) -> HttpResponse:
    surface = _editor(request, page)
    if services.discard(request.user, page):
        messages.success(request, "Draft discarded.")
        if scheduling.drop_pending(request.user, page, "The draft was discarded."):
            messages.info(request, "Its scheduled publish was cancelled.")
    return _done(request, surface)


@require_safe
def revisions(request: HttpRequest, page: str) -> HttpResponse:
    surface = _editor(request, page)
    context = {
        "page": page,
        "revisions": selectors.revisions(page)[:50],
        "cancel_url": surface.url,
    }
    return _private(TemplateResponse(request, "layout/revisions.html", context), {"editor": True})


@require_POST
def restore(request: HttpRequest, page: str, pk: int) -> HttpResponse:
    surface = _editor(request, page)
    revision = get_object_or_404(Revision, pk=pk, page=page)
    try:
        new = services.restore(request.user, revision)
    except ValidationError as exc:
        # A revision from before a block type's schema changed: nothing was written.
        messages.error(
            request, f"v{revision.version} cannot be restored: " + " ".join(exc.messages)
        )
        return HttpResponseRedirect(reverse("layout:revisions", args=[page]))
    messages.success(request, f"Restored v{revision.version} as v{new.version}.")
    return HttpResponseRedirect(surface.url)
