"""WARC, the web archives' format, both ways: stored pages out, archived captures in.

- ``writer``: stored pages as WARC/1.1 records (warcio), gzipped one record at a time;
- ``reader``: a WARC file's HTTP responses as captures (fastwarc), streamed, with truncation
  and corruption found and named rather than read as a shorter file;
- ``http``: the HTTP header block a stored page is written with, and read back into;
- ``sources``: which source a capture belongs to (``--source``, our own metadata, the host);
- ``importer``: captures through the crawl's extraction, store, dedup and enrichment.
"""
