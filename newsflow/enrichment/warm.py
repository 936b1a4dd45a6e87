"""The enrichers' gazetteers and models, built when the warm forkserver imports this module.

Every enrichment worker forked from the forkserver (newsflow/warm.py) starts with them built.
They are built with the collector off (10^5 objects that all live on: collections while they
are built free nothing and took half the time) and then frozen, so no process's collections
walk them and the pages holding them stay shared between the forkserver's children.
"""

from __future__ import annotations

import gc

from newsflow.enrichment import warm_up

gc.disable()
try:
    warm_up()
finally:
    gc.enable()
gc.collect()
gc.freeze()
