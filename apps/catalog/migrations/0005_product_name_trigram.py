"""Typo-tolerant search suggestions: pg_trgm and a trigram GiST index on the names of listed products.

GiST, not GIN: the suggestion query asks for the nearest names by word similarity
(`ORDER BY name <->> q LIMIT n`), which only GiST can answer straight from the index, so its cost
does not grow with the number of products that share a common prefix ("boot" matches one product
in twelve). The index is partial, over the products a shopper may see, which is what the query
filters on. On SQLite suggestions fall back to icontains and this migration does nothing.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """
    CREATE INDEX IF NOT EXISTS catalog_product_name_trgm ON catalog_product
    USING gist (name gist_trgm_ops) WHERE status = 'active' AND max_price IS NOT NULL
    """,
]

# The extension stays: dropping it would break anything else that has come to use it since.
BACKWARD = ["DROP INDEX IF EXISTS catalog_product_name_trgm"]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("catalog", "0004_variants")]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
