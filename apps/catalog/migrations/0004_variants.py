"""Product variants: every existing product becomes a single-variant product.

Each product gets one default variant (no option values) carrying the product's SKU, price,
compare-at price and status; its stock rows are re-pointed at that variant, keeping their ids
(orders record the stock ids they took, so a later cancellation still restocks the right row).
Done in set-based SQL so a large catalog upgrades in seconds.
"""

import django.db.models.deletion
from django.db import migrations, models

COPY_VARIANTS = """
INSERT INTO catalog_variant (product_id, sku, options, price, compare_at_price, status, sort_order)
SELECT p.id, p.sku, %s, p.current_price, p.compare_at_price,
       CASE WHEN p.status = 'active' THEN 'active' ELSE 'inactive' END, 0
FROM catalog_product p
"""
POINT_STOCK = """
UPDATE catalog_stock SET variant_id = (
  SELECT v.id FROM catalog_variant v WHERE v.product_id = catalog_stock.product_id
)
"""
SUMMARY = """
UPDATE catalog_product SET max_price = current_price,
  on_sale = (compare_at_price IS NOT NULL AND compare_at_price > current_price)
"""
STOCK_BACK = """
UPDATE catalog_stock SET product_id = (
  SELECT v.product_id FROM catalog_variant v WHERE v.id = catalog_stock.variant_id
)
"""


def forwards(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(COPY_VARIANTS, ["{}"])
        cursor.execute(POINT_STOCK)
        cursor.execute(SUMMARY)


def backwards(apps, schema_editor):
    # Only a catalog where every product still has one variant can go back losslessly.
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(STOCK_BACK)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0003_listing_sort_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="ProductType",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=120)),
                ("slug", models.SlugField(max_length=120, unique=True)),
                ("option_attributes", models.ManyToManyField(blank=True, related_name="option_types", to="catalog.attributedefinition")),
                ("product_attributes", models.ManyToManyField(blank=True, related_name="described_types", to="catalog.attributedefinition")),
            ],
            options={"ordering": ["name"]},
        ),
        migrations.AddField(
            model_name="product",
            name="product_type",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="products", to="catalog.producttype"),
        ),
        migrations.AddField(
            model_name="product",
            name="max_price",
            field=models.DecimalField(blank=True, decimal_places=2, editable=False, max_digits=12, null=True),
        ),
        migrations.AddField(
            model_name="product",
            name="on_sale",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AddField(
            model_name="product",
            name="has_options",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AddField(
            model_name="product",
            name="swatches",
            field=models.JSONField(blank=True, default=list, editable=False),
        ),
        migrations.AlterField(
            model_name="product",
            name="current_price",
            field=models.DecimalField(decimal_places=2, default=0, editable=False, max_digits=12),
        ),
        migrations.AlterField(
            model_name="product",
            name="compare_at_price",
            field=models.DecimalField(blank=True, decimal_places=2, editable=False, max_digits=12, null=True),
        ),
        migrations.AddField(
            model_name="productimage",
            name="option_value",
            field=models.CharField(blank=True, max_length=120),
        ),
        migrations.CreateModel(
            name="Variant",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("sku", models.CharField(max_length=64, unique=True)),
                ("options", models.JSONField(blank=True, default=dict)),
                ("price", models.DecimalField(decimal_places=2, max_digits=12)),
                ("compare_at_price", models.DecimalField(blank=True, decimal_places=2, max_digits=12, null=True)),
                ("status", models.CharField(choices=[("active", "Active"), ("inactive", "Inactive")], default="active", max_length=10)),
                ("sort_order", models.PositiveIntegerField(default=0)),
                ("product", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="variants", to="catalog.product")),
            ],
            options={
                "ordering": ["sort_order", "pk"],
                "indexes": [models.Index(fields=["product", "status"], name="variant_product_status")],
                "constraints": [
                    models.UniqueConstraint(fields=("product", "options"), name="variant_unique_options"),
                    models.CheckConstraint(condition=models.Q(("price__gte", 0)), name="variant_price_gte_0"),
                    models.CheckConstraint(condition=models.Q(("compare_at_price__isnull", True), ("compare_at_price__gte", 0), _connector="OR"), name="variant_compare_at_price_gte_0"),
                ],
            },
        ),
        migrations.AddField(
            model_name="stock",
            name="variant",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name="stock", to="catalog.variant"),
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
        migrations.RemoveConstraint(model_name="stock", name="stock_unique_product_warehouse"),
        migrations.RemoveIndex(model_name="stock", name="stock_product_quantity"),
        migrations.RemoveField(model_name="stock", name="product"),
        migrations.AlterField(
            model_name="stock",
            name="variant",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="stock", to="catalog.variant"),
        ),
        migrations.AddConstraint(
            model_name="stock",
            constraint=models.UniqueConstraint(fields=("variant", "warehouse"), name="stock_unique_variant_warehouse"),
        ),
        migrations.AddIndex(
            model_name="stock",
            index=models.Index(fields=["variant", "quantity"], name="stock_variant_quantity"),
        ),
    ]
