"""Small article pages written by the tests themselves."""

from __future__ import annotations

from collections.abc import Callable

import pytest

PARAGRAPHS = (
    "The city council approved the new budget on Tuesday after a long debate that lasted "
    "well into the evening, with members arguing over funding for schools and roads.",
    "Supporters said the plan would repair ageing bridges and hire more teachers, while "
    "critics warned that the spending would force higher taxes within two years.",
    "The mayor is expected to sign the budget next week, officials said, adding that the "
    "first projects could begin before the end of the summer season.",
)


def article_page(
    head: str = "",
    header: str = "<h1>Council approves budget after long debate</h1>",
    paragraphs: tuple[str, ...] = PARAGRAPHS,
    extra: str = "",
) -> str:
    """A plain news page: head markup, a header block, body paragraphs, extra markup."""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Council approves budget after long debate</title>{head}</head>"
        f"<body><article><header>{header}</header><div class='content'>{body}</div>"
        f"{extra}</article></body></html>"
    )


@pytest.fixture
def page() -> Callable[..., str]:
    """Builder of small article pages (see article_page)."""
    return article_page
