"""The page cache cuts a rendered body at its holes once (apps.core.pagecache._split): the cut
must give back exactly the body, with each hole where its marker was, for any text around them."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from apps.core.fragments import new_marker
from apps.core.pagecache import _split

# Hole names as the page cache makes them, including one that begins with another's name.
NAMES = ("csrf_token", "csp_nonce", "messages_slot", "cart_count", "cart_count_label")


def oracle(body: str, holes: dict[str, str], charset: str) -> list[bytes | str]:
    """One pattern of every marker (what the page cache did before it cut at the shared one)."""
    names = {value: name for name, value in holes.items() if value in body}
    if not names:
        return [body.encode(charset)]
    pieces = re.split("(" + "|".join(map(re.escape, sorted(names, reverse=True))) + ")", body)
    return [names[p] if i % 2 else p.encode(charset) for i, p in enumerate(pieces)]


def holes_for(marker: str) -> dict[str, str]:
    holes = {name: f"{marker}{name}" for name in NAMES if name != "messages_slot"}
    holes["messages_slot"] = f"{marker}messages"
    return holes


text = st.text(alphabet=st.characters(codec="utf-8"), max_size=40)


@settings(max_examples=400, deadline=None)
@given(
    pieces=st.lists(st.tuples(text, st.sampled_from([*NAMES, None])), max_size=8),
    tail=text,
    stray=st.booleans(),
)
def test_cut_equals_one_pattern_of_every_marker(pieces, tail, stray):
    marker = new_marker()
    holes = holes_for(marker)
    body = "".join(f"{t}{holes[n] if n else ''}" for t, n in pieces) + tail
    if stray:  # the marker followed by no hole's name stays text
        body += marker + "unknown"
    parts = _split(body, marker, holes, "utf-8")
    assert parts == oracle(body, holes, "utf-8")
    filled = b"".join(p if i % 2 == 0 else f"<{p}>".encode() for i, p in enumerate(parts))
    expected = body
    for name, value in sorted(holes.items(), key=lambda item: -len(item[1])):
        expected = expected.replace(value, f"<{name}>")
    assert filled == expected.encode()


def test_a_single_hole_and_no_hole():
    marker = new_marker()
    assert _split(f"a{marker}x b", marker, {"x": f"{marker}x"}, "utf-8") == [b"a", "x", b" b"]
    assert _split("plain", marker, {"csrf_token": f"{marker}csrf_token"}, "utf-8") == [b"plain"]
