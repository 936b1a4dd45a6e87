"""newsflow: scheduled ingestion of news-agency articles into a relational store."""

from newsflow.article import Article
from newsflow.extraction import extract_article

__all__ = ["Article", "extract_article"]
__version__ = "0.1.0"
