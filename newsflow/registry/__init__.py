"""The agency registry: one TOML declaration per agency, each edition a source."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from newsflow.registry.models import Agency, Edition, Listing, ListingMarkup, Rules

AGENCIES_DIR = Path(__file__).with_name("agencies")

__all__ = [
    "AGENCIES_DIR",
    "Agency",
    "Edition",
    "Listing",
    "ListingMarkup",
    "RegistryError",
    "Rules",
    "Source",
    "get_source",
    "load_agency",
    "load_registry",
]


class RegistryError(ValueError):
    """A registry file is missing, unreadable or invalid; the message names file and field."""


@dataclass(frozen=True)
class Source:
    """One crawlable source: an agency edition such as ``sana-en``."""

    agency: Agency
    edition_key: str

    @property
    def id(self) -> str:
        return f"{self.agency.id}-{self.edition_key}"

    @property
    def edition(self) -> Edition:
        return self.agency.editions[self.edition_key]

    @property
    def name(self) -> str:
        return self.edition.name or f"{self.agency.name} ({self.edition_key})"

    @property
    def language(self) -> str:
        return self.edition.language

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.agency.timezone)

    @cached_property
    def _article_res(self) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(p) for p in self.edition.article_patterns)

    def is_article_url(self, url: str) -> bool:
        """Whether a URL has the shape of one of this source's articles."""
        return any(p.search(url) for p in self._article_res)

    def owns_host(self, host: str) -> bool:
        """Whether links to this host belong to the agency."""
        host = host.lower().rstrip(".")
        return any(host == d or host.endswith("." + d) for d in self.agency.domains)


def load_agency(path: Path) -> Agency:
    """Read and validate one agency file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RegistryError(f"{path}: {exc}") from exc
    try:
        agency = Agency.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(top)'}: {err['msg']}"
            for err in exc.errors()
        )
        raise RegistryError(f"{path}: {problems}") from exc
    if agency.id != path.stem:
        raise RegistryError(f"{path}: id {agency.id!r} must match the file name {path.stem!r}")
    return agency


@lru_cache(maxsize=4)
def load_registry(directory: Path = AGENCIES_DIR) -> dict[str, Source]:
    """Every source of every agency in ``directory``, keyed by source id."""
    sources: dict[str, Source] = {}
    for path in sorted(directory.glob("*.toml")):
        agency = load_agency(path)
        for key in agency.editions:
            source = Source(agency, key)
            sources[source.id] = source
    return sources


def get_source(source_id: str, directory: Path = AGENCIES_DIR) -> Source:
    """The registry source with this id, or a RegistryError listing the known ones."""
    sources = load_registry(directory)
    try:
        return sources[source_id]
    except KeyError:
        known = ", ".join(sorted(sources)) or "(none)"
        raise RegistryError(f"unknown source {source_id!r}; known sources: {known}") from None
