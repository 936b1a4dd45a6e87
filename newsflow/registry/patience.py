"""Per-source patience: how long to wait for a host's answer, and how often to ask again.

An agency declares it in a ``[patience]`` block, an edition may override it, and either may
name single hosts (``[patience.hosts."archive.sana.sy"]``): SANA's archive host answers in
15–65 s and at times 503s for minutes, where its live site answers in one. A field left unset
falls back to the crawl settings (``NEWSFLOW_CRAWL__TIMEOUT``, ``__RETRY_TIMES``,
``__RETRY_BACKOFF``), so the polite defaults hold wherever nothing is declared.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

# A host name as links give it (lower case, no port): what a host entry is matched against.
_HOST = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+")


class Patience(BaseModel):
    """Timeout and retry values; each unset one is the next broader declaration's."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    download_timeout: float | None = Field(
        None,
        gt=0,
        le=3600,
        description="Seconds to wait for one answer (default: NEWSFLOW_CRAWL__TIMEOUT, 60).",
    )
    retries: int | None = Field(
        None,
        ge=0,
        le=20,
        description=(
            "Retries of a request that timed out, lost its connection or got a retry code, "
            "within one crawl (default: NEWSFLOW_CRAWL__RETRY_TIMES, 3)."
        ),
    )
    retry_http_codes: tuple[int, ...] | None = Field(
        None,
        description="HTTP statuses retried (default: 500 502 503 504 522 524 408 429).",
    )
    backoff: float | None = Field(
        None,
        ge=0,
        le=3600,
        description=(
            "Seconds before the first retry, doubled for each next; a longer Retry-After wins "
            "(default: NEWSFLOW_CRAWL__RETRY_BACKOFF, 2)."
        ),
    )
    backoff_max: float | None = Field(
        None, ge=0, le=3600, description="Longest wait before one retry (default: 120)."
    )

    @field_validator("retry_http_codes")
    @classmethod
    def _http_statuses(cls, value: tuple[int, ...] | None) -> tuple[int, ...] | None:
        bad = [code for code in value or () if not 400 <= code <= 599]
        if bad:
            raise ValueError(f"retry codes are HTTP error statuses (400-599), not {bad}")
        return value

    def over(self, broader: Patience) -> Patience:
        """These values where set, else ``broader``'s."""
        return broader.model_copy(update=self.model_dump(exclude_none=True, exclude={"hosts"}))


class PatienceBlock(Patience):
    """A ``[patience]`` block: values for every host, and entries for single hosts."""

    hosts: dict[str, Patience] = Field(
        default_factory=dict,
        description=(
            "Values for one host (exact name, e.g. 'archive.sana.sy'), over the block's own; "
            "each host must be one of the agency's domains or under one."
        ),
    )

    @field_validator("hosts")
    @classmethod
    def _host_names(cls, value: dict[str, Patience]) -> dict[str, Patience]:
        bad = [host for host in value if not _HOST.fullmatch(host)]
        if bad:
            raise ValueError(f"hosts are lower-case host names without a port, not {bad}")
        return value

    def values(self) -> Patience:
        """The block's own values, without its host entries."""
        return Patience.model_validate(self.model_dump(exclude={"hosts"}))


def resolve(agency: PatienceBlock, edition: PatienceBlock | None, host: str | None) -> Patience:
    """The values for a request to ``host`` (None: the source as a whole), unset ones None.

    Most specific first: the edition's entry for the host, the agency's entry for it, the
    edition's block, the agency's. A host's speed belongs to the host, which the agency's
    editions share, so a host entry wins over an edition's block.
    """
    layers = [agency.values()]
    if edition is not None:
        layers.append(edition.values())
    name = (host or "").lower().rstrip(".")
    for block in (agency, edition):
        if block is not None and name in block.hosts:
            layers.append(block.hosts[name])
    found = Patience()
    for layer in layers:
        found = layer.over(found)
    return found


def declared_hosts(*blocks: PatienceBlock | None) -> frozenset[str]:
    """Every host some block names."""
    return frozenset(host for block in blocks if block is not None for host in block.hosts)


__all__ = ["Patience", "PatienceBlock", "declared_hosts", "resolve"]
