"""Write static/css/site.css, the shop's one stylesheet: the part of Pico CSS the shop can use,
followed by shop.css without its comments.

One render-blocking request, and a small one: on a slow mobile link every extra stylesheet costs
a round trip before the first paint, and a sheet over about 14 KB gzipped needs a second round
trip of TCP slow start. Pico's full build is 83 KB (12 KB gzipped), mostly components, theme
variables and icons the shop never uses. So, as PurgeCSS would (but with no build tool):

- a Pico selector is kept when every class, id, element name and `data-*` attribute it names
  occurs as a word in the shop's markup sources (templates, the shop's scripts, the apps' Python,
  which holds form widgets and the rich-text allow-lists) or in Django's form widgets' markup.
  Other attributes (`[type=…]`, `[aria-invalid]`, `[role=…]`) are always kept: Django's widgets
  and the browser set them. Inside `:is()`/`:where()`/`:has()` one usable alternative is enough;
  `:not(…)` never removes a selector. `:host` (shadow DOM) never matches this document;
- a rule with no selector left goes, and so does an at-rule block left empty;
- a Pico custom property that nothing kept (Pico, shop.css) reads with `var()` goes, and so
  does a Pico `@keyframes` that nothing kept names.

The words are taken generously (any word anywhere in those files), so the purge errs towards
keeping. The bundle is committed next to its sources and tests/core/test_shell_assets.py fails when
it no longer equals what this script makes of them: after editing static/css/shop.css, a template
(a class Pico styles, say `secondary`), a script or Pico itself, run:

    python scripts/bundle_css.py          # rewrite the bundle
    python scripts/bundle_css.py --check  # exit 1 if it is stale
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CSS = ROOT / "static" / "css"
SOURCES = ("pico.min.css", "shop.css")
BUNDLE = CSS / "site.css"
# Pico's @charset must stay the very first bytes, so the note goes between the two sources.
NOTE = "\n/* site.css = {sources}, made by scripts/bundle_css.py: edit the sources, not this. */\n"
# Django's form widgets and error lists (django/forms/templates) render this markup on the shop's
# pages without it being in the shop's files: the elements, classes and the input types of the
# default widgets of Django's form fields (a widget given another type names it in the apps' code).
DJANGO_FORMS = (
    "input select option optgroup textarea label ul li div span p fieldset legend errorlist "
    "nonfield helptext text number email url password hidden checkbox radio file"
).split()
WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
IDENT = re.compile(r"-?[A-Za-z_][A-Za-z0-9_-]*|\*")
VAR_USE = re.compile(r"var\(\s*(--[A-Za-z0-9_-]+)")
GROUPING_AT_RULES = ("@media", "@supports", "@layer", "@container")
ANY_OF = {"is", "where", "matches", "-webkit-any", "-moz-any", "has"}
# Attribute selectors decide by name only for data-* (the shop sets those itself), by value for
# these (a type or role nothing renders), and never otherwise: aria-invalid, disabled, open and
# the like are set by Django's widgets, htmx or the browser.
BY_VALUE = {"type", "role"}
TEMPLATE_COMMENTS = re.compile(
    r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}|<!--.*?-->", re.DOTALL
)
JS_COMMENTS = re.compile(r"/\*.*?\*/|(?<![:\\])//[^\n]*", re.DOTALL)
JS_STRINGS = re.compile(r"\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*'|`(?:\\.|[^`\\])*`")


def _python_strings(source: str) -> Iterator[str]:
    """String constants of a module, docstrings left out (they are prose, not markup)."""
    tree = ast.parse(source)
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) not in docstrings:
                yield node.value


def vocabulary(root: Path = ROOT) -> set[str]:
    """Every word the shop's markup can hold: templates without their comments, the string
    literals of its scripts (htmx.min.js aside: the classes htmx sets are styled by shop.css,
    which is never purged) and of the apps' Python (form widgets, rich-text allow-lists)."""
    texts = list(DJANGO_FORMS)
    for path in sorted((root / "templates").rglob("*")):
        if path.suffix in {".html", ".txt"}:
            texts.append(TEMPLATE_COMMENTS.sub(" ", path.read_text(encoding="utf-8")))
    for path in sorted((root / "static" / "js").glob("*.js")):
        if path.name != "htmx.min.js":
            code = JS_COMMENTS.sub(" ", path.read_text(encoding="utf-8"))
            texts.extend(JS_STRINGS.findall(code))
    for path in sorted((root / "apps").rglob("*.py")):
        texts.extend(_python_strings(path.read_text(encoding="utf-8")))
    words = {word for text in texts for word in WORD.findall(text)}
    return words | {word.lower() for word in words}


# --- A small CSS reader: enough for Pico's minified build and shop.css --------------------------


def _skip_string(text: str, i: int) -> int:
    """Index just past the string starting at text[i] (a quote)."""
    quote, i = text[i], i + 1
    while i < len(text) and text[i] != quote:
        i += 2 if text[i] == "\\" else 1
    return i + 1


