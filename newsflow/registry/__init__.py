"""The agency registry: one TOML declaration per agency, each edition a source."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from newsflow.registry.models import Agency, Edition, Listing, ListingMarkup, Revisit, Rules
from newsflow.registry.patience import Patience, PatienceBlock, resolve
from newsflow.registry.user import REGISTRY_PATH_ENV, user_agencies_dir
from newsflow.registry.webarchive import WebArchive

AGENCIES_DIR = Path(__file__).with_name("agencies")

__all__ = [
    "AGENCIES_DIR",
    "REGISTRY_PATH_ENV",
    "Agency",
    "Edition",
    "Listing",
    "ListingMarkup",
    "Patience",
    "PatienceBlock",
    "RegistryError",
    "Revisit",
    "Rules",
    "Source",
    "UnknownSourceError",
    "WebArchive",
    "agency_file",
    "forget_loaded",
    "get_source",
    "load_agency",
    "load_registry",
    "registry_dirs",
]


class RegistryError(ValueError):
    """A registry file is missing, unreadable or invalid; the message names file and field."""


class UnknownSourceError(RegistryError):
    """No source of the (valid) registry has the id asked for; the message lists the known ones."""


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

    @property
    def revisit(self) -> Revisit:
        """The revisit policy: the edition's own, else the agency's (default 48 h, every 6 h)."""
        return self.edition.revisit or self.agency.revisit

    @property
    def schedule(self) -> str:
        """The cron of scheduled ingestion: the edition's own, else the agency's."""
        return self.edition.schedule or self.agency.schedule

    @property
    def crawl_timeout_minutes(self) -> float | None:
        """The longest a crawl may run: the edition's, else the agency's, else None (setting)."""
        return self.edition.crawl_timeout_minutes or self.agency.crawl_timeout_minutes

    @property
    def web_archive(self) -> WebArchive | None:
        """The source's web archive: the edition's own, else the agency's, else None (off)."""
        return self.edition.web_archive or self.agency.web_archive

    def patience(self, host: str | None = None) -> Patience:
        """Timeout and retries for a request to ``host`` (None: to any host); unset values
        are the crawl settings'."""
        return resolve(self.agency.patience, self.edition.patience, host)

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
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        raise RegistryError(
            f"{path}: not UTF-8 (byte 0x{exc.object[exc.start]:02x} on line {line}); "
            "agency files are UTF-8 TOML"
        ) from exc
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


def registry_dirs() -> tuple[Path, ...]:
    """The bundled agencies, the user's own (``sources add`` writes there), then any
    directories listed in ``NEWSFLOW_REGISTRY_PATH``; a later one's agency replaces an earlier.

    A listed directory that does not exist is a RegistryError, not skipped: its agencies would
    silently go missing from every run. Empty entries (``a::b``, a trailing separator) are.
    The user's directory counts only once it exists.
    """
    extra = os.environ.get(REGISTRY_PATH_ENV, "")
    listed = tuple(Path(p) for p in extra.split(os.pathsep) if p)
    for directory in listed:
        if not directory.is_dir():
            state = "is not a directory" if directory.exists() else "does not exist"
            raise RegistryError(f"{REGISTRY_PATH_ENV} lists {directory}, which {state}")
    user = user_agencies_dir()
    own = (user,) if user.is_dir() and user not in listed else ()
    return (AGENCIES_DIR, *own, *listed)


def agency_file(agency_id: str) -> Path | None:
    """The file that declares ``agency_id`` in the registry (the last directory's), or None."""
    found = [
        d / f"{agency_id}.toml" for d in registry_dirs() if (d / f"{agency_id}.toml").is_file()
    ]
    return found[-1] if found else None


def forget_loaded() -> None:
    """Read the registry's files again on the next load (after a file was written)."""
    _load.cache_clear()


def load_registry(directory: Path | None = None) -> dict[str, Source]:
    """Every source of every agency in ``directory`` (default: ``registry_dirs()``), by id."""
    return _load((directory,) if directory is not None else registry_dirs())


@lru_cache(maxsize=4)
def _load(directories: tuple[Path, ...]) -> dict[str, Source]:
    # A later directory's agency file replaces the earlier one whole: editions it leaves out
    # are gone, not inherited from the bundled file.
    agencies: dict[str, Agency] = {}
    for directory in directories:
        for path in sorted(directory.glob("*.toml")):
            agency = load_agency(path)
            agencies[agency.id] = agency
    return {
        source.id: source
        for agency in agencies.values()
        for source in (Source(agency, key) for key in agency.editions)
    }


def get_source(source_id: str, directory: Path | None = None) -> Source:
    """The registry source with this id, or a RegistryError listing the known ones."""
    sources = load_registry(directory)
    try:
        return sources[source_id]
    except KeyError:
        known = ", ".join(sorted(sources)) or "(none)"
        raise UnknownSourceError(f"unknown source {source_id!r}; known sources: {known}") from None
