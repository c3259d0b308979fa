"""The "Order staff" group: people who fulfil, cancel and refund orders, and nothing else.

Separate from the marketers (layout and pages permissions): give a user this group in the admin
(and staff status) to let them work on orders. Kept in step after every migrate.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

ORDER_STAFF = "Order staff"
PERMISSIONS = [
    ("checkout", "manage_orders"),
    ("checkout", "view_order"),
    ("checkout", "view_orderline"),
    ("checkout", "view_orderevent"),
    ("checkout", "view_coupon"),
    ("django_tasks_database", "view_dbtaskresult"),
]


def ensure_order_staff_group(**kwargs) -> None:
    group, _ = Group.objects.get_or_create(name=ORDER_STAFF)
    wanted = Permission.objects.filter(
        content_type__app_label__in={app for app, _ in PERMISSIONS},
        codename__in={code for _, code in PERMISSIONS},
    )
    group.permissions.add(*wanted)