def _skip_comment(text: str, i: int) -> int:
    end = text.find("*/", i + 2)
    return len(text) if end < 0 else end + 2


def _code(text: str, i: int = 0):
    """The indexes of text[i:] outside strings and comments, in order."""
    while i < len(text):
        if text[i] in "\"'":
            i = _skip_string(text, i)
        elif text.startswith("/*", i):
            i = _skip_comment(text, i)
        else:
            yield i
            i += 1


def split_top(text: str, separator: str) -> list[str]:
    """Split on `separator` where it is outside strings, comments, (), [] and {}."""
    parts, depth, start = [], 0, 0
    for i in _code(text):
        char = text[i]
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == separator and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def parse(text: str) -> list[tuple[str, str, str | None]]:
    """Top-level items of a stylesheet (or of an at-rule's block): ("comment", text, None),
    ("statement", "@charset …;", None) or ("block", prelude, body)."""
    items, i = [], 0
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        if text.startswith("/*", i):
            end = _skip_comment(text, i)
            items.append(("comment", text[i:end], None))
            i = end
            continue
        start, depth = i, 0
        for j in _code(text, start):
            char = text[j]
            if char == ";" and depth == 0:
                items.append(("statement", text[start : j + 1].strip(), None))
                i = j + 1
                break
            if char == "{":
                if depth == 0:
                    brace = j
                depth += 1
            elif char == "}":
                depth -= 1
                if depth == 0:
                    items.append(("block", text[start:brace].strip(), text[brace + 1 : j]))
                    i = j + 1
                    break
        else:
            if text[start:].strip():
                raise ValueError(f"unterminated CSS near {text[start : start + 60]!r}")
            i = len(text)
    return items


# --- Purging -------------------------------------------------------------------------------------


def selector_can_match(selector: str, words: set[str]) -> bool:
    """False when the selector names a class, id, element or data-* attribute the shop's markup
    never has (or :host). Pseudo-classes other than :is/:where/:has/:not do not decide."""
    i, expect_type = 0, True
    while i < len(selector):
        char = selector[i]
        if char in "\"'":
            i = _skip_string(selector, i)
            continue
        if char in " >+~\n\t":
            expect_type = True
            i += 1
            continue
        if char in ".#":
            name = IDENT.match(selector, i + 1)
            if name is None:
                return True  # not a selector this reader understands: keep it
            if name.group() not in words:
                return False
            i, expect_type = name.end(), False
            continue
        if char == "[":
            end = _matching(selector, i, "[", "]")
            attribute = re.match(
                r"\s*([A-Za-z0-9_-]+)\s*(?:[~|^$*]?=\s*[\"']?([^\"'\]\s]*))?", selector[i + 1 : end]
            )
            if attribute:
                name, value = attribute.groups()
                if name.startswith("data-") and name not in words:
                    return False
                if name in BY_VALUE and value and value not in words:
                    return False
            i, expect_type = end + 1, False
            continue
        if char == ":":
            colons = 2 if selector.startswith("::", i) else 1
            name = IDENT.match(selector, i + colons)
            if name is None:
                return True
            i, pseudo = name.end(), name.group().lower()
            if colons == 1 and pseudo == "host":
                return False
            if i < len(selector) and selector[i] == "(":
                end = _matching(selector, i, "(", ")")
                argument = selector[i + 1 : end]
                if pseudo in ANY_OF and not any(
                    selector_can_match(part.strip(), words) for part in split_top(argument, ",")
                ):
                    return False
                i = end + 1
            expect_type = False
            continue
        name = IDENT.match(selector, i)
        if name is None:
            i += 1
            continue
        if expect_type and name.group() != "*" and name.group().lower() not in words:
            return False
        i, expect_type = name.end(), False
    return True


def _matching(text: str, i: int, opening: str, closing: str) -> int:
    depth = 0
    while i < len(text):
        char = text[i]
        if char in "\"'":
            i = _skip_string(text, i)
            continue
        if char == opening:
            depth += 1
        elif char == closing:
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return len(text) - 1


def _rewrite(
    text: str, rule: Callable[[str, str], str | None], keep_comment: Callable[[str], bool]
) -> str:
    """The stylesheet with each style rule replaced by `rule(prelude, body)` (None: dropped),
    inside grouping at-rules too (a group left empty goes); other at-rules (@keyframes,
    @font-face, @page) and statements kept whole; comments kept where `keep_comment` says."""
    out = []
    for kind, head, body in parse(text):
        if kind == "comment":
            if keep_comment(head):
                out.append(head)
        elif kind == "statement":
            out.append(head)
        elif head.startswith("@"):
            if head.lower().startswith(GROUPING_AT_RULES):
                inner = _rewrite(body, rule, keep_comment)
                if inner:
                    out.append(f"{head}{{{inner}}}")
            else:
                out.append(f"{head}{{{body}}}")
        else:
            kept = rule(head, body)
            if kept is not None:
                out.append(kept)
    return "".join(out)


