"""The option vocabulary as a table kept by triggers (see models.OptionValue).

Statement-level triggers with a transition table: one INSERT ... ON CONFLICT DO NOTHING per
statement, however many variants it wrote (seed_demo's COPY batches included).
"""

from django.db import migrations, models

FORWARD = """
CREATE FUNCTION catalog_optionvalue_collect() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO catalog_optionvalue (key, value)
  SELECT DISTINCT o.key, o.value FROM changed_rows v, jsonb_each_text(v.options) o
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
CREATE TRIGGER catalog_optionvalue_insert AFTER INSERT ON catalog_variant
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT
  EXECUTE FUNCTION catalog_optionvalue_collect();
CREATE TRIGGER catalog_optionvalue_update AFTER UPDATE ON catalog_variant
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT
  EXECUTE FUNCTION catalog_optionvalue_collect();
INSERT INTO catalog_optionvalue (key, value)
  SELECT DISTINCT o.key, o.value FROM catalog_variant v, jsonb_each_text(v.options) o
  ON CONFLICT DO NOTHING;
"""

BACKWARD = """
DROP TRIGGER IF EXISTS catalog_optionvalue_insert ON catalog_variant;
DROP TRIGGER IF EXISTS catalog_optionvalue_update ON catalog_variant;
DROP FUNCTION IF EXISTS catalog_optionvalue_collect();
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0006_facet_change_log"),
    ]

    operations = [
        migrations.CreateModel(
            name="OptionValue",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False)),
                ("key", models.TextField()),
                ("value", models.TextField()),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("key", "value"), name="catalog_optionvalue_unique"
                    )
                ],
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
