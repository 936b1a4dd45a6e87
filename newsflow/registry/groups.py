"""Sources grouped as analysts think of them: by agency, country, owner type and collection."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from newsflow.registry import RegistryError, Source, load_registry


@dataclass(frozen=True)
class Groups:
    """Filters over the registry; each one keeps a source matching any of its values."""

    agencies: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    collections: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return any((self.agencies, self.countries, self.owners, self.collections))


def select_sources(groups: Groups, registry: Mapping[str, Source] | None = None) -> list[str]:
    """The ids of the sources every given filter keeps; a value no agency has is an error."""
    sources = list((registry if registry is not None else load_registry()).values())
    countries = tuple(c.upper() for c in groups.countries)
    checks = (
        ("agency", groups.agencies, lambda s: {s.agency.id}),
        ("country", countries, lambda s: {s.agency.country or ""}),
        ("owner", groups.owners, lambda s: {s.agency.owner or ""}),
        ("collection", groups.collections, lambda s: set(s.agency.collections)),
    )
    for label, wanted, values in checks:
        if not wanted:
            continue
        known = set().union(*(values(s) for s in sources)) - {""}
        _known_values(label, wanted, known)
        sources = [s for s in sources if values(s) & set(wanted)]
    return sorted(s.id for s in sources)


def _known_values(label: str, wanted: Iterable[str], known: set[str]) -> None:
    unknown = sorted(set(wanted) - known)
    if unknown:
        raise RegistryError(
            f"no agency has {label} {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        )
