"""People and organisations in Arabic, a script without capitals: titles and their complements.

A title (المتحدث، وزير، الرئيس …) is followed by the body it speaks for, written with the
article ال or as a construct (باسم وزارة الخارجية الروسية), then by the name: words without
ال, up to a function word (أن، في …). An organisation word (وزارة، هيئة …) followed by
definite words names an organisation.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from newsflow.enrichment.cues import cue_words
from newsflow.enrichment.people import Found
from newsflow.enrichment.text import Token, arabic_variants, is_arabic

__all__ = ["find_arabic_names"]

_MAX_COMPLEMENT = 5
_MAX_NAME = 3
_MAX_ORGANISATION = 3


def find_arabic_names(tokens: Sequence[Token], taken: set[int]) -> list[Found]:
    """People after titles and organisations after organisation words, in Arabic text."""
    found: list[Found] = []
    for position, token in enumerate(tokens):
        if position in taken or not is_arabic(token.text):
            continue
        if _is(token, "ar_role"):
            person = _person_after(tokens, position, taken)
            if person is not None:
                found.append(person)
        elif _is(token, "ar_head"):
            organisation = _organisation_at(tokens, position, taken)
            if organisation is not None:
                found.append(organisation)
    return found


def _is(token: Token, kind: str) -> bool:
    return _has_cue(token.norm, kind)


@lru_cache(maxsize=50_000)
def _has_cue(norm: str, kind: str) -> bool:
    """Whether a folded word, or a form of it without clitics, is a cue word of this kind."""
    # Cached: each Arabic word is tested for up to four kinds, each over all its variants.
    words = cue_words(kind)
    return any(v in words for v in arabic_variants(norm))


def _definite(token: Token) -> bool:
    return token.norm.startswith("ال")


def _person_after(tokens: Sequence[Token], role: int, taken: set[int]) -> Found | None:
    start = role + 1
    while start < len(tokens) and start - role <= _MAX_COMPLEMENT:
        token = tokens[start]
        if not (start in taken or _definite(token) or _is(token, "ar_skip")):
            break
        start += 1
    end = start
    while end < len(tokens) and end - start < _MAX_NAME and _name_word(tokens[end], end, taken):
        # A definite word closes a name only as its family name (بشار الأسد).
        if _definite(tokens[end]) and end - start != 1:
            break
        end += 1
    if end - start < 2:
        return None
    return Found("person", start, end - 1, f"title:{tokens[role].text}")


def _name_word(token: Token, position: int, taken: set[int]) -> bool:
    return (
        position not in taken
        and is_arabic(token.text)
        and not _is(token, "ar_stop")
        and not _is(token, "ar_role")
        and len(token.norm) >= 2
    )


def _organisation_at(tokens: Sequence[Token], head: int, taken: set[int]) -> Found | None:
    end = head + 1
    while (
        end < len(tokens)
        and end - head <= _MAX_ORGANISATION
        and end not in taken
        and _definite(tokens[end])
    ):
        end += 1
    if end == head + 1:
        return None
    return Found("organisation", head, end - 1, f"head:{tokens[head].text}")
