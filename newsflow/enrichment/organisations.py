"""The organisation gazetteer: agencies, international bodies, governments, armed groups."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from newsflow.enrichment.names import NameIndex
from newsflow.enrichment.resources import data_lines

__all__ = ["Organisation", "agency_named", "agency_of", "organisation_index"]


@dataclass(frozen=True, slots=True)
class Organisation:
    """A known organisation: canonical name, short label, category, registry agency id."""

    name: str
    label: str
    category: str  # agency | international | government | armed
    agency_id: str | None = None


@dataclass(frozen=True, slots=True)
class OrganisationName:
    """One alias of an organisation, and whether it is an acronym (matched in capitals only)."""

    organisation: Organisation
    acronym: bool


@cache
def organisation_index() -> NameIndex[OrganisationName]:
    """Every alias of every organisation in ``data/organisations.tsv``, in any language."""
    index: NameIndex[OrganisationName] = NameIndex()
    for name, label, category, agency_id, aliases in data_lines("organisations.tsv"):
        organisation = Organisation(name, label, category, agency_id or None)
        for alias in aliases.split("|"):
            acronym = alias.replace(".", "").replace("-", "").isupper()
            index.add(alias, OrganisationName(organisation, acronym))
    return index


def agency_named(text: str) -> Organisation | None:
    """The agency a dateline names (``SANA``, ``سانا``, ``/ТАСС/``, ``РИА Новости``)."""
    for entry in organisation_index().get(text):
        if entry.organisation.category == "agency":
            return entry.organisation
    return None


@cache
def agency_of(agency_id: str) -> Organisation | None:
    """The agency behind a registry agency id (``sana`` → SANA)."""
    for name, label, category, registry_id, _ in data_lines("organisations.tsv"):
        if registry_id == agency_id:
            return Organisation(name, label, category, registry_id)
    return None
