"""What a crawl needs before its first request, imported by the warm forkserver.

newsflow/warm.py names this module in the forkserver's preload, so importing it imports
the crawler (spider, pipeline, middlewares, extensions) and the modules of every Scrapy
component the crawl loads by name at its start; and reads the migration heads from their
files. Nothing else: no reactor is installed (the crawl installs its own), no settings are read
(crawlers.settings is left for each crawl, which reads the environment it starts with), no
thread or connection is opened.

Importing it also stops the forkserver's children from importing the main module of the
process that started the forkserver, which multiprocessing does in each child it prepares: the
`newsflow` CLI (0.9 s), Prefect's engine in a worker's flow run (2 s), none of which a crawl
uses. Only the forkserver imports this module, so only its children (crawls and enrichment
workers) are spared it.
"""

from __future__ import annotations

import importlib
from multiprocessing import spawn

from newsflow.db.migrate import heads
from scrapy.settings import default_settings

CRAWLER = (
    "newsflow.crawlers.run",
    "newsflow.crawlers.spiders.agency",
    "newsflow.crawlers.pipelines",
    "newsflow.crawlers.middlewares",
    "newsflow.crawlers.extensions",
    "newsflow.crawlers.mirror",
    "scrapy.crawler",
)


def component_modules() -> list[str]:
    """Modules of the Scrapy components named in its default settings."""
    paths: set[str] = set()
    for name in dir(default_settings):
        value = getattr(default_settings, name)
        if isinstance(value, dict):
            paths.update(v for item in value.items() for v in item if isinstance(v, str))
        elif isinstance(value, str):
            paths.add(value)
    return sorted({path.rpartition(".")[0] for path in paths if path.startswith("scrapy.")})


for _module in (*CRAWLER, *component_modules()):
    importlib.import_module(_module)

# Each crawl checks its database against the migration history before its first request:
# read from the package's files once here, not in each crawl (0.12 of an idle crawl's 0.31 CPU s).
heads()


def _skip_main(*_: object) -> None:
    """Stands in for multiprocessing's re-import of the starter's main module in a child."""


spawn._fixup_main_from_path = spawn._fixup_main_from_name = _skip_main  # type: ignore[attr-defined]
