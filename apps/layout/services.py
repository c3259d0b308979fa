"""Layout writes: draft changes, publish (with conflict detection), restore, discard.

Every function takes the acting user and only ever touches that user's own draft.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404

from . import selectors
from .blocks import validate_block
from .cache import forget_version
from .describe import block_name, restore_changes, summarise
from .models import Draft, DraftChange, LayoutBlock, LayoutPage, Revision, page_of
from .selectors import FIELDS, BlockState

GAP = 10


class NothingToPublish(Exception):
    pass


@dataclass
class PublishResult:
    published: bool
    version: int = 0
    change_count: int = 0
    conflicts: list[str] = field(default_factory=list)


def get_or_create_draft(user, page: str) -> Draft:
    draft, _ = Draft.objects.get_or_create(
        owner=user, page=page, defaults={"base_version": selectors.current_version(page)}
    )
    return draft


def _published_block(page: str, pk: int) -> LayoutBlock:
    block = selectors.page_blocks_query(page).filter(pk=pk).first()
    if block is None:
        raise Http404("No such block.")
    return block


def _parse_key(key: str) -> tuple[str, int]:
    if len(key) < 2 or key[0] not in "bn" or not key[1:].isdigit():
        raise Http404("No such block.")
    return key[0], int(key[1:])


def block_state(user, page: str, key: str) -> BlockState:
    """The block as this user's preview shows it; 404 for anything outside their own view."""
    _draft, states = selectors.preview_states(user, page)
    for state in states:
        if state.key == key:
            return state
    raise Http404("No such block in your draft.")


@transaction.atomic
def set_fields(user, page: str, key: str, fields: dict) -> None:
    """Record changed fields of one block in the user's draft (content validated here)."""
    kind, ident = _parse_key(key)
    if "content" in fields:
        type_name = fields.get("type") or block_state(user, page, key).type
        fields["content"] = validate_block(type_name, fields["content"])
    if "placement" in fields and page_of(fields["placement"]) != page:
        raise ValidationError("A block cannot move to another page.")
    draft = get_or_create_draft(user, page)
    if kind == "n":
        change = draft.changes.filter(pk=ident, op=DraftChange.Op.INSERT).first()
        if change is None:
            raise Http404("No such block in your draft.")
        change.data = {**change.data, **fields}
        change.save(update_fields=["data"])
        return
    block = _published_block(page, ident)
    change = draft.changes.filter(block_id=block.pk).first()
    if change is not None and change.op == DraftChange.Op.DELETE:
        raise Http404("This block is deleted in your draft.")
    if change is None:
        change = DraftChange(
            draft=draft, op=DraftChange.Op.UPDATE, block_id=block.pk, base_rev=block.rev
        )
    data = {**change.data, **fields}
    # Changes that put a field back to its published value are not changes.
    data = {k: v for k, v in data.items() if k in FIELDS and getattr(block, k) != v}
    if not data:
        if change.pk:
            change.delete()
        return
    change.data = data
    change.save()


@transaction.atomic
def insert_block(user, placement: str, position: int, type_name: str, content: dict) -> str:
    """Insert a new block at `position` (0 = top) of its placement; returns its draft key."""
    page = page_of(placement)
    content = validate_block(type_name, content)
    siblings = [s for s in selectors.preview_states(user, page)[1] if s.placement == placement]
    position = max(0, min(position, len(siblings)))
    sort_order = _slot(user, page, siblings, position)
    draft = get_or_create_draft(user, page)
    change = DraftChange.objects.create(
        draft=draft,
        op=DraftChange.Op.INSERT,
        data={
            "placement": placement,
            "sort_order": sort_order,
            "is_active": True,
            "type": type_name,
            "content": content,
        },
    )
    return f"n{change.pk}"


def _slot(user, page: str, siblings: list[BlockState], position: int) -> int:
    """A sort_order between the neighbours at `position`, renumbering the placement if needed."""
    before = siblings[position - 1].sort_order if position > 0 else None
    after = siblings[position].sort_order if position < len(siblings) else None
    if before is None and after is None:
        return GAP
    if before is None:
        return after - GAP
    if after is None:
        return before + GAP
    if after - before >= 2:
        return (before + after) // 2
    _renumber(user, page, siblings)
    return position * GAP + GAP // 2


def _renumber(user, page: str, ordered: list[BlockState]) -> None:
    for index, state in enumerate(ordered):
        if state.sort_order != (index + 1) * GAP:
            set_fields(user, page, state.key, {"sort_order": (index + 1) * GAP})


