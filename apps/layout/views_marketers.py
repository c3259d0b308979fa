"""The marketer's sharing and timing tools: preview links, scheduled publishes, a look at a
revision before restoring it, device widths; and the public page a preview link opens.

Every tool answers 403 without the layout permission and 404 for a page, link or schedule that
is not the requesting marketer's own (services look them up by owner).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from apps.core.htmx import wants_fragment

from . import rendering, scheduling, selectors, sharing, surfaces
from .context import DEVICE_SESSION_KEY, DEVICES
from .describe import restore_changes
from .forms import PreviewLinkForm, ScheduleForm
from .models import Revision
from .selectors import FIELDS, BlockState
from .views import _done, _editor, _private


def _tell(request: HttpRequest, text: str) -> None:
    """A message for the page the no-JavaScript redirect lands on (htmx sees the list change)."""
    if not wants_fragment(request):
        messages.success(request, text)


def _no_store(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, private=True, no_store=True)
    return response


# --- preview links ---------------------------------------------------------------------------
def _links_response(request, page, surface, form, status=200, new=None, error="") -> HttpResponse:
    links = [
        (link, request.build_absolute_uri(reverse("layout:preview", args=[sharing.address(link)])))
        for link in sharing.links_of(request.user, page)
    ]
    context = {
        "page": page,
        "form": form,
        "links": links,
        "new": new,
        "error": error,
        "cancel_url": surface.url,
    }
    template = "layout/links.html#share-links" if wants_fragment(request) else "layout/links.html"
    return _no_store(TemplateResponse(request, template, context, status=status))


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def links(request: HttpRequest, page: str) -> HttpResponse:
    surface = _editor(request, page)
    if request.method == "GET":
        return _links_response(request, page, surface, PreviewLinkForm())
    form = PreviewLinkForm(data=request.POST)
    if form.is_valid():
        try:
            link = sharing.create_link(request.user, page, form.cleaned_data["hours"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if wants_fragment(request):
                return _links_response(request, page, surface, PreviewLinkForm(), new=link)
            messages.success(request, "Preview link created: copy it from the list.")
            return HttpResponseRedirect(reverse("layout:links", args=[page]))
    return _links_response(request, page, surface, form, status=400)


def _after_link_change(request, page, surface) -> HttpResponse:
    if wants_fragment(request):
        return _links_response(request, page, surface, PreviewLinkForm())
    return HttpResponseRedirect(reverse("layout:links", args=[page]))


@require_POST
def revoke_link(request: HttpRequest, page: str, pk: int) -> HttpResponse:
    surface = _editor(request, page)
    sharing.revoke_link(request.user, page, pk)
    _tell(request, "Preview link revoked: it no longer opens.")
    return _after_link_change(request, page, surface)


@require_POST
def refresh_link(request: HttpRequest, page: str, pk: int) -> HttpResponse:
    surface = _editor(request, page)
    try:
        sharing.refresh_link(request.user, page, pk)
    except ValidationError as exc:
        return _links_response(
            request, page, surface, PreviewLinkForm(), status=400, error=" ".join(exc.messages)
        )
    _tell(request, "The link now shows your draft as it is.")
    return _after_link_change(request, page, surface)


@require_safe
def preview(request: HttpRequest, token: str) -> HttpResponse:
    """What a preview link shows: the snapshot, read-only; a refusal page, never the live page."""
    try:
        link = sharing.open_link(token)
    except sharing.LinkRefused as refused:
        response = TemplateResponse(
            request, "layout/preview_gone.html", {"message": refused.message}, status=refused.status
        )
    else:
        surface = surfaces.resolve(link.page)
        if surface is None:
            response = TemplateResponse(
                request,
                "layout/preview_gone.html",
                {"message": "The page this link previews no longer exists."},
                status=410,
            )
        else:
            rendered = rendering.shared_blocks(link.page, sharing.link_states(link))
            # No CSRF token in the blocks: nothing in a preview can be submitted.
            grouped = rendering.regions(rendering.with_csrf(rendered, ""), staff=False)
            context = {
                **surface.shared_context(),
                "link": link,
                "fragment": surface.fragment,
                "page": link.page,
                "mode": "preview",
                "editor": False,
                "regions": {name: grouped[name] for name in surface.regions if name in grouped},
            }
            response = TemplateResponse(request, "layout/preview.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return _no_store(response)


# --- scheduled publish -----------------------------------------------------------------------
def _schedules_response(request, page, surface, form, status=200) -> HttpResponse:
    context = {
        "page": page,
        "form": form,
        "schedules": scheduling.schedules_of(request.user, page),
        "cancel_url": surface.url,
        "move_form": ScheduleForm(),
    }
    template = (
        "layout/schedules.html#schedules" if wants_fragment(request) else "layout/schedules.html"
    )
    return _no_store(TemplateResponse(request, template, context, status=status))


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def schedules(request: HttpRequest, page: str) -> HttpResponse:
    surface = _editor(request, page)
    if request.method == "GET":
        return _schedules_response(request, page, surface, ScheduleForm())
    form = ScheduleForm(data=request.POST)
    if form.is_valid():
        try:
            scheduling.schedule(request.user, page, form.cleaned_data["run_at"])
        except ValidationError as exc:
            form.add_error("run_at", exc)
        else:
            if wants_fragment(request):
                return _schedules_response(request, page, surface, ScheduleForm())
            messages.success(request, "Publish scheduled.")
            return HttpResponseRedirect(reverse("layout:schedules", args=[page]))
    return _schedules_response(request, page, surface, form, status=400)


@require_POST
def move_schedule(request: HttpRequest, page: str, pk: int) -> HttpResponse:
    surface = _editor(request, page)
    form = ScheduleForm(data=request.POST)
    if form.is_valid():
        try:
            scheduling.move(request.user, page, pk, form.cleaned_data["run_at"])
        except ValidationError as exc:
            form.add_error("run_at", exc)
        else:
            _tell(request, "Schedule moved.")
            if wants_fragment(request):
                return _schedules_response(request, page, surface, ScheduleForm())
            return HttpResponseRedirect(reverse("layout:schedules", args=[page]))
    scheduling.pending_or_404(request.user, page, pk)
    return _schedules_response(request, page, surface, form, status=400)


@require_POST
def cancel_schedule(request: HttpRequest, page: str, pk: int) -> HttpResponse:
    surface = _editor(request, page)
    scheduling.cancel(request.user, page, pk)
    _tell(request, "Scheduled publish cancelled; your draft is untouched.")
    if wants_fragment(request):
        return _schedules_response(request, page, surface, ScheduleForm())
    return HttpResponseRedirect(reverse("layout:schedules", args=[page]))


# --- a revision, seen in the page before restoring it ----------------------------------------
@require_safe
def revision(request: HttpRequest, page: str, pk: int) -> HttpResponse:
    surface = _editor(request, page)
    revision = get_object_or_404(Revision, pk=pk, page=page)
    states = [
        BlockState(key=f"r{row['id']}", pk=row["id"], **{f: row[f] for f in FIELDS})
        for row in revision.snapshot
        if isinstance(row, dict) and all(f in row for f in FIELDS)
    ]
    grouped = rendering.regions(rendering.draft_blocks(states), staff=False)
    context = {
        **(surface.context(request) or {}),
        "fragment": surface.fragment,
        "page": page,
        "mode": "revision",
        "editor": False,
        "revision": revision,
        "changes": restore_changes(selectors.published_states(page), revision.snapshot),
        "regions": {name: grouped[name] for name in surface.regions if name in grouped},
        "cancel_url": surface.url,
    }
    return _private(TemplateResponse(request, "layout/revision.html", context), {"editor": True})


# --- device widths ---------------------------------------------------------------------------
@require_POST
def set_device(request: HttpRequest, page: str) -> HttpResponse:
    surface = _editor(request, page)
    device = request.POST.get("device")
    request.session[DEVICE_SESSION_KEY] = device if device in DEVICES else "desktop"
    return _done(request, surface)
