"""Database triggers that make a table append-only, whoever connects: used by the migrations of the
audit trail and of the grants ledger."""

from django.db import migrations


def statements_for(table: str, slug: str, label: str) -> dict[str, list[str]]:
    function = f"seedbed_{slug}_append_only"
    return {
        "postgresql_forward": [
            f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{label} is append-only: %% refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;""",
            f"""CREATE TRIGGER {table}_append_only
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {function}();""",
        ],
        "postgresql_reverse": [
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};",
            f"DROP FUNCTION IF EXISTS {function}();",
        ],
        "sqlite_forward": [
            f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
       BEGIN SELECT RAISE(ABORT, '{label} is append-only: UPDATE refused'); END;""",
            f"""CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
       BEGIN SELECT RAISE(ABORT, '{label} is append-only: DELETE refused'); END;""",
        ],
        "sqlite_reverse": [
            f"DROP TRIGGER IF EXISTS {table}_no_update;",
            f"DROP TRIGGER IF EXISTS {table}_no_delete;",
        ],
    }


def append_only(table: str, *, slug: str, label: str) -> migrations.RunPython:
    """A reversible migration operation adding the triggers on PostgreSQL and SQLite."""
    statements = statements_for(table, slug, label)

    def run(direction: str):
        def operation(apps, schema_editor) -> None:
            vendor = schema_editor.connection.vendor
            for statement in statements.get(f"{vendor}_{direction}", []):
                schema_editor.execute(statement)

        return operation

    return migrations.RunPython(run("forward"), run("reverse"))


def reinstate_on_sqlite(table: str, *, slug: str, label: str) -> migrations.RunPython:
    """SQLite rebuilds a table to add most columns, dropping its triggers: a migration that alters
    an append-only table ends with this, both ways."""
    statements = [
        statement.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS", 1)
        for statement in statements_for(table, slug, label)["sqlite_forward"]
    ]

    def operation(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "sqlite":
            for statement in statements:
                schema_editor.execute(statement)

    return migrations.RunPython(operation, operation)
