"""What the deploy files may name: newsflow's settings as environment variables."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from newsflow.settings import Settings


def _names(model: type[BaseModel], prefix: str) -> set[str]:
    found = set()
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            found |= _names(annotation, f"{prefix}{name.upper()}__")
        else:
            found.add(f"{prefix}{name.upper()}")
    return found


@pytest.fixture(scope="session")
def newsflow_settings() -> set[str]:
    """Every ``NEWSFLOW_*`` name the settings read, nested ones with ``__``."""
    return _names(Settings, "NEWSFLOW_")
