"""Cart lines hold a variant: every existing line points at its product's single variant."""

import django.db.models.deletion
from django.db import migrations, models

POINT_LINES = """
UPDATE cart_cartline SET variant_id = (
  SELECT v.id FROM catalog_variant v WHERE v.product_id = cart_cartline.product_id
  ORDER BY v.sort_order, v.id LIMIT 1
)
"""
LINES_BACK = """
UPDATE cart_cartline SET product_id = (
  SELECT v.product_id FROM catalog_variant v WHERE v.id = cart_cartline.variant_id
)
"""


def forwards(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(POINT_LINES)


def backwards(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(LINES_BACK)


class Migration(migrations.Migration):
    dependencies = [
        ("cart", "0001_initial"),
        ("catalog", "0004_variants"),
    ]

    operations = [
        migrations.AddField(
            model_name="cartline",
            name="variant",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="catalog.variant"),
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
        migrations.RemoveConstraint(model_name="cartline", name="cartline_unique_product"),
        migrations.RemoveField(model_name="cartline", name="product"),
        migrations.AlterField(
            model_name="cartline",
            name="variant",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="catalog.variant"),
        ),
        migrations.AddConstraint(
            model_name="cartline",
            constraint=models.UniqueConstraint(fields=("cart", "variant"), name="cartline_unique_variant"),
        ),
    ]
