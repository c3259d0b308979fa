"""Layout reads: published block states, a user's draft, and the overlay of one on the other."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from django.db.models import Subquery
from django.db.models.functions import Coalesce

from .models import Draft, DraftChange, LayoutBlock, LayoutPage, page_of

FIELDS = ("placement", "sort_order", "is_active", "type", "content")


@dataclass
class BlockState:
    """One block as a page shows it, published or with draft changes applied (picklable)."""

    key: str  # "b<block id>" for published blocks, "n<change id>" for draft inserts
    pk: int | None
    placement: str
    sort_order: int
    is_active: bool
    type: str
    content: dict
    rev: int = 0
    status: str = ""  # "", "changed" or "new" (draft preview only)
    changed_fields: list[str] = field(default_factory=list)

    @property
    def region(self) -> str:
        return self.placement.split(":", 1)[1]


def _state(block: LayoutBlock) -> BlockState:
    return BlockState(
        key=f"b{block.pk}",
        pk=block.pk,
        placement=block.placement,
        sort_order=block.sort_order,
        is_active=block.is_active,
        type=block.type,
        content=block.content,
        rev=block.rev,
    )


def sort_states(states: list[BlockState]) -> list[BlockState]:
    return sorted(states, key=lambda s: (s.placement, s.sort_order, s.pk or 10**12, s.key))


def page_blocks_query(page: str):
    return LayoutBlock.objects.filter(placement__startswith=f"{page}:")


def published_with_version(page: str) -> tuple[int, list[BlockState]]:
    """The page's version and published blocks in one query (the version rides on each row).

    A page without blocks reports version 0 rather than paying a second query: its cached
    (empty) block list is the same under any version, and every publish drops the cached
    version, so the next reader asks the database again.
    """
    version = Subquery(LayoutPage.objects.filter(key=page).values("version")[:1])
    rows = list(page_blocks_query(page).annotate(page_version=Coalesce(version, 0)))
    if not rows:
        return 0, []
    return rows[0].page_version, sort_states([_state(b) for b in rows])


def published_states(page: str) -> list[BlockState]:
    return sort_states([_state(b) for b in page_blocks_query(page)])


def current_version(page: str) -> int:
    return LayoutPage.objects.filter(key=page).values_list("version", flat=True).first() or 0


def draft_for(user, page: str) -> Draft | None:
    """Only ever the requesting user's own draft: no draft id from the request is trusted."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Draft.objects.filter(owner=user, page=page).prefetch_related("changes").first()


def overlay(published: list[BlockState], changes: list[DraftChange]) -> list[BlockState]:
    """Published blocks with the draft's changes applied: untouched blocks stay as published."""
    by_block = {c.block_id: c for c in changes if c.block_id is not None}
    result: list[BlockState] = []
    for state in published:
        change = by_block.get(state.pk)
        if change is None:
            result.append(state)
        elif change.op == DraftChange.Op.UPDATE:
            fields = {k: v for k, v in change.data.items() if k in FIELDS}
            result.append(replace(state, **fields, status="changed", changed_fields=sorted(fields)))
    for change in changes:
        if change.op == DraftChange.Op.INSERT:
            data = change.data
            result.append(
                BlockState(
                    key=f"n{change.pk}",
                    pk=None,
                    placement=data["placement"],
                    sort_order=data["sort_order"],
                    is_active=data.get("is_active", True),
                    type=data["type"],
                    content=data.get("content", {}),
                    status="new",
                )
            )
    return sort_states(result)


def preview_states(user, page: str) -> tuple[Draft | None, list[BlockState]]:
    draft = draft_for(user, page)
    published = published_states(page)
    if draft is None:
        return None, published
    return draft, overlay(published, list(draft.changes.all()))


def revisions(page: str):
    from .models import Revision

    return Revision.objects.filter(page=page).select_related("author")


__all__ = ["BlockState", "overlay", "page_of", "preview_states", "published_with_version"]
