"""The word diff `newsflow history` prints."""

from __future__ import annotations

from newsflow.worddiff import word_diff

WORDS = " ".join(f"w{n}" for n in range(40))


def test_a_replaced_word_is_marked_with_context_around_it() -> None:
    new = WORDS.replace("w20", "changed")
    assert word_diff(WORDS, new, 3) == "… w17 w18 w19 [-w20-] {+changed+} w21 w22 w23 …"


def test_additions_and_removals_at_the_ends() -> None:
    assert word_diff("a b c", "a b c d") == "a b c {+d+}"
    assert word_diff("a b c", "b c") == "[-a-] b c"


def test_the_whole_text_is_kept_without_a_context_limit() -> None:
    new = WORDS.replace("w5", "x")
    assert word_diff(WORDS, new, None) == WORDS.replace("w5", "[-w5-] {+x+}")


def test_whitespace_alone_is_no_difference() -> None:
    assert word_diff("a  b\n\nc", "a b c") == ""


def test_nearby_changes_share_their_context() -> None:
    assert word_diff("a b c d e", "a X c Y e", 2) == "a [-b-] {+X+} c [-d-] {+Y+} e"