@transaction.atomic
def move_block(user, page: str, key: str, direction: str) -> None:
    state = block_state(user, page, key)
    siblings = [
        s for s in selectors.preview_states(user, page)[1] if s.placement == state.placement
    ]
    index = next(i for i, s in enumerate(siblings) if s.key == key)
    other = index - 1 if direction == "up" else index + 1
    if other < 0 or other >= len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    if len({s.sort_order for s in siblings}) == len(siblings):
        a, b = siblings[index], siblings[other]
        a_order, b_order = b.sort_order, a.sort_order
        set_fields(user, page, a.key, {"sort_order": a_order})
        set_fields(user, page, b.key, {"sort_order": b_order})
    else:
        # Ties: give the whole placement distinct positions in the new order.
        for i, s in enumerate(siblings):
            set_fields(user, page, s.key, {"sort_order": (i + 1) * GAP})


def set_active(user, page: str, key: str, active: bool) -> None:
    block_state(user, page, key)
    set_fields(user, page, key, {"is_active": active})


@transaction.atomic
def delete_block(user, page: str, key: str) -> None:
    kind, ident = _parse_key(key)
    block_state(user, page, key)
    draft = get_or_create_draft(user, page)
    if kind == "n":
        draft.changes.filter(pk=ident, op=DraftChange.Op.INSERT).delete()
        return
    block = _published_block(page, ident)
    change = draft.changes.filter(block_id=block.pk).first()
    base_rev = change.base_rev if change else block.rev
    draft.changes.filter(block_id=block.pk).delete()
    DraftChange.objects.create(
        draft=draft, op=DraftChange.Op.DELETE, block_id=block.pk, base_rev=base_rev
    )


def discard(user, page: str) -> int:
    deleted, _ = Draft.objects.filter(owner=user, page=page).delete()
    return deleted


def change_summary(draft: Draft | None, published: list[BlockState] | None = None) -> list[str]:
    """The draft's changes as a marketer counts them (a move is one change)."""
    changes = list(draft.changes.all()) if draft else []
    if not changes:
        return []
    if published is None:
        published = selectors.published_states(draft.page)
    return summarise(published, selectors.overlay(published, changes), changes)


def change_count(draft: Draft | None, published: list[BlockState] | None = None) -> int:
    return len(change_summary(draft, published))


def _names_at(page: str, version: int) -> dict[int, str]:
    """Block names as of a version (for blocks deleted since), from that version's revision."""
    revision = Revision.objects.filter(page=page, version=version).only("snapshot").first()
    rows = revision.snapshot if revision else []
    return {row["id"]: block_name(row.get("type", ""), row.get("content")) for row in rows}


_VERBS = {"update": "changes", "delete": "deletes", "insert": "adds"}


def _conflicts(
    draft: Draft, changes: list[DraftChange], current: dict[int, LayoutBlock], version: int
) -> list[str]:
    messages = []
    if draft.base_version != version:
        messages.append(
            f"The page was published since your draft started (v{draft.base_version} → v{version})."
        )
    where = "in the newer publish" if draft.base_version != version else "since your draft started"
    old_names: dict[int, str] | None = None
    for change in changes:
        if change.block_id is None:
            continue
        block = current.get(change.block_id)
        verb = _VERBS.get(change.op, change.op)
        if block is None:
            if old_names is None:
                old_names = _names_at(draft.page, draft.base_version)
            name = old_names.get(change.block_id, "A block")
            messages.append(f"{name} was deleted {where}; your draft {verb} it.")
        elif block.rev != change.base_rev:
            name = block_name(block.type, block.content)
            messages.append(f"{name} was changed in the newer publish; your draft {verb} it.")
    return messages


def conflicts_for(user, page: str) -> list[str]:
    draft = selectors.draft_for(user, page)
    version = selectors.current_version(page)
    if draft is None or draft.base_version == version:
        return []
    changes = list(draft.changes.all())
    current = {b.pk: b for b in selectors.page_blocks_query(page)}
    return _conflicts(draft, changes, current, version)


def _lock_page(page: str) -> LayoutPage:
    LayoutPage.objects.get_or_create(key=page)
    return LayoutPage.objects.select_for_update().get(key=page)


def _record(layout_page: LayoutPage, user, note: str, count: int) -> Revision:
    layout_page.version += 1
    layout_page.save(update_fields=["version"])
    snapshot = [
        {"id": b.pk, **{f: getattr(b, f) for f in FIELDS}}
        for b in selectors.page_blocks_query(layout_page.key).order_by(
            "placement", "sort_order", "pk"
        )
    ]
    forget_version(layout_page.key)
    return Revision.objects.create(
        page=layout_page.key,
        version=layout_page.version,
        author=user if getattr(user, "is_authenticated", False) else None,
        note=note,
        change_count=count,
        snapshot=snapshot,
    )


