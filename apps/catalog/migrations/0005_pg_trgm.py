"""pg_trgm, for the typo-tolerant search suggestions (apps/catalog/suggest.py).

No trigram index: suggestions match typed words against the few distinct words of product names
and the category/attribute vocabulary (hundreds of strings, scored in memory by pg_trgm's
functions), then find products through the existing full-text GIN index. A trigram GiST index
over 100,000 names was measured first: nearest-name scans took 50-180 ms whenever a prefix is
shared by thousands of names ("bo") or nothing matches well ("jakcet"). On SQLite suggestions fall
back to icontains and this migration does nothing.
"""

from django.db import migrations


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0004_variants")]

    # Going back leaves the extension: something else may have come to use it since.
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
