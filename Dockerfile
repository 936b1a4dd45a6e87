# newsflow in one image: the `newsflow` CLI, the Prefect flows, and `prefect` itself (server
# and process worker). compose.yaml runs it as a Prefect server, a worker and one-off jobs.
#
#   docker build -t newsflow .
#   docker run --rm newsflow newsflow sources list
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    # No usage telemetry from Prefect or its server (newsflow/offline.py sets the same).
    DO_NOT_TRACK=1 \
    PREFECT_SERVER_ANALYTICS_ENABLED=false \
    PREFECT_HOME=/data/prefect \
    # Without NEWSFLOW_DATABASE_URL the store is a SQLite file on the data volume.
    NEWSFLOW_DATABASE_URL=sqlite:////data/newsflow.sqlite3

RUN useradd --create-home --uid 10001 newsflow \
    && mkdir -p /data /app \
    && chown newsflow:newsflow /data /app
WORKDIR /app

# Dependencies first, so editing code does not reinstall them.
COPY --chown=newsflow:newsflow pyproject.toml README.md alembic.ini ./
COPY --chown=newsflow:newsflow newsflow newsflow
COPY --chown=newsflow:newsflow crawlers crawlers
COPY --chown=newsflow:newsflow flows flows
COPY --chown=newsflow:newsflow db db
COPY --chown=newsflow:newsflow migrations migrations
# The recorded agency sites: `newsflow demo` and `newsflow replay` serve them.
COPY --chown=newsflow:newsflow tests/fixtures/sites tests/fixtures/sites
COPY --chown=newsflow:newsflow prefect.yaml ./
# A regular install: migrations and the recorded sites ship inside the package.
RUN pip install . && rm -rf /app/build

USER newsflow
VOLUME ["/data"]
# The Prefect UI and API when the image runs `prefect server start`.
EXPOSE 4200
CMD ["newsflow", "--help"]
