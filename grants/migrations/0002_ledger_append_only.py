"""Make the grants ledger append-only in the database itself, whoever connects."""

from django.db import migrations

from core.append_only import append_only


class Migration(migrations.Migration):
    dependencies = [("grants", "0001_initial")]

    operations = [append_only("grants_ledgerentry", slug="ledger", label="The ledger")]
