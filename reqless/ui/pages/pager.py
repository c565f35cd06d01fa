"""The pager under every list: sizes, first/prev/next/last, "page N of M"."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from reqless.ui.http.paging import Page, page

__all__ = ["PAGE_SIZES", "Pager", "build", "hidden_fields", "read_page"]

PAGE_SIZES = (25, 50, 100, 250)


def read_page(query: Mapping[str, str]) -> Page:
    """`offset` and `limit` from the URL, with the API's bounds (400 when out of range)."""
    return page(query)


@dataclass(frozen=True)
class Pager:
    """Links and labels of one list's pager; `None` links are not rendered."""

    offset: int
    limit: int
    total: int | None
    shown: int
    number: int
    pages: int | None
    first: str | None
    prev: str | None
    next: str | None
    last: str | None
    past_end: bool
    sizes: tuple[int, ...]

    @property
    def range_text(self) -> str:
        if not self.shown:
            return "nothing to show"
        start = self.offset + 1
        end = self.offset + self.shown
        of = f" of {self.total:,}" if self.total is not None else ""
        return f"{start:,}-{end:,}{of}"


def build(
    link: Callable[..., str],
    pg: Page,
    total: int | None,
    shown: int,
    has_more: bool | None = None,
) -> Pager:
    """The pager of a list page.

    `link(offset=…, limit=…)` makes this page's URL with other parameters kept.
    Without a total, "next" follows `has_more` and there is no "last".
    """
    offset, limit = pg.offset, pg.limit
    number = offset // limit + 1
    pages = None
    last_offset = None
    if total is not None:
        pages = max((total + limit - 1) // limit, 1)
        last_offset = (pages - 1) * limit
        more = offset + shown < total
    else:
        more = bool(has_more)
    past_end = shown == 0 and offset > 0 and (total is None or offset >= total)
    return Pager(
        offset=offset,
        limit=limit,
        total=total,
        shown=shown,
        number=number,
        pages=pages,
        first=link(offset=0, limit=limit) if offset > 0 else None,
        prev=link(offset=max(offset - limit, 0), limit=limit) if offset > 0 else None,
        next=link(offset=offset + limit, limit=limit) if more else None,
        last=(
            link(offset=last_offset, limit=limit)
            if last_offset is not None and last_offset != offset
            else None
        ),
        past_end=past_end,
        sizes=PAGE_SIZES if limit in PAGE_SIZES else (*PAGE_SIZES, limit),
    )


def hidden_fields(query: Mapping[str, str], drop: tuple[str, ...]) -> list[tuple[str, Any]]:
    """The query parameters a page-size form must carry along."""
    return [(k, v) for k, v in query.items() if k not in drop]
