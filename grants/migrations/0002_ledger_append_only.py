"""Make the grants ledger append-only in the database itself, whoever connects."""

from django.db import migrations

POSTGRES_FORWARD = """
CREATE OR REPLACE FUNCTION seedbed_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The ledger is append-only: %% refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER grants_ledgerentry_append_only
    BEFORE UPDATE OR DELETE ON grants_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION seedbed_ledger_append_only();
"""
POSTGRES_REVERSE = """
DROP TRIGGER IF EXISTS grants_ledgerentry_append_only ON grants_ledgerentry;
DROP FUNCTION IF EXISTS seedbed_ledger_append_only();
"""
SQLITE_FORWARD = [
    """CREATE TRIGGER grants_ledgerentry_no_update BEFORE UPDATE ON grants_ledgerentry
       BEGIN SELECT RAISE(ABORT, 'The ledger is append-only: UPDATE refused'); END;""",
    """CREATE TRIGGER grants_ledgerentry_no_delete BEFORE DELETE ON grants_ledgerentry
       BEGIN SELECT RAISE(ABORT, 'The ledger is append-only: DELETE refused'); END;""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS grants_ledgerentry_no_update;",
    "DROP TRIGGER IF EXISTS grants_ledgerentry_no_delete;",
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def reverse(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_REVERSE)
    elif vendor == "sqlite":
        for statement in SQLITE_REVERSE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("grants", "0001_initial")]

    operations = [migrations.RunPython(forward, reverse)]
