"""A source's web archive: where its pages' captures are found when the site no longer gives them.

An agency declares it in a ``[web_archive]`` block; an edition may declare its own, which then
replaces the agency's whole. Off unless declared: newsflow asks an archive only for a source
that names one. The archive speaks the Wayback Machine's CDX API (``<cdx>?url=…&output=json``)
and serves each capture raw at ``<replay><timestamp>id_/<url>``, as web.archive.org, pywb and
OpenWayback do.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EarlierAddress(_Strict):
    """An address an article had before (or has beside) its current one, as a regex rewrite."""

    pattern: str = Field(description="Regex matched against the article URL.")
    to: str = Field(description="The other address, with \\1 … for the pattern's groups.")

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"invalid regular expression {value!r}: {exc}") from exc
        return value

    def rewrite(self, url: str) -> str | None:
        """The other address of ``url``, or None when the pattern does not match it."""
        found = re.search(self.pattern, url)
        return found.expand(self.to) if found else None


class WebArchive(_Strict):
    """A Wayback-style archive of the source's pages, and when newsflow asks it."""

    cdx: HttpUrl = Field(
        description="CDX API endpoint, e.g. https://web.archive.org/cdx/search/cdx"
    )
    replay: HttpUrl = Field(
        description="Replay prefix: a capture is <replay><timestamp>id_/<url>, e.g. "
        "https://web.archive.org/web/"
    )
    delay: float = Field(
        5.0, ge=0, description="Seconds between two requests to the archive (one at a time)."
    )
    fallback: bool = Field(
        True,
        description="Fetch a listed article's capture when the site fails it (timeout, 5xx "
        "after retries, 404).",
    )
    link_removed: bool = Field(
        True, description="Link an article a revisit found removed to its last capture."
    )
    hosts: tuple[str, ...] = Field(
        (),
        description="The article hosts the archive is asked about, e.g. 'archive.sana.sy' "
        "(default: every host of the agency).",
    )
    earlier: tuple[EarlierAddress, ...] = Field(
        (), description="The article's other addresses, whose captures count as its own."
    )
    discover: tuple[str, ...] = Field(
        (),
        description="URL prefixes a backfill --from-archive asks the index for (e.g. "
        "'sana.sy/en/'); default: the agency's domains, subdomains included.",
    )
    capture_slack_days: int = Field(
        31,
        ge=0,
        le=3660,
        description="Days after a backfill window whose captures may still hold its articles.",
    )
    page_size: int = Field(
        5000, ge=1, description="Index rows asked for at once (the rest: by resume key)."
    )

    @property
    def own_hosts(self) -> tuple[str, ...]:
        """The archive's hosts (CDX and replay may differ): each one more paced host."""
        names = (self.cdx.host, self.replay.host)
        return tuple(dict.fromkeys(name for name in names if name))

    def addresses(self, url: str) -> list[str]:
        """``url`` and its earlier addresses, each once, ``url`` first."""
        found = [url, *(r for r in (e.rewrite(url) for e in self.earlier) if r)]
        return list(dict.fromkeys(found))


__all__ = ["EarlierAddress", "WebArchive"]
