"""Settings, read from the environment (``NEWSFLOW_*``) with documented defaults."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from platformdirs import user_data_path
from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

# A source checkout's root: only development tools (docs, tests) use it.
REPO_ROOT = Path(__file__).resolve().parent.parent
# The embedded database lives in the user's data directory (e.g. ~/.local/share/newsflow),
# never inside the installed package; NEWSFLOW_DATABASE_URL points anywhere else.
DEFAULT_DATABASE_PATH = user_data_path("newsflow") / "newsflow.sqlite3"


class CrawlSettings(BaseModel):
    """How politely and how far the crawler goes."""

    user_agent: str = Field(
        "newsflow/0.1 (+https://github.com/newsflow/newsflow; news-archive crawler)",
        description="User agent sent with every request; names the project.",
    )
    obey_robots_txt: bool = Field(True, description="Honour robots.txt rules.")
    delay_override: float | None = Field(
        None,
        description=(
            "Seconds between requests to one host, replacing the registry and robots.txt "
            "crawl delay. Meant for local mirrors such as the bundled replay (set 0 there); "
            "leave unset for real agency hosts."
        ),
    )
    concurrent_per_host: int = Field(1, description="Requests in flight per host.")
    shared_pace: bool = Field(
        True,
        description=(
            "Space the requests to one host by its crawl delay across every crawl, process and "
            "machine, through the database (table host_pace): editions on one host share its "
            "rate. Off: each crawl keeps the delay between its own requests only."
        ),
    )
    # The next three are defaults: a registry [patience] block replaces them for its source's
    # hosts (newsflow/registry/patience.py).
    retry_times: int = Field(3, description="Retries on 5xx, 429 and timeouts (with backoff).")
    retry_backoff: float = Field(
        2.0, ge=0, description="Seconds before the first retry, doubled for each next (0: none)."
    )
    timeout: float = Field(60.0, description="Seconds before a request times out.")
    max_response_bytes: int = Field(
        10 * 1024 * 1024, description="Responses larger than this are dropped and recorded."
    )
    max_pages: int = Field(0, description="Stop a crawl after this many responses (0 = no limit).")
    probe: bool = Field(
        True,
        description=(
            "Before a scheduled crawl, ask the source's feeds, news sitemaps and first listing "
            "pages in-process whether anything changed; skip the crawl when nothing did."
        ),
    )


class RunSettings(BaseModel):
    """How runs share a source, and how long they may take."""

    busy_wait_seconds: float = Field(
        30.0,
        ge=0,
        description=(
            "When another run is crawling the source, wait this long for it to finish before "
            "giving up with a message naming that run (0: give up at once)."
        ),
    )
    lease_seconds: float = Field(
        120.0,
        gt=0,
        description=(
            "A run's hold on its source lapses this long after its last heartbeat, so a run "
            "killed on another machine frees the source by itself."
        ),
    )
    heartbeat_seconds: float = Field(
        20.0, gt=0, description="How often a running crawl renews its hold on the source."
    )
    crashed_after_seconds: int = Field(
        90,
        ge=45,
        description=(
            "Prefect marks a newsflow flow run Crashed when it sent no heartbeat (every 30 s) "
            "for this long: its worker died. Read when `newsflow deploy` or `serve` creates "
            "the automation on a Prefect server (flows/crashes.py)."
        ),
    )
    start_grace_seconds: int = Field(
        120,
        ge=30,
        lt=300,
        description=(
            "Prefect marks a newsflow flow run Crashed when its worker took it (Pending) and it "
            "has not started this long after: its worker died while starting it. Raise it for "
            "workers whose runs start slowly (a pod pulling its image); it stays under "
            "Prefect's own 300 s start lease, which frees the run's slot a second way. Read "
            "with crashed_after_seconds."
        ),
    )
    crawl_timeout_minutes: float = Field(
        180.0,
        gt=0,
        description=(
            "Stop a crawl that runs longer than this and close its run as timed_out; an agency "
            "or edition sets its own with crawl_timeout_minutes in the registry."
        ),
    )
    memory_ceiling_mb: int = Field(
        8192,
        ge=0,
        description=(
            "Address space a flow process may map, and each process it starts (the crawl, "
            "extraction and enrichment workers) inherits: past it an allocation fails instead "
            "of the machine swapping (0: no ceiling)."
        ),
    )
    stop_grace_seconds: float = Field(
        10.0,
        ge=0,
        description=(
            "A crawl being stopped gets SIGTERM (it closes cleanly and writes its counts); "
            "whatever of its process group is left after this many seconds gets SIGKILL."
        ),
    )
    fork_crawls: bool = Field(
        True,
        description=(
            "Fork each crawl process from a warm process that imported the crawler once, "
            "instead of starting a new interpreter (1.6 CPU s less a crawl); false: start "
            "`python -m newsflow.crawlers.run` each time."
        ),
    )
    parallel_sources: int = Field(
        0,
        ge=0,
        description=(
            "How many sources one flow (ingest-sources, a backfill of several sources, serve) "
            "crawls at once. 0: as many as free memory allows at source_memory_mb each; "
            "requests to one host keep its pace whatever this is."
        ),
    )
    source_memory_mb: int = Field(
        400,
        gt=0,
        description=(
            "Memory one source being crawled takes (its crawl process and its share of the "
            "flow's), for the parallel_sources default."
        ),
    )


class EnrichSettings(BaseModel):
    """What enriching one article may cost; an article over budget is recorded, not waited for."""

    article_timeout_seconds: float = Field(
        10.0,
        gt=0,
        description=(
            "Seconds one article's enrichers may take in a worker (each enricher alone, when "
            "all together overran) before the worker is killed and the enricher recorded as "
            "over budget."
        ),
    )
    article_memory_mb: int = Field(
        512, gt=0, description="Memory one article's enrichment may add to its worker."
    )
    workers: int = Field(
        0, ge=0, description="Enrichment worker processes per flow process (0: one per core)."
    )


class ExtractSettings(BaseModel):
    """What extracting one page may cost in the crawl; a page over budget is a failure row."""

    page_timeout_seconds: float = Field(
        30.0,
        gt=0,
        description="Seconds extracting one page may take before its worker is killed.",
    )
    page_memory_mb: int = Field(
        1024, gt=0, description="Memory extracting one page may add to its worker."
    )
    workers: int = Field(
        1,
        ge=1,
        description=(
            "Extraction worker processes per crawl (the crawl's own process fetches meanwhile)."
        ),
    )


class Settings(BaseSettings):
    """newsflow settings. Nested fields use ``__``: ``NEWSFLOW_CRAWL__DELAY_OVERRIDE=0``."""

    model_config = SettingsConfigDict(
        env_prefix="NEWSFLOW_", env_nested_delimiter="__", extra="ignore"
    )

    database_url: str = Field(
        f"sqlite:///{DEFAULT_DATABASE_PATH}",
        description="SQLAlchemy URL of the store (SQLite by default, PostgreSQL in production).",
    )
    base_url: str | None = Field(
        None,
        description=(
            "Fetch every agency URL from this mirror instead of the live site: "
            "https://host/path is requested as <base_url>/host/path."
        ),
    )
    crawl: CrawlSettings = Field(default_factory=CrawlSettings)
    runs: RunSettings = Field(default_factory=RunSettings)
    enrich: EnrichSettings = Field(default_factory=EnrichSettings)
    extract: ExtractSettings = Field(default_factory=ExtractSettings)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once from the environment)."""
    return Settings()
