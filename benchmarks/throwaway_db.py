"""Throwaway PostgreSQL databases for benchmarks: created for one run, dropped at the end.

Connection details come from BENCH_PG_HOST, BENCH_PG_PORT, BENCH_PG_USER and BENCH_PG_PASSWORD.
"""

import os

PG_HOST = os.environ.get("BENCH_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("BENCH_PG_PORT", "5432"))
PG_USER = os.environ.get("BENCH_PG_USER", "root")
PG_PASSWORD = os.environ.get("BENCH_PG_PASSWORD", "")


def pg_admin():
    import psycopg

    return psycopg.connect(
        host=PG_HOST,
        port=PG_PORT,
        user=PG_USER,
        password=PG_PASSWORD or None,
        dbname="postgres",
        autocommit=True,
        connect_timeout=10,
    )


def create_database(name: str) -> None:
    from psycopg import sql

    with pg_admin() as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(name: str) -> None:
    from psycopg import sql

    with pg_admin() as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def database_url(name: str) -> str:
    auth = PG_USER + (f":{PG_PASSWORD}" if PG_PASSWORD else "")
    return f"postgres://{auth}@{PG_HOST}:{PG_PORT}/{name}"


def release_database(db_name: str, *, keep: bool) -> None:
    """At the end of a run: keep the database (saying how to drop it), or drop it."""
    if keep:
        print(f"kept {db_name}; drop it with: psql -c 'drop database {db_name}'")
        return
    try:
        from django.db import connections

        connections.close_all()
    except Exception:  # noqa: S110 - Django may not have started; the drop is what matters
        pass
    drop_database(db_name)
    print(f"dropped {db_name}")