def purge_rules(text: str, words: set[str]) -> str:
    """The stylesheet with the selectors that cannot match removed (and what that empties);
    of the comments only licence headers (`/*!`) stay."""

    def rule(head: str, body: str) -> str | None:
        kept = [s for s in split_top(head, ",") if selector_can_match(s.strip(), words)]
        return f"{','.join(kept)}{{{body}}}" if kept else None

    return _rewrite(text, rule, lambda comment: comment.startswith("/*!"))


def _declarations(text: str) -> Iterator[tuple[str, str | None]]:
    """Every declaration block in the stylesheet as (prelude, body), recursively."""
    for kind, head, body in parse(text):
        if kind != "block":
            continue
        if head.startswith("@") and head.lower().startswith(GROUPING_AT_RULES):
            yield from _declarations(body)
        else:
            yield head, body


def _used_properties(texts: Iterable[str], declared: dict[str, list[str]]) -> set[str]:
    """Custom properties read with var() by a normal declaration of any text, or by a custom
    property that is itself read (to a fixed point)."""
    used: set[str] = set()
    for text in texts:
        for head, body in _declarations(text):
            if head.startswith("@"):
                used.update(VAR_USE.findall(body))
                continue
            for declaration in split_top(body, ";"):
                if not declaration.strip().startswith("--"):
                    used.update(VAR_USE.findall(declaration))
    pending = list(used)
    while pending:
        for value in declared.get(pending.pop(), []):
            for name in VAR_USE.findall(value):
                if name not in used:
                    used.add(name)
                    pending.append(name)
    return used


def _custom_properties(texts: Iterable[str]) -> dict[str, list[str]]:
    declared: dict[str, list[str]] = {}
    for text in texts:
        for head, body in _declarations(text):
            if head.startswith("@"):
                continue
            for declaration in split_top(body, ";"):
                name, _, value = declaration.strip().partition(":")
                if name.startswith("--"):
                    declared.setdefault(name.strip(), []).append(value)
    return declared


def drop_properties(text: str, unused: set[str]) -> str:
    """The stylesheet without the declarations of `unused` custom properties (and rules or
    at-rule blocks that leaves empty)."""

    def rule(head: str, body: str) -> str | None:
        declarations = [
            d
            for d in split_top(body, ";")
            if d.strip() and d.strip().partition(":")[0].strip() not in unused
        ]
        return f"{head}{{{';'.join(declarations)}}}" if declarations else None

    return _rewrite(text, rule, lambda _comment: True)


def drop_keyframes(text: str, others: str) -> str:
    """The stylesheet without the @keyframes whose name no rule of it or of `others` uses."""
    items = parse(text)
    rules = "".join(f"{head}{{{body}}}" for kind, head, body in items if kind == "block")
    rules = re.sub(r"@keyframes\s+[\w-]+\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}", "", rules) + others
    used = set(WORD.findall(rules))
    out = []
    for kind, head, body in items:
        if kind == "block" and head.startswith("@keyframes"):
            if head.split()[1] not in used:
                continue
        out.append(head if body is None else f"{head}{{{body}}}")
    return "".join(out)


def purge(pico: str, shop: str, words: set[str]) -> str:
    kept = purge_rules(pico, words)
    declared = _custom_properties([kept])
    used = _used_properties([kept, shop], _custom_properties([kept, shop]))
    return drop_keyframes(drop_properties(kept, set(declared) - used), shop)


# --- shop.css: comments and spare whitespace out --------------------------------------------------


def minify(text: str) -> str:
    """Comments removed, runs of whitespace made one space, and no space around { } ; , or at
    either end of a block. Strings are left alone; spaces that mean something (descendant
    combinators, `a + b` in calc()) stay."""
    out, i = [], 0
    while i < len(text):
        char = text[i]
        if char in "\"'":
            end = _skip_string(text, i)
            out.append(text[i:end])
            i = end
        elif text.startswith("/*", i):
            i = _skip_comment(text, i)
            out.append(" ")
        elif char.isspace():
            out.append(" ")
            while i < len(text) and text[i].isspace():
                i += 1
        else:
            out.append(char)
            i += 1
    # Only outside strings: split on them so their spaces are left as they are.
    pieces = re.split(r"(\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*')", "".join(out))
    for index in range(0, len(pieces), 2):
        pieces[index] = re.sub(r" ?([{};,]) ?", r"\1", re.sub(r" +", " ", pieces[index]))
        pieces[index] = pieces[index].replace(";}", "}")
    return "".join(pieces).strip()


def bundle(root: Path = ROOT) -> str:
    css = root / "static" / "css"
    pico, shop = ((css / name).read_text() for name in SOURCES)
    shop = minify(shop)
    return purge(pico, shop, vocabulary(root)) + NOTE.format(sources=" + ".join(SOURCES)) + shop


def main(argv: list[str]) -> int:
    expected = bundle()
    if "--check" in argv:
        if not BUNDLE.exists() or BUNDLE.read_text() != expected:
            print(f"{BUNDLE} is stale: run python scripts/bundle_css.py", file=sys.stderr)
            return 1
        return 0
    BUNDLE.write_text(expected)
    print(f"wrote {BUNDLE} ({len(expected.encode())} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
