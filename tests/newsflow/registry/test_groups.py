"""Sources grouped by agency, country, owner type and collection."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsflow.registry import RegistryError, load_registry
from newsflow.registry.groups import Groups, select_sources

OWN = """
id = "levant_daily"
name = "Levant Daily"
homepage = "https://levant.example/"
timezone = "Asia/Beirut"
country = "LB"
owner = "private"
collections = ["levant", "arabic-press"]
domains = ["levant.example"]
[editions.ar]
language = "ar"
article_patterns = ['^https://levant\\.example/\\d+$']
"""


def test_every_bundled_agency_has_a_country_and_an_owner() -> None:
    agencies = {s.agency.id: s.agency for s in load_registry().values()}
    assert all(a.country and a.owner for a in agencies.values())
    assert agencies["sana"].country == "SY" and agencies["interfax"].owner == "private"


def test_filters_combine_and_take_any_of_their_values() -> None:
    assert select_sources(Groups(agencies=("sana",))) == sorted(
        s for s in load_registry() if s.startswith("sana-")
    )
    russian_state = select_sources(Groups(countries=("ru",), owners=("state",)))
    assert {"tass-en", "ria-ru", "rt-en"} <= set(russian_state)
    assert not any(s.startswith("interfax-") for s in russian_state)
    both = select_sources(Groups(countries=("SY", "TR")))
    assert {s.split("-")[0] for s in both} == {"sana", "anadolu"}


def test_a_users_collection_selects_its_agencies(tmp_path: Path) -> None:
    (tmp_path / "levant_daily.toml").write_text(OWN, encoding="utf-8")
    registry = load_registry(tmp_path)
    assert select_sources(Groups(collections=("levant",)), registry) == ["levant_daily-ar"]


def test_a_value_no_agency_has_is_an_error_naming_the_known_ones() -> None:
    with pytest.raises(RegistryError, match=r"no agency has country ZZ; known: AE, BY"):
        select_sources(Groups(countries=("zz",)))
