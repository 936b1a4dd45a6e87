"""`newsflow sources check DIR`: agency files validated before they join the registry."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from newsflow.registry import RegistryError, load_agency, load_registry, registry_dirs
from newsflow.registry.models import Agency


@dataclass(frozen=True)
class FileCheck:
    """One agency file's verdict: its sources, or what is wrong with it."""

    path: Path
    sources: tuple[str, ...] = ()
    overrides: str | None = None  # the registry directory whose agency file it replaces
    problem: str | None = None
    notes: tuple[str, ...] = field(default=())

    def line(self) -> str:
        """One line for people."""
        if self.problem:
            return f"invalid  {self.path.name}: {self.problem}"
        text = f"ok       {self.path.name}: {', '.join(self.sources)}"
        if self.overrides:
            text += f" (replaces the agency in {self.overrides})"
        return text + "".join(f"; {note}" for note in self.notes)


def check_directory(directory: Path) -> list[FileCheck]:
    """Check every ``*.toml`` of ``directory`` as the registry would load it."""
    others = [d for d in registry_dirs() if d.resolve() != directory.resolve()]
    known = {s.agency.id: d for d in others for s in load_registry(d).values()}
    return [_check(path, known) for path in sorted(directory.glob("*.toml"))]


def _check(path: Path, known: dict[str, Path]) -> FileCheck:
    try:
        agency = load_agency(path)
    except RegistryError as exc:
        return FileCheck(path, problem=str(exc).removeprefix(f"{path}: "))
    problem = _cron_problem(agency)
    if problem:
        return FileCheck(path, problem=problem)
    sources = tuple(f"{agency.id}-{key}" for key in agency.editions)
    disabled = [f"{agency.id}-{k}" for k, e in agency.editions.items() if not e.enabled]
    notes = (f"disabled: {', '.join(disabled)}",) if disabled else ()
    overrides = known.get(agency.id)
    return FileCheck(path, sources, str(overrides) if overrides else None, notes=notes)


def _cron_problem(agency: Agency) -> str | None:
    """The first schedule Prefect's scheduler would refuse, in the agency's time zone."""
    from prefect.client.schemas.schedules import CronSchedule
    from pydantic import ValidationError

    crons = {"schedule": agency.schedule}
    crons.update(
        {f"editions.{k}.schedule": e.schedule for k, e in agency.editions.items() if e.schedule}
    )
    for where, cron in crons.items():
        try:
            CronSchedule(cron=cron, timezone=agency.timezone)
        except ValidationError as exc:
            return f"{where}: {exc.errors()[0]['msg']}"
    return None
