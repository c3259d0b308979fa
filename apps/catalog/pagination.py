"""Numbered page links that keep the rest of the query string (used by partials/pagination.html)."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest


@dataclass
class Pagination:
    request: HttpRequest
    number: int
    num_pages: int
    window: int = 2

    def url(self, number: int) -> str:
        query = self.request.GET.copy()
        query.pop("page", None)
        if number > 1:
            query["page"] = str(number)
        encoded = query.urlencode()
        return f"{self.request.path}?{encoded}" if encoded else self.request.path

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def previous_url(self) -> str:
        return self.url(self.number - 1)

    @property
    def next_url(self) -> str:
        return self.url(self.number + 1)

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
