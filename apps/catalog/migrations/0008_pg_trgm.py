"""Search suggestions (apps/catalog/suggest.py): pg_trgm, the words of product names, and a GIN
index of the names' words.

- `catalog_nameword`: every distinct word of every product name (lower case), kept by a trigger
  on insert and on a change of name; never pruned (a stale word can only suggest a correction
  that then matches no product). Typed words are corrected against it with pg_trgm: it is small
  (74 words for the 100,000-product demo catalog), where reading the words from the names at
  request time is a pass over every product (1-2 s).
- `catalog_product_name_words`: the names' words, unstemmed ('simple') and name-only, for the
  listed products, so a typed prefix ("bo") is one index probe and no row is rechecked against
  descriptions, as it would be with search_vector's weights.

No trigram index on the names themselves: a GiST one over 100,000 names was measured first, and
its nearest-name scans took 50-180 ms whenever a prefix is shared by thousands of names ("bo") or
nothing matches well ("jakcet"). On SQLite suggestions fall back to icontains and this migration
does nothing.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """
    CREATE INDEX IF NOT EXISTS catalog_product_name_words ON catalog_product
    USING gin (to_tsvector('simple'::regconfig, name))
    WHERE status = 'active' AND max_price IS NOT NULL
    """,
    "CREATE TABLE IF NOT EXISTS catalog_nameword (word text PRIMARY KEY)",
    """
    CREATE OR REPLACE FUNCTION catalog_product_name_words() RETURNS trigger AS $$
    BEGIN
      INSERT INTO catalog_nameword (word)
      SELECT DISTINCT w FROM regexp_split_to_table(lower(NEW.name), '[^[:alnum:]]+') AS w
      WHERE w <> ''
      ON CONFLICT DO NOTHING;
      RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER catalog_product_name_words_trg
    AFTER INSERT OR UPDATE OF name ON catalog_product
    FOR EACH ROW EXECUTE FUNCTION catalog_product_name_words()
    """,
    """
    INSERT INTO catalog_nameword (word)
    SELECT DISTINCT w FROM catalog_product, regexp_split_to_table(lower(name), '[^[:alnum:]]+') AS w
    WHERE w <> ''
    ON CONFLICT DO NOTHING
    """,
]

# The extension stays: something else may have come to use it since.
BACKWARD = [
    "DROP TRIGGER IF EXISTS catalog_product_name_words_trg ON catalog_product",
    "DROP FUNCTION IF EXISTS catalog_product_name_words()",
    "DROP TABLE IF EXISTS catalog_nameword",
    "DROP INDEX IF EXISTS catalog_product_name_words",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("catalog", "0007_option_values")]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