def publish(user, page: str, note: str = "Published draft") -> PublishResult:
    """Apply the user's draft in one transaction, unless someone published since it started."""
    with transaction.atomic():
        layout_page = _lock_page(page)
        draft = Draft.objects.select_for_update().filter(owner=user, page=page).first()
        changes = list(draft.changes.all()) if draft else []
        if not changes:
            raise NothingToPublish("Your draft has no changes.")
        published = selectors.published_states(page)
        count = len(summarise(published, selectors.overlay(published, changes), changes))
        ids = sorted(c.block_id for c in changes if c.block_id is not None)
        current = {
            b.pk: b
            for b in selectors.page_blocks_query(page)
            .filter(pk__in=ids)
            .order_by("pk")
            .select_for_update()
        }
        vanished = [c for c in changes if c.block_id is not None and c.block_id not in current]
        if layout_page.version != draft.base_version or vanished:
            # `vanished`: a block removed without a publish (shell, SQL); never a KeyError.
            return PublishResult(
                False,
                layout_page.version,
                count,
                _conflicts(draft, changes, current, layout_page.version),
            )
        for change in changes:
            if change.op == DraftChange.Op.INSERT:
                LayoutBlock.objects.create(
                    **{f: change.data[f] for f in FIELDS if f in change.data}
                )
                continue
            block = current[change.block_id]
            if change.op == DraftChange.Op.DELETE:
                block.delete()
            else:
                for name, value in change.data.items():
                    setattr(block, name, value)
                block.rev += 1
                block.save()
        revision = _record(layout_page, user, note, count)
        draft.delete()
    return PublishResult(True, revision.version, count)


@transaction.atomic
def rebase(user, page: str) -> int:
    """Move the draft onto the latest publish, dropping the changes that conflict with it."""
    draft = Draft.objects.select_for_update().filter(owner=user, page=page).first()
    if draft is None:
        return 0
    current = {b.pk: b for b in selectors.page_blocks_query(page)}
    dropped = 0
    for change in draft.changes.exclude(block_id=None):
        block = current.get(change.block_id)
        if block is None or block.rev != change.base_rev:
            change.delete()
            dropped += 1
    draft.base_version = selectors.current_version(page)
    draft.save(update_fields=["base_version", "updated_at"])
    return dropped


@transaction.atomic
def restore(user, revision: Revision) -> Revision:
    """Make a revision's blocks the published layout again; itself a publish (new version)."""
    layout_page = _lock_page(revision.page)
    count = len(restore_changes(selectors.published_states(revision.page), revision.snapshot))
    existing = {
        b.pk: b
        for b in selectors.page_blocks_query(revision.page).order_by("pk").select_for_update()
    }
    keep = set()
    for row in revision.snapshot:
        fields = {f: row[f] for f in FIELDS}
        block = existing.get(row.get("id"))
        if block is None:
            LayoutBlock.objects.create(**fields)
            continue
        keep.add(block.pk)
        if any(getattr(block, f) != v for f, v in fields.items()):
            for f, v in fields.items():
                setattr(block, f, v)
            block.rev += 1
            block.save()
    for pk, block in existing.items():
        if pk not in keep:
            block.delete()
    return _record(layout_page, user, f"Restored v{revision.version}", count)


@transaction.atomic
def publish_direct(user, block: LayoutBlock, delete: bool = False) -> Revision:
    """Admin edits go live at once but still bump the version and leave a revision."""
    layout_page = _lock_page(block.page)
    if delete:
        block.delete()
    else:
        if block.pk:
            block.rev = (
                LayoutBlock.objects.filter(pk=block.pk).values_list("rev", flat=True).first() or 0
            ) + 1
        block.save()
    return _record(layout_page, user, ("Deleted" if delete else "Saved") + " block in admin", 1)


@transaction.atomic
def publish_initial(blocks: list[dict], page: str) -> Revision:
    layout_page = _lock_page(page)
    for fields in blocks:
        LayoutBlock.objects.create(**fields)
    return _record(layout_page, None, "Default layout", len(blocks))


@transaction.atomic
def delete_page(page: str) -> None:
    """A page that carried blocks is gone (a CMS page deleted): its blocks and drafts go too."""
    layout_page = _lock_page(page)
    selectors.page_blocks_query(page).delete()
    Draft.objects.filter(page=page).delete()
    forget_version(layout_page.key)
