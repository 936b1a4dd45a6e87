"""docs/scaling.md names only what exists: settings, commands, flow parameters and files."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from newsflow.flows.backfill import backfill

from newsflow.cli import main
from newsflow.registry.user import REGISTRY_PATH_ENV

DOCS = Path(__file__).resolve().parents[2] / "docs"
TEXT = (DOCS / "scaling.md").read_text(encoding="utf-8")


def test_every_setting_named_is_one_newsflow_reads(newsflow_settings: set[str]) -> None:
    named = set(re.findall(r"NEWSFLOW_[A-Z_]*[A-Z]", TEXT))
    dotted = re.findall(r"`((?:runs|crawl|enrich|extract)\.[a-z_]+)`", TEXT)
    named |= {"NEWSFLOW_" + name.upper().replace(".", "__") for name in dotted}
    assert dotted and named - {REGISTRY_PATH_ENV} <= newsflow_settings


def test_every_command_named_is_one_newsflow_has() -> None:
    code = "\n".join(re.findall(r"```sh\n(.*?)```", TEXT, re.DOTALL))
    named = set(re.findall(r"^newsflow ([a-z-]+)", code, re.MULTILINE))
    named |= set(re.findall(r"`newsflow ([a-z-]+)", TEXT))
    assert named and named <= set(main.commands), named - set(main.commands)


def test_the_backfill_it_starts_takes_those_parameters() -> None:
    (run,) = re.findall(r"prefect deployment run backfill/backfill (.*)", TEXT)
    given = set(re.findall(r"-p (\w+)=", run))
    assert given == {"source", "since", "until"} <= set(inspect.signature(backfill.fn).parameters)


def test_every_link_leads_to_a_file() -> None:
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", TEXT):
        assert (DOCS / target).exists(), target
