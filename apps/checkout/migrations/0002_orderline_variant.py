"""Order lines also name the variant sold; existing lines get their product's single variant."""

import django.db.models.deletion
from django.db import migrations, models

POINT_LINES = """
UPDATE checkout_orderline SET variant_id = (
  SELECT v.id FROM catalog_variant v WHERE v.product_id = checkout_orderline.product_id
  ORDER BY v.sort_order, v.id LIMIT 1
) WHERE product_id IS NOT NULL
"""


def forwards(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(POINT_LINES)


class Migration(migrations.Migration):
    dependencies = [
        ("checkout", "0001_initial"),
        ("catalog", "0004_variants"),
    ]

    operations = [
        migrations.AddField(
            model_name="orderline",
            name="variant",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="catalog.variant"),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False),
    ]
