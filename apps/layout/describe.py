"""Blocks and changes in the words marketers use: "Promo banner 'Winter sale'", not "block #12".

A draft stores a move as new sort orders on every block it shifted; the summary counts the
blocks that really changed place (those outside the longest run that kept its order), so moving
one block is one change however many neighbours were renumbered.
"""

from __future__ import annotations

from bisect import bisect_left

from .blocks import REGISTRY
from .models import DraftChange
from .selectors import BlockState

TITLE_KEYS = ("title", "heading", "text")
MAX_TITLE = 40


def block_name(type_name: str, content: object) -> str:
    block_type = REGISTRY.get(type_name)
    label = block_type.label if block_type else type_name.replace("_", " ").capitalize()
    title = ""
    if isinstance(content, dict):
        title = next((str(content[k]) for k in TITLE_KEYS if content.get(k)), "")
    if len(title) > MAX_TITLE:
        title = title[: MAX_TITLE - 1] + "…"
    return f"{label} '{title}'" if title else label


def state_name(state: BlockState) -> str:
    return block_name(state.type, state.content)


def _kept_in_order(sequence: list[int]) -> set[int]:
    """Indexes of one longest increasing subsequence of `sequence` (patience sorting)."""
    tails: list[int] = []
    tail_at: list[int] = []
    parent: list[int] = [-1] * len(sequence)
    for i, value in enumerate(sequence):
        pos = bisect_left(tails, value)
        if pos == len(tails):
            tails.append(value)
            tail_at.append(i)
        else:
            tails[pos] = value
            tail_at[pos] = i
        parent[i] = tail_at[pos - 1] if pos else -1
    kept: set[int] = set()
    i = tail_at[-1] if tail_at else -1
    while i != -1:
        kept.add(i)
        i = parent[i]
    return kept


def _moved(published: list[BlockState], preview: list[BlockState]) -> list[BlockState]:
    """Blocks that changed place within their region (not counting renumbered neighbours)."""
    moved = []
    for placement in sorted({s.placement for s in preview}):
        before = [s.key for s in published if s.placement == placement]
        after = [s for s in preview if s.placement == placement and s.key in before]
        order = [before.index(s.key) for s in after]
        kept = _kept_in_order(order)
        moved.extend(s for i, s in enumerate(after) if i not in kept)
    return moved


def summarise(
    published: list[BlockState], preview: list[BlockState], changes: list[DraftChange]
) -> list[str]:
    """One line per change a marketer made, e.g. "Edited Hero 'Spring'"."""
    by_key = {s.key: s for s in published}
    lines: list[str] = []
    moved_keys = {s.key for s in _moved(published, preview)}
    for change in changes:
        if change.op == DraftChange.Op.INSERT:
            data = change.data
            lines.append(f"Added {block_name(data.get('type', ''), data.get('content'))}")
            continue
        state = by_key.get(f"b{change.block_id}")
        name = state_name(state) if state else f"a block removed meanwhile (#{change.block_id})"
        if change.op == DraftChange.Op.DELETE:
            lines.append(f"Deleted {name}")
            continue
        # Edited blocks go by the name the marketer sees in the draft.
        shown = next((s for s in preview if s.key == f"b{change.block_id}"), state)
        name = state_name(shown) if shown else name
        data = change.data
        if "content" in data or "type" in data:
            lines.append(f"Edited {name}")
        if "is_active" in data:
            lines.append(("Showed " if data["is_active"] else "Hid ") + name)
        if "placement" in data:
            lines.append(f"Moved {name} to {data['placement'].split(':', 1)[-1]}")
        elif f"b{change.block_id}" in moved_keys:
            lines.append(f"Moved {name}")
    return lines


def restore_changes(current: list[BlockState], snapshot: list[dict]) -> list[str]:
    """What restoring a revision's snapshot would change on the live page, block by block."""
    fields = ("placement", "sort_order", "is_active", "type", "content")
    live = {s.pk: s for s in current}
    lines = []
    seen = set()
    for row in snapshot:
        state = live.get(row.get("id"))
        name = block_name(row.get("type", ""), row.get("content"))
        if state is None:
            lines.append(f"Brings back {name}")
            continue
        seen.add(state.pk)
        if any(getattr(state, f) != row.get(f) for f in fields):
            now = state_name(state)
            lines.append(f"Puts back {name}" if now == name else f"Changes {now} back to {name}")
    lines.extend(f"Removes {state_name(s)}" for pk, s in live.items() if pk not in seen)
    return lines
