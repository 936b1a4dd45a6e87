"""The site's time zone, read off the UTC offsets its articles' own dates carry.

A zone is kept only if it gives every sampled instant the offset the page wrote (so a sample
across a daylight-saving change tells New York from Bogotá). Among the zones that fit, the
site's country (its host's country-code domain) comes first, then the zone its language is
mostly written in, then a short list of the zones news agencies publish from.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

# Country-code domains of the agencies' countries, to the zone their capital keeps.
_BY_TLD = {
    "sy": "Asia/Damascus", "ru": "Europe/Moscow", "by": "Europe/Minsk", "ua": "Europe/Kyiv",
    "cn": "Asia/Shanghai", "ir": "Asia/Tehran", "tr": "Europe/Istanbul", "kp": "Asia/Pyongyang",
    "kr": "Asia/Seoul", "jp": "Asia/Tokyo", "kz": "Asia/Almaty", "cu": "America/Havana",
    "ve": "America/Caracas", "my": "Asia/Kuala_Lumpur", "id": "Asia/Jakarta", "ae": "Asia/Dubai",
    "sa": "Asia/Riyadh", "kw": "Asia/Kuwait", "eg": "Africa/Cairo", "fr": "Europe/Paris",
    "de": "Europe/Berlin", "uk": "Europe/London", "sg": "Asia/Singapore", "in": "Asia/Kolkata",
    "iq": "Asia/Baghdad", "lb": "Asia/Beirut", "qa": "Asia/Qatar", "es": "Europe/Madrid",
}  # fmt: skip
# A language to the zone most of its news is written in.
_BY_LANGUAGE = {
    "ru": "Europe/Moscow", "fr": "Europe/Paris", "de": "Europe/Berlin", "tr": "Europe/Istanbul",
    "fa": "Asia/Tehran", "zh": "Asia/Shanghai", "ja": "Asia/Tokyo", "ko": "Asia/Seoul",
    "uk": "Europe/Kyiv", "it": "Europe/Rome", "es": "Europe/Madrid", "pt": "Europe/Lisbon",
}  # fmt: skip
_COMMON = (
    "UTC", "Europe/London", "Europe/Paris", "Europe/Moscow", "America/New_York",
    "America/Chicago", "America/Denver", "America/Los_Angeles", "Asia/Shanghai", "Asia/Tokyo",
    "Asia/Singapore", "Asia/Kolkata", "Asia/Dubai", "Asia/Tehran", "Asia/Damascus",
    "Europe/Istanbul", "Africa/Cairo", "Asia/Riyadh", "Australia/Sydney", "America/Sao_Paulo",
)  # fmt: skip


def guess_zone(moments: Sequence[datetime], host: str = "", language: str = "") -> tuple[str, str]:
    """The IANA zone that fits the moments' offsets, and the evidence for it."""
    aware = [m for m in moments if m.tzinfo is not None and m.utcoffset() is not None]
    if not aware:
        return "UTC", "no sampled date carried a UTC offset: UTC assumed, check it"
    fitting = [z for z in _zones() if all(_fits(z, m) for m in aware)]
    offsets = sorted({_offset(m) for m in aware})
    said = f"offsets {', '.join(offsets)} on {len(aware)} sampled dates"
    preferred = (_BY_TLD.get(host.rsplit(".", 1)[-1], ""), _BY_LANGUAGE.get(language, ""))
    for zone in (*preferred, *_COMMON):
        if zone in fitting:
            return zone, said
    if fitting:
        return fitting[0], said
    return "UTC", f"{said} fit no single zone: UTC assumed, check it"


def _offset(moment: datetime) -> str:
    """``+03:00``, as the pages write it."""
    minutes = int(moment.utcoffset().total_seconds() // 60)  # type: ignore[union-attr]
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _fits(zone: str, moment: datetime) -> bool:
    return moment.astimezone(ZoneInfo(zone)).utcoffset() == moment.utcoffset()


@cache
def _zones() -> tuple[str, ...]:
    """Canonical Area/City zones, sorted (links and Etc/ zones left out)."""
    areas = ("Africa/", "America/", "Asia/", "Atlantic/", "Australia/", "Europe/", "Pacific/")
    return ("UTC", *sorted(z for z in available_timezones() if z.startswith(areas)))
