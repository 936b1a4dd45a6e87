"""The enrichers' gazetteers and models, built when the warm forkserver imports this module.

Every enrichment worker forked from the forkserver (newsflow/warm.py) starts with them built.
They are built with the collector off and then frozen, as a spawned worker builds them
(``newsflow.budget.warm_and_freeze``), so the pages holding them stay shared between the
forkserver's children.
"""

from __future__ import annotations

from newsflow.budget import warm_and_freeze
from newsflow.enrichment import warm_up

warm_and_freeze(warm_up)
