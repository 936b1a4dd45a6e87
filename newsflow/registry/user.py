"""The user's own agency files: where `newsflow sources add` writes, and how it writes."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from platformdirs import user_config_dir
from pydantic import ValidationError

from newsflow.registry.models import Agency

# More agency directories (os.pathsep-separated), e.g. a test's or a deployment's own.
REGISTRY_PATH_ENV = "NEWSFLOW_REGISTRY_PATH"


class AgencyExists(ValueError):
    """The id is taken by an agency already in the registry; the message says where."""


def user_agencies_dir() -> Path:
    """The platform's config directory for newsflow's agency files (``~/.config/newsflow/…``)."""
    return Path(user_config_dir("newsflow")) / "agencies"


def target_dir() -> Path:
    """Where a new agency file goes: the first NEWSFLOW_REGISTRY_PATH entry, else the user's."""
    listed = [p for p in os.environ.get(REGISTRY_PATH_ENV, "").split(os.pathsep) if p]
    return Path(listed[0]) if listed else user_agencies_dir()


def write_agency(agency_id: str, toml: str, owner: Path | None, replace: bool = False) -> Path:
    """Write the agency's TOML into ``target_dir()`` atomically and return its path.

    ``owner`` is the file that already declares this id, if any: refused unless ``replace``.
    The text is validated as the registry will read it before anything is written.
    """
    if owner is not None and not replace:
        raise AgencyExists(
            f"agency {agency_id!r} is already in the registry ({owner}); "
            "pass --replace to replace it or --id to name this one otherwise"
        )
    try:
        Agency.model_validate(tomllib.loads(toml))
    except (tomllib.TOMLDecodeError, ValidationError) as exc:  # a bug here, not the user's
        raise RuntimeError(f"the proposed entry does not validate: {exc}") from exc
    directory = target_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{agency_id}.toml"
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(toml, encoding="utf-8")
    os.replace(partial, path)  # a reader sees the old file or the new one, never half of one
    return path
