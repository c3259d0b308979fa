"""Search suggestions while the shopper types: product names, categories and attribute values.

Typo tolerant on PostgreSQL through pg_trgm, in one SQL statement whatever the catalog size:

- products: each typed word is looked up among the distinct words of product names (a table
  kept by a trigger: 74 words for the 100,000-product demo catalog): it stands for the words it
  starts, and one that starts none ("jakcet", "sheos") for its closest known words by trigram
  similarity. The words,
  ANDed, are matched in a GIN index of name words (migration 0008), reading only the first few
  matching rows, so "bo" (a quarter of the catalog) costs little more than "parka"; the
  rows are then ranked by word similarity to what was typed, names shared by several products
  suggested once. (A trigram index on the names themselves was measured and dropped: see
  migration 0008.)
- categories and attribute values: the vocabulary `catalog_meta` already holds (cached per
  catalog version, shared with the listing), sent as an array and scored by word similarity
  (similarity to the best-matching stretch of words, so "aple" finds "Apple").

The answer is cached per catalog version and normalised query, so a write never leaves a stale
suggestion behind and the next shopper typing the same prefix costs no query at all. On SQLite
(the embedded `make run` default) a plain case-insensitive substring match stands in.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.cache import cache
from django.db import connection
from django.urls import reverse

from .models import AttributeDefinition, Product
from .selectors import CACHE_TTL, CatalogMeta, catalog_meta, catalog_version

MIN_LENGTH = 2
# Longer input is cut here: nobody types a 64-character prefix, and trigram work grows with it.
MAX_LENGTH = 64
MAX_SUGGESTIONS = 8
# How many of each kind at most, so one kind never crowds out the others.
LIMITS = {"product": 5, "category": 3, "value": 3}
# Product rows read (the first that match) before names shared by several products are merged.
PRODUCT_CANDIDATES = 40
# Lowest word similarity suggested: one typo in a five-letter word ("sheos") scores 1/3.
MIN_SIMILARITY = 0.3
# For one- or two-trigram inputs ("sh") a third is any word that starts with the same letter.
MIN_SIMILARITY_SHORT = 0.5
SHORT = 3
# Once something matches well, weak look-alikes are noise ("boot" also shares "bo" with
# "Borealis"): only suggestions within this much similarity of the best one are kept.
SPREAD = 0.35

_WORD = re.compile(r"[^\W_]+")

GROUPS = (("product", "Products"), ("category", "Categories"), ("value", "Filters"))


@dataclass(frozen=True)
class Suggestion:
    kind: str
    label: str
    url: str
    detail: str = ""


@dataclass(frozen=True)
class Group:
    kind: str
    label: str
    items: tuple[Suggestion, ...]


@dataclass(frozen=True)
class Suggestions:
    query: str
    groups: tuple[Group, ...] = ()

    @property
    def count(self) -> int:
        return sum(len(group.items) for group in self.groups)


def normalise(q: str) -> str:
    """The query as matched and cached: control and format characters dropped (a NUL would make
    PostgreSQL refuse the statement), whitespace collapsed, case folded, cut to MAX_LENGTH."""
    kept = "".join(
        " " if ch.isspace() else ch
        for ch in q[: MAX_LENGTH * 4]
        if ch.isspace() or unicodedata.category(ch)[0] != "C"
    )
    return " ".join(kept.split()).casefold()[:MAX_LENGTH].strip()


def suggestions(q: str) -> Suggestions:
    """Up to MAX_SUGGESTIONS for what the shopper typed, grouped by kind; none under MIN_LENGTH.

    One query (none when cached), plus catalog_meta's two when its cache is cold (once per
    catalog version for the whole shop)."""
    term = normalise(q)
    if len(term) < MIN_LENGTH:
        return Suggestions(query=term)
    version = catalog_version()
    digest = hashlib.blake2b(term.encode(), digest_size=16).hexdigest()
    key = f"catalog:suggest:{version}:{digest}"
    found = cache.get(key)
    if found is None:
        found = _suggest(term, _vocabulary(version))
        cache.set(key, found, CACHE_TTL)
    return found


@dataclass(frozen=True)
class _Entry:
    """A vocabulary entry (category or attribute value) and the suggestion it becomes."""

    text: str
    suggestion: Suggestion


# The vocabulary of the current catalog version, built once per process and version: a derived
# copy of catalog_meta (which stays the shared source), saving its Redis read and the URLs.
_built: dict[int, list[_Entry]] = {}


def _vocabulary(version: int) -> list[_Entry]:
    entries = _built.get(version)
    if entries is None:
        entries = _build_vocabulary(catalog_meta(version))
        _built.clear()
        _built[version] = entries
    return entries


def _build_vocabulary(meta: CatalogMeta) -> list[_Entry]:
    entries = []
    for category in meta.categories:
        parents = " › ".join(c.name for c in meta.ancestors(category)[:-1])
        entries.append(
            _Entry(
                category.name,
                Suggestion("category", category.name, category.get_absolute_url(), parents),
            )
        )
    listing = reverse("catalog:list")
    for definition in meta.definitions:
        # Yes/no and numeric values ("Yes", "42") say nothing on their own.
        if definition.kind != AttributeDefinition.Kind.CHOICE:
            continue
        for value in definition.values:
            url = f"{listing}?{urlencode({definition.slug: value})}"
            entries.append(_Entry(value, Suggestion("value", value, url, definition.name)))
    return entries


def _suggest(term: str, vocabulary: list[_Entry]) -> Suggestions:
    if connection.vendor == "postgresql":
        products, matched = _postgres_matches(term, vocabulary)
    else:
        products, matched = _substring_matches(term, vocabulary)
    # Best first across kinds, each kind capped, MAX_SUGGESTIONS in all.
    ranked = sorted([*products, *matched], key=lambda pair: pair[0])
    if ranked:
        cutoff = ranked[0][0][0] + SPREAD
        ranked = [pair for pair in ranked if pair[0][0] <= cutoff]
    taken: dict[str, list[Suggestion]] = {kind: [] for kind, _ in GROUPS}
    total = 0
    for _score, suggestion in ranked:
        bucket = taken[suggestion.kind]
        if total < MAX_SUGGESTIONS and len(bucket) < LIMITS[suggestion.kind]:
            bucket.append(suggestion)
            total += 1
    groups = tuple(Group(kind, label, tuple(taken[kind])) for kind, label in GROUPS if taken[kind])
    return Suggestions(query=term, groups=groups)


MAX_WORDS = 6
# A typed word that is no known word and starts none stands for its closest known words.
TYPO_ALTERNATIVES = 2
MIN_WORD_SIMILARITY = 0.2

# One statement. Each typed word stands for the words it starts (a tsquery prefix) and, when it
# starts no known word (catalog_nameword, migration 0008), also for its closest known words by
# trigram similarity; the typed words
# are ANDed and matched against the words of product names (the unstemmed name-only GIN index of
# migration 0008), reading only the first PRODUCT_CANDIDATES rows however many match. Then the
# vocabulary (categories, attribute values) is scored by word similarity. Typed words are
# alphanumeric (tokenised in Python) and quoted with quote_literal: no input breaks the tsquery.
_SUGGEST_SQL = """
WITH typed AS (
  SELECT t.tok, t.pos FROM unnest(%(tokens)s::text[]) WITH ORDINALITY AS t(tok, pos)
),
known AS (
  SELECT typed.pos, w.word, similarity(typed.tok, w.word) AS sim,
         bool_or(w.word = typed.tok OR starts_with(w.word, typed.tok))
           OVER (PARTITION BY typed.pos) AS matched
  FROM typed CROSS JOIN catalog_nameword AS w
  WHERE w.word = typed.tok OR starts_with(w.word, typed.tok)
     OR similarity(typed.tok, w.word) >= %(min_word_sim)s
),
alternatives AS (
  SELECT pos, quote_literal(tok) || ':*' AS term FROM typed
  UNION ALL
  SELECT pos, quote_literal(word)
  FROM (
    SELECT pos, word, row_number() OVER (PARTITION BY pos ORDER BY sim DESC, word) AS n
    FROM known WHERE NOT matched
  ) closest
  WHERE n <= %(typos)s
),
search AS (
  SELECT to_tsquery('simple', string_agg('(' || alts || ')', ' & ')) AS query
  FROM (SELECT pos, string_agg(term, ' | ') AS alts FROM alternatives GROUP BY pos) per_word
)
SELECT 0, p.name, p.slug, p.name <->> %(q)s
FROM (
  SELECT name, slug FROM catalog_product
  WHERE to_tsvector('simple'::regconfig, name) @@ (SELECT query FROM search)
    AND status = 'active' AND max_price IS NOT NULL
  LIMIT %(candidates)s
) p
UNION ALL
SELECT 1, v.text, v.idx::text, 1 - word_similarity(%(q)s, v.text)
FROM unnest(%(texts)s::text[]) WITH ORDINALITY AS v(text, idx)
WHERE word_similarity(%(q)s, v.text) >= %(min_sim)s
"""


def _rank(distance: float, text: str, term: str) -> tuple:
    folded = text.casefold()
    return (round(distance, 4), not folded.startswith(term), len(folded), folded)


def _postgres_matches(term: str, vocabulary: list[_Entry]):
    minimum = MIN_SIMILARITY_SHORT if len(term) <= SHORT else MIN_SIMILARITY
    tokens = _WORD.findall(term)[:MAX_WORDS]
    with connection.cursor() as cursor:
        cursor.execute(
            _SUGGEST_SQL,
            {
                "q": term,
                "tokens": tokens,
                "min_word_sim": MIN_WORD_SIMILARITY,
                "typos": TYPO_ALTERNATIVES,
                "candidates": PRODUCT_CANDIDATES,
                "texts": [entry.text for entry in vocabulary],
                "min_sim": minimum,
            },
        )
        rows = cursor.fetchall()
    products, matched = [], []
    for source, text, ref, distance in rows:
        if source == 0:  # matched by the tsquery: the distance only ranks it
            products.append((_rank(distance, text, term), _product(text, ref)))
        else:
            entry = vocabulary[int(ref) - 1]
            matched.append((_rank(distance, text, term), entry.suggestion))
    return _distinct_names(products), matched


def _substring_matches(term: str, vocabulary: list[_Entry]):
    rows = (
        Product.objects.filter(
            status=Product.Status.ACTIVE, max_price__isnull=False, name__icontains=term
        )
        .order_by("name", "pk")
        .values_list("name", "slug")[:PRODUCT_CANDIDATES]
    )
    products = [(_rank(0.0, name, term), _product(name, slug)) for name, slug in rows]
    matched = [
        (_rank(0.0, entry.text, term), entry.suggestion)
        for entry in vocabulary
        if term in entry.text.casefold()
    ]
    return _distinct_names(products), matched


def _product(name: str, slug: str) -> Suggestion:
    return Suggestion("product", name, reverse("catalog:product", kwargs={"slug": slug}))


def _distinct_names(products: list[tuple]) -> list[tuple]:
    """One suggestion per name (the best-ranked product bearing it): several products may share
    a name, and a list of identical lines helps nobody."""
    seen: set[str] = set()
    unique = []
    for rank, suggestion in sorted(products, key=lambda pair: (pair[0], pair[1].url)):
        folded = suggestion.label.casefold()
        if folded not in seen:
            seen.add(folded)
            unique.append((rank, suggestion))
    return unique
