"""Numbered page links that keep the rest of the query string (used by partials/pagination.html).

"Next" and "load more" also carry `after`, the last card's position (apps.catalog.cursor), when
the page has one: the next page is then found by cursor however deep it is, and the URL still
names its page number, so it reloads, bookmarks and works without JavaScript as a numbered page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest


@dataclass
class Pagination:
    request: HttpRequest
    number: int
    num_pages: int
    window: int = 2
    next_token: str | None = None  # the encoded cursor after this page's last card
    more: bool | None = None  # whether cards follow (when known better than from the count)

    def url(self, number: int, after: str | None = None) -> str:
        query = self.request.GET.copy()
        query.pop("page", None)
        query.pop("after", None)
        if number > 1:
            query["page"] = str(number)
        if after:
            query["after"] = after
        encoded = query.urlencode()
        return f"{self.request.path}?{encoded}" if encoded else self.request.path

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.more if self.more is not None else self.number < self.num_pages

    @property
    def previous_url(self) -> str:
        return self.url(self.number - 1)

    @property
    def next_url(self) -> str:
        return self.url(self.number + 1, self.next_token)

    @property
    def links(self) -> list[tuple[int | None, str]]:
        """(page number, url) around the current page, first and last; None marks a gap."""
        shown = {1, self.num_pages} | set(
            range(
                max(1, self.number - self.window),
                min(self.num_pages, self.number + self.window) + 1,
            )
        )
        links: list[tuple[int | None, str]] = []
        previous = 0
        for number in sorted(shown):
            if number - previous > 1:
                links.append((None, ""))
            links.append((number, self.url(number)))
            previous = number
        return links
