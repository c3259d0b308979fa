"""PostgreSQL full-text search: a trigger keeps Product.search_vector current, a GIN index serves it.

Name and SKU weigh more (A) than the description (B). Only PostgreSQL gets these; on SQLite the
catalog falls back to icontains and this migration does nothing.
"""

from django.db import migrations

FORWARD = [
    """
    CREATE OR REPLACE FUNCTION catalog_product_search_vector() RETURNS trigger AS $$
    BEGIN
      NEW.search_vector :=
        setweight(to_tsvector('english', coalesce(NEW.name, '')), 'A') ||
        setweight(to_tsvector('simple', coalesce(NEW.sku, '')), 'A') ||
        setweight(to_tsvector('english', coalesce(NEW.description, '')), 'B');
      RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER catalog_product_search_vector_trg
    BEFORE INSERT OR UPDATE OF name, sku, description, search_vector ON catalog_product
    FOR EACH ROW EXECUTE FUNCTION catalog_product_search_vector()
    """,
    "UPDATE catalog_product SET name = name",
    "CREATE INDEX IF NOT EXISTS catalog_product_search_gin ON catalog_product USING gin (search_vector)",
]

BACKWARD = [
    "DROP INDEX IF EXISTS catalog_product_search_gin",
    "DROP TRIGGER IF EXISTS catalog_product_search_vector_trg ON catalog_product",
    "DROP FUNCTION IF EXISTS catalog_product_search_vector()",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
