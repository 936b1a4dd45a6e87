"""A read-only PostgreSQL role: what the read commands need, granted idempotently.

``newsflow db grant-reader ROLE`` grants ROLE what ``search``, ``export``, ``status``,
``runs``, ``coverage``, ``history`` and ``newsflow.query`` read, and nothing else: SELECT on
the tables they query (``READ_TABLES``) and on every view of the schema (a view runs with its
owner's rights, so the tables under it need no grant), EXECUTE on the search configuration
function, USAGE on the schema and CONNECT on the database when the role lacks them. Only what
the role cannot do yet is granted, so a second run grants nothing. ``newsflow db upgrade``
grants each existing reader (a role granted SELECT on ``alembic_version`` that may write
nothing) what the new schema adds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection, text

# Tables the read commands query themselves, and who reads them. A command that comes to
# read another table adds it here: tests/db/test_grants.py runs every read command as a reader.
# One the schema lacks (a migration not applied yet) is skipped; `db upgrade` grants it later.
READ_TABLES = {
    "alembic_version": "every command (the schema revision check)",
    "article_changes": "export --changed-since (the change log)",
    "articles": "search, status, history, coverage, --name",
    "articles_stems": "search (the stems index)",
    "article_versions": "history",
    "coverage": "coverage",
    "crawl_runs": "runs, status",
    "discoveries": "coverage",
    "enrichments": "status (language mismatches), --name",
    "failures": "status (over budget), coverage",
    "pages": "history (redirected URLs), coverage",
    "sources": "status, search (text search configurations)",
    "story_members": "search (folding a story)",
}
# Functions documented for readers' SQL (docs/schema.md); PUBLIC may run them unless revoked.
READ_FUNCTIONS = ("newsflow_search_config(text)",)
WRITES = "INSERT, UPDATE, DELETE, TRUNCATE"
WRITTEN_BY_EVERY_RUN = ("crawl_runs", "articles")


class ReaderRoleError(ValueError):
    """The role cannot be made a reader: it may write already, or its name is unusable."""


@dataclass
class Plan:
    """What making a role a reader of one database takes: the statements, in order."""

    role: str
    statements: list[str] = field(default_factory=list)
    created: bool = False


def plan_reader(connection: Connection, role: str, login: bool = False) -> Plan:
    """The statements that make ``role`` a reader of the connection's database and schema.

    Creates the role when missing (NOLOGIN unless ``login``; never with a password) and
    grants only what it cannot do yet. Raises ReaderRoleError for a role that may write to a
    table of the schema (a superuser, the owner, or one granted writes): granting reads takes
    nothing away, so such a role would not be read-only.
    """
    if not role or len(role.encode()) > 63 or "\x00" in role:
        raise ReaderRoleError(f"{role!r} is not a PostgreSQL role name (1 to 63 bytes)")
    plan = Plan(role)
    name = _quote(connection, role)
    found = connection.execute(
        text("SELECT rolsuper, rolcanlogin FROM pg_roles WHERE rolname = :role"), {"role": role}
    ).first()
    if found is None:
        plan.statements.append(f"CREATE ROLE {name} {'LOGIN' if login else 'NOLOGIN'}")
        plan.created = True
    elif found.rolsuper:
        raise ReaderRoleError(f"role {role} is a superuser: it may write anything")
    elif writable := _writable_tables(connection, role):
        shown = ", ".join(writable[:5]) + (", …" if len(writable) > 5 else "")
        raise ReaderRoleError(
            f"role {role} may already write to {shown}: granting reads takes nothing away, "
            "so give readers a role of their own"
        )
    elif login and not found.rolcanlogin:
        plan.statements.append(f"ALTER ROLE {name} LOGIN")
    # A role about to be created has what PUBLIC has (CONNECT and the schema's USAGE, usually).
    who = {"role": "public" if plan.created else role}
    database, schema, connects, uses = connection.execute(
        text(
            "SELECT current_database(), current_schema(), "
            "has_database_privilege(:role, current_database(), 'CONNECT'), "
            "has_schema_privilege(:role, current_schema(), 'USAGE')"
        ),
        who,
    ).one()
    if not connects:
        plan.statements.append(
            f"GRANT CONNECT ON DATABASE {_quote(connection, database)} TO {name}"
        )
    if not uses:
        plan.statements.append(f"GRANT USAGE ON SCHEMA {_quote(connection, schema)} TO {name}")
    # The read tables the schema has, then its views; a missing relation's check is NULL.
    unread = connection.execute(
        text(
            "SELECT relation FROM (SELECT relation, false AS is_view "
            "FROM unnest(CAST(:tables AS text[])) AS relation UNION ALL "
            "SELECT CAST(viewname AS text), true FROM pg_views WHERE schemaname = current_schema()"
            ") AS r WHERE NOT has_table_privilege(:role, to_regclass(relation), 'SELECT') "
            'ORDER BY is_view, relation COLLATE "C"'
        ),
        {**who, "tables": list(READ_TABLES)},
    ).scalars()
    if quoted := [_quote(connection, relation) for relation in unread]:
        plan.statements.append(f"GRANT SELECT ON {', '.join(quoted)} TO {name}")
    unrun = connection.execute(
        text(
            "SELECT signature FROM unnest(CAST(:functions AS text[])) AS signature "
            "WHERE NOT has_function_privilege(:role, to_regprocedure(signature), 'EXECUTE')"
        ),
        {**who, "functions": list(READ_FUNCTIONS)},
    ).scalars()
    plan.statements.extend(f"GRANT EXECUTE ON FUNCTION {sig} TO {name}" for sig in unrun)
    return plan


def grant_reader(connection: Connection, role: str, login: bool = False) -> Plan:
    """Run ``plan_reader``'s statements in the connection's transaction; return the plan.

    Raises ReaderRoleError when a grant did not take (PostgreSQL only warns when the granting
    role may not grant a privilege): run it as the role that owns the schema.
    """
    plan = plan_reader(connection, role, login)
    for statement in plan.statements:
        connection.execute(text(statement))
    left = plan_reader(connection, role).statements
    if left:
        raise ReaderRoleError(
            f"granting did not take ({left[0]}): run it as the role that owns the schema "
            "(the one `newsflow db upgrade` runs as) or a superuser"
        )
    return plan


def readers(connection: Connection) -> list[str]:
    """Roles granted SELECT on ``alembic_version`` that may write no table: the readers."""
    granted = connection.execute(
        text(
            "SELECT DISTINCT r.rolname FROM pg_class c CROSS JOIN aclexplode(c.relacl) a "
            "JOIN pg_roles r ON r.oid = a.grantee "
            "WHERE c.oid = to_regclass('alembic_version') AND a.privilege_type = 'SELECT' "
            "AND a.grantee <> c.relowner AND NOT r.rolsuper ORDER BY r.rolname"
        )
    ).scalars()
    return [role for role in granted if not _writable_tables(connection, role)]


def may_write(connection: Connection, *tables: str) -> bool:
    """Whether the connected role may insert into and update ``tables`` (always on SQLite,
    where file permissions decide, and say so when a write fails)."""
    if connection.dialect.name != "postgresql":
        return True
    check = text(
        "SELECT bool_and(coalesce(has_table_privilege(to_regclass(relation), 'INSERT') "
        "AND has_table_privilege(to_regclass(relation), 'UPDATE'), false)) "
        "FROM unnest(CAST(:tables AS text[])) AS relation"
    )
    return bool(connection.execute(check, {"tables": list(tables)}).scalar_one())


def _quote(connection: Connection, name: str) -> str:
    return str(connection.dialect.identifier_preparer.quote(name))


def _writable_tables(connection: Connection, role: str) -> list[str]:
    return list(
        connection.execute(
            text(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') "
                f"AND has_table_privilege(:role, c.oid, '{WRITES}') ORDER BY c.relname"
            ),
            {"role": role},
        ).scalars()
    )
