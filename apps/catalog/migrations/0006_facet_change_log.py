"""The facet index's change log: every catalog write records the product it touched, in the
writing transaction itself.

Statement-level triggers (transition tables: one INSERT per statement whatever the number of
rows) on products, variants, stock and product attributes append the product ids to
`catalog_facetchange`, with the writing transaction's id (`xid`). Because the row commits or
rolls back with the write, no lost message (Redis down, a crash after commit) can leave a facet
index stale: each process reads the rows it has not applied yet (see apps.catalog.facetindex).
Django issues no extra query for it, so the query budgets of writes are unchanged.

Category edits need no row: a product's direct category is a product column (its update is
logged) and the subtree a category covers comes from the catalog metadata (per version).

PostgreSQL only; on SQLite the table exists but nothing fills it (the index is not used there).
"""

from django.db import migrations, models

FUNCTIONS = {
    "product": "SELECT id FROM changed_rows",
    "variant": "SELECT product_id FROM changed_rows",
    "productattribute": "SELECT product_id FROM changed_rows",
    "stock": "SELECT v.product_id FROM changed_rows s JOIN catalog_variant v ON v.id = s.variant_id",
}


def _sql() -> tuple[str, str]:
    forward, backward = [], []
    for table, select in FUNCTIONS.items():
        function = f"catalog_facetchange_{table}"
        forward.append(
            f"""
CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO catalog_facetchange (product_id, xid, created_at)
  SELECT DISTINCT x.id, pg_current_xact_id()::text::bigint, now() FROM ({select}) AS x(id)
  WHERE x.id IS NOT NULL;
  RETURN NULL;
END $$;
"""
        )
        for event, ref in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
            trigger = f"{function}_{event.lower()}"
            forward.append(
                f"CREATE TRIGGER {trigger} AFTER {event} ON catalog_{table} "
                f"REFERENCING {ref} TABLE AS changed_rows "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {function}();"
            )
            backward.append(f"DROP TRIGGER IF EXISTS {trigger} ON catalog_{table};")
        backward.append(f"DROP FUNCTION IF EXISTS {function}();")
    return "\n".join(forward), "\n".join(backward)


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(_sql()[0])


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(_sql()[1])


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0005_listing_partial_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="FacetChange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("product_id", models.BigIntegerField()),
                ("xid", models.BigIntegerField(db_index=True)),
                ("created_at", models.DateTimeField(db_index=True)),
            ],
        ),
        migrations.RunPython(install, uninstall),
    ]
