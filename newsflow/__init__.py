"""newsflow: scheduled ingestion of news-agency articles into a relational store."""

from newsflow.article import Article
from newsflow.extraction import extract_article
from newsflow.offline import keep_offline

# Every newsflow process (CLI, crawler, flows) imports this package before Prefect or
# Scrapy's middlewares read their network settings.
keep_offline()

__all__ = ["Article", "extract_article"]
__version__ = "0.1.0"
