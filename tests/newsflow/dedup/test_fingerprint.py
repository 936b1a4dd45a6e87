"""Fingerprints and the near-duplicate verdict, including the short-body guard."""

from __future__ import annotations

from newsflow.dedup.fingerprint import MIN_SHINGLES, fingerprint, near_similarity

LONG = " ".join(f"word{n}" for n in range(120))
TEMPLATE = "The two sides stressed the importance of continuing cooperation in the coming period."


def test_near_copy_passes_and_unrelated_text_does_not() -> None:
    base = fingerprint("Title", LONG)
    copy = fingerprint("Title", LONG.replace("word50", "changed"))
    other = fingerprint("Title", " ".join(f"other{n}" for n in range(120)))
    similarity = near_similarity(base, copy)
    assert similarity is not None and 0.9 < similarity < 1.0
    assert near_similarity(base, other) is None
    assert len(base.near_keys) == 18


def test_too_short_bodies_are_never_near_duplicates() -> None:
    short = fingerprint("A", "Only a few words here.")
    assert short.shingles.size < MIN_SHINGLES and short.near_keys == ()
    assert near_similarity(short, short) is None


def test_short_bodies_of_one_template_need_agreeing_titles() -> None:
    lead_a = "Minister received a delegation on Monday."
    lead_b = "Minister received a delegation on Sunday."
    a = fingerprint("Minister receives Russian delegation", f"{lead_a}\n{TEMPLATE}")
    b = fingerprint("Cultural week opens in Prague", f"{lead_b}\n{TEMPLATE}")
    assert a.shingles.size < 25
    assert near_similarity(a, b) is None
    # The same short text again (other spacing and case) with its title is a copy.
    again = fingerprint("Minister receives Russian delegation", f"{lead_a.upper()}\n\n{TEMPLATE}")
    assert near_similarity(a, again) == 1.0
