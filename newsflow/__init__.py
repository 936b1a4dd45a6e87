"""newsflow: scheduled ingestion of news-agency articles into a relational store."""

from typing import TYPE_CHECKING, Any

from newsflow.article import Article
from newsflow.offline import keep_offline

if TYPE_CHECKING:
    from newsflow.extraction import extract_article

# Every newsflow process (CLI, crawler, flows) imports this package before Prefect or
# Scrapy's middlewares read their network settings.
keep_offline()

__all__ = ["Article", "extract_article"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # Extraction (trafilatura, dateparser, …) takes the better part of a second to import:
    # loaded on first use, so processes that never extract (the CLI, an idle poll) skip it.
    if name == "extract_article":
        from newsflow.extraction import extract_article

        return extract_article
    raise AttributeError(f"module 'newsflow' has no attribute {name!r}")
