"""A fetched page's text: the bytes decoded as a browser would, so Arabic and Russian survive."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newsflow.charset import decode_document
from newsflow.page import FetchedPage, PageKind

ARABIC = (
    "دمشق-سانا: أكد وزير الخارجية والمغتربين أن سوريا ماضية في إعادة بناء مؤسساتها وتعزيز "
    "علاقاتها مع الدول الشقيقة والصديقة، مشيراً إلى أن الحوار هو الطريق الوحيد لحل الأزمات في "
    "المنطقة. وأضاف الوزير خلال مؤتمر صحفي عقده اليوم أن الحكومة تعمل على تحسين الخدمات."
)
RUSSIAN = (
    "Москва, 12 марта. Президент России провёл телефонный разговор с председателем "
    "правительства, в ходе которого обсуждались вопросы социально-экономического развития "
    "регионов и подготовка к весеннему паводку. Стороны также затронули тему поддержки "
    "сельского хозяйства и строительства новых дорог."
)


def _html(text: str, head: str = "") -> str:
    return f"<html><head>{head}<title>{text[:12]}</title></head><body><p>{text}</p></body></html>"


def _page(body: bytes, content_type: str | None = "text/html") -> FetchedPage:
    headers = {"Content-Type": content_type} if content_type else {}
    return FetchedPage(
        url="https://example.org/a",
        final_url="https://example.org/a",
        status=200,
        kind=PageKind.ARTICLE,
        fetched_at=datetime.now(UTC),
        body=body,
        headers=headers,
    )


@pytest.mark.parametrize(
    ("text", "encoding", "head", "content_type"),
    [
        (ARABIC, "windows-1256", '<meta charset="windows-1256">', "text/html"),
        (
            ARABIC,
            "windows-1256",
            '<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">',
            None,
        ),
        (RUSSIAN, "windows-1251", "", "text/html; charset=windows-1251"),
        (RUSSIAN, "windows-1251", '<meta charset="windows-1251">', "text/html"),
        (RUSSIAN, "koi8-r", '<meta charset="koi8-r">', "text/html"),
        (RUSSIAN, "koi8-r", "", "text/html; charset=KOI8-R"),
    ],
    ids=["ar-meta", "ar-http-equiv", "ru-1251-header", "ru-1251-meta", "koi8-meta", "koi8-header"],
)
def test_declared_encodings_round_trip_exactly(
    text: str, encoding: str, head: str, content_type: str | None
) -> None:
    html = _html(text, head)
    decoded = _page(html.encode(encoding), content_type).text
    assert decoded == html
    assert "\ufffd" not in decoded


@pytest.mark.parametrize(
    ("text", "encoding"),
    [(ARABIC, "windows-1256"), (RUSSIAN, "windows-1251"), (RUSSIAN, "koi8-r"), (ARABIC, "utf-8")],
)
def test_undeclared_encodings_are_detected(text: str, encoding: str) -> None:
    html = _html(text)
    assert _page(html.encode(encoding)).text == html


def test_the_http_charset_outranks_the_page_declaration() -> None:
    html = _html(RUSSIAN, '<meta charset="windows-1251">')  # a stale template declaration
    assert _page(html.encode("utf-8"), "text/html; charset=utf-8").text == html


def test_a_byte_order_mark_outranks_the_http_charset_as_in_browsers() -> None:
    html = _html(ARABIC)
    body = b"\xef\xbb\xbf" + html.encode("utf-8")
    assert decode_document(body, "text/html; charset=windows-1256") == ("utf-8", html)


def test_header_names_are_matched_whatever_their_case() -> None:
    page = FetchedPage(
        url="https://example.org/a",
        final_url="https://example.org/a",
        status=200,
        kind=PageKind.ARTICLE,
        fetched_at=datetime.now(UTC),
        body=_html(RUSSIAN).encode("koi8-r"),
        headers={"content-type": "text/html; charset=koi8-r"},
    )
    assert page.header("Content-Type") == "text/html; charset=koi8-r"
    assert page.text == _html(RUSSIAN)
