"""The database cache table that rate limits use when no Redis is configured (settings.CACHES).

createcachetable does nothing for a cache that is not in the database, and nothing when the
table exists, so this is safe on every deployment and runs in tests like any migration.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0004_daily_tallies")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
