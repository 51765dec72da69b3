from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


def create_trigram_index(apps, schema_editor):
    # A GIN trigram index makes misspelt-name search fast on PostgreSQL; SQLite searches plainly.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS cases_nominalname_name_trgm ON cases_nominalname USING gin (name gin_trgm_ops)"
        )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS cases_nominalname_name_trgm")


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_trigram_index, drop_trigram_index),
    ]
