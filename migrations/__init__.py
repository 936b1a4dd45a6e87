"""Alembic revisions of the newsflow schema; shipped as newsflow.migrations."""
