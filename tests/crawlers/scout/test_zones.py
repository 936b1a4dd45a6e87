"""The site's time zone from the offsets its articles' dates carry."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from newsflow.crawlers.scout.zones import guess_zone


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_a_daylight_saving_change_names_the_zone() -> None:
    moments = [_at("2026-10-20T10:00:00-04:00"), _at("2026-11-20T10:00:00-05:00")]
    assert guess_zone(moments, "www.wp.example", "en")[0] == "America/New_York"


def test_the_country_domain_decides_between_zones_of_one_offset() -> None:
    moments = [_at("2026-11-20T10:00:00+03:00")]
    assert guess_zone(moments, "sana.sy", "en")[0] == "Asia/Damascus"
    assert guess_zone(moments, "news.example", "ru")[0] == "Europe/Moscow"


def test_naive_dates_give_utc_with_a_warning() -> None:
    zone, evidence = guess_zone([datetime(2026, 11, 20, 10)], "x.example", "en")
    assert zone == "UTC" and "check it" in evidence


def test_offsets_no_zone_keeps_fall_back_to_utc() -> None:
    odd = timezone(timedelta(hours=3, minutes=17))
    zone, evidence = guess_zone([datetime(2026, 11, 20, 10, tzinfo=odd)], "x.example", "en")
    assert zone == "UTC" and "fit no single zone" in evidence
