"""Measure the names the enrichment finds against labelled news (`newsflow eval enrichment`).

Readers turn a labelled set (CoNLL columns, factRuEval-2016) into documents with gold names;
``run`` enriches each document as an article and ``scoring`` compares names the way the
held-out score does (see ``scoring``).
"""

from newsflow.ner_eval.readers import Document, read_conll, read_factrueval
from newsflow.ner_eval.run import Report, evaluate, format_report

__all__ = ["Document", "Report", "evaluate", "format_report", "read_conll", "read_factrueval"]
