"""Decoding by evidence: a declaration the bytes contradict is overruled, and the result says so.

Examples for what we mean (a UTF-8 header over windows-1256 Arabic, over windows-1251
Russian; a stray byte that is no evidence); properties for what must always hold: any bytes
decode without raising, a body that decodes as declared is read as declared, and an overruled
declaration gives way only to an encoding that decodes every byte.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsflow.charset import charset_conflict, decode_document, read_document

ARABIC = (
    "أكد وزير الخارجية والمغتربين أن سوريا ماضية في إعادة بناء مؤسساتها وتعزيز علاقاتها مع الدول"
    " الشقيقة والصديقة، مشيراً إلى أن الحوار هو الطريق الوحيد لحل الأزمات في المنطقة."
)
RUSSIAN = (
    "Президент России провёл телефонный разговор с председателем правительства, в ходе которого"
    " обсуждались вопросы социально-экономического развития регионов и подготовка к паводку."
)
UTF8_HEADER = "text/html; charset=utf-8"
HEADER = "the HTTP Content-Type header declares utf-8"
CONTENT_TYPES = (None, "text/html", UTF8_HEADER, "text/html; charset=windows-1256", "text/xml")


def _html(text: str, head: str = "") -> str:
    return f"<html><head>{head}<title>News</title></head><body><p>{text}</p></body></html>"


def _lost(body: bytes) -> int:
    return len(body.decode("utf-8", "replace")) - len(body.decode("utf-8", "ignore"))


def test_the_page_s_own_declaration_overrules_a_header_its_bytes_contradict() -> None:
    html = _html(ARABIC, '<meta charset="windows-1256">')
    body = html.encode("windows-1256")
    decoded = read_document(body, UTF8_HEADER)
    assert (decoded.encoding, decoded.text) == ("cp1256", html)
    assert decoded.conflict == (
        f"{HEADER}, which leaves {_lost(body)} byte sequences undecodable;"
        " read as cp1256, as the page itself declares"
    )
    assert decode_document(body, UTF8_HEADER) == ("cp1256", html)
    assert charset_conflict(body, UTF8_HEADER) == decoded.conflict


@pytest.mark.parametrize(
    ("text", "encoding", "codec"),
    [(ARABIC, "windows-1256", "cp1256"), (RUSSIAN, "windows-1251", "cp1251")],
    ids=["arabic", "russian"],
)
def test_detection_overrules_a_header_when_the_page_declares_nothing(
    text: str, encoding: str, codec: str
) -> None:
    html = _html(text)
    decoded = read_document(html.encode(encoding), UTF8_HEADER)
    assert (decoded.encoding, decoded.text) == (codec, html)
    assert decoded.conflict is not None
    assert decoded.conflict.endswith(f"read as {codec}, as detected")


def test_a_wrong_page_declaration_is_overruled_by_detection() -> None:
    html = _html(ARABIC, '<meta charset="utf-8">')  # a template's declaration, not the CMS's
    decoded = read_document(html.encode("windows-1256"), "text/html")
    assert (decoded.encoding, decoded.text) == ("cp1256", html)
    assert decoded.conflict is not None
    assert decoded.conflict.startswith("the document's own declaration declares utf-8")


def test_stray_bytes_in_a_page_of_its_declared_encoding_are_no_evidence() -> None:
    # A damaged UTF-8 page keeps UTF-8 (the bytes become U+FFFD); one windows-1252 apostrophe
    # in English is too little for detection, which would read it as Big5.
    damaged = _html(ARABIC).encode("utf-8").replace(b"</p>", b"\xd8</p>")
    assert read_document(damaged, UTF8_HEADER).encoding == "utf-8"
    assert read_document(damaged, UTF8_HEADER).text.count("\ufffd") == 1
    apostrophe = b"<html><body><p>It\x92s the harbour.</p></body></html>"
    assert read_document(apostrophe, UTF8_HEADER).conflict is None
    assert read_document(apostrophe, UTF8_HEADER).text.count("\ufffd") == 1


def test_nothing_declared_or_a_byte_order_mark_leaves_nothing_to_contradict() -> None:
    body = _html(ARABIC).encode("windows-1256")
    assert charset_conflict(body, "text/html") is None  # detected, not declared
    with_bom = b"\xef\xbb\xbf" + _html(ARABIC).encode("utf-8")
    assert read_document(with_bom, "text/html; charset=windows-1256").conflict is None


@given(st.binary(max_size=2048), st.sampled_from(CONTENT_TYPES))
def test_any_bytes_decode_and_an_overruled_declaration_yields_to_a_clean_decoding(
    body: bytes, content_type: str | None
) -> None:
    decoded = read_document(body, content_type)
    assert decode_document(body, content_type) == (decoded.encoding, decoded.text)
    if decoded.conflict is not None:
        assert decoded.text == body.decode(decoded.encoding)  # every byte decoded, none lost
        assert charset_conflict(body, content_type) == decoded.conflict


@given(st.text(max_size=500), st.sampled_from(["", '<meta charset="windows-1256">']))
def test_a_body_that_decodes_as_its_header_declares_is_read_as_declared(
    text: str, head: str
) -> None:
    html = _html(text, head)  # hypothesis's text has no lone surrogates: always valid UTF-8
    decoded = read_document(html.encode("utf-8"), UTF8_HEADER)
    assert (decoded.encoding, decoded.text, decoded.conflict) == ("utf-8", html, None)


@pytest.mark.filterwarnings("error::DeprecationWarning")
@pytest.mark.parametrize(
    ("body", "content_type", "encoding"),
    [
        ("\ufeff" + _html(RUSSIAN), "text/html; charset=windows-1251", "utf-8"),  # a BOM first
        (_html(RUSSIAN), "text/html; charset=koi8-r", "koi8-r"),  # then the header
        (_html(ARABIC, '<meta charset="windows-1256">'), None, "cp1256"),  # the declaration
        (_html(RUSSIAN), None, "utf-8"),  # undeclared, valid UTF-8
    ],
)
def test_the_standard_order_on_every_w3lib_release(
    body: str, content_type: str | None, encoding: str
) -> None:
    """w3lib 2.6 deprecates html_to_unicode's fallback and detector; the order is ours."""
    wire = body.encode("utf-8") if body.startswith("\ufeff") else body.encode(encoding)
    decoded = read_document(wire, content_type)
    assert decoded.encoding == encoding
    assert decoded.text == body.lstrip("\ufeff")
