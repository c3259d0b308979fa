from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from tests.factories import ProductFactory, StaffFactory, UserFactory


@dataclass
class World:
    users: dict[str, Any]
    product: Any


def _all_permissions() -> list[Permission]:
    return list(Permission.objects.all())


@pytest.fixture
def world(db) -> World:
    staff_perm = StaffFactory(username="staff-perm")
    staff_perm.user_permissions.set(_all_permissions())
    users = {
        "anonymous": None,
        "shopper_a": UserFactory(username="shopper-a", first_name="Alice"),
        "shopper_b": UserFactory(username="shopper-b", first_name="Bob"),
        "staff_plain": StaffFactory(username="staff-plain"),
        "staff_perm": staff_perm,
    }
    return World(users=users, product=ProductFactory(name="Visible lamp"))


def client_for(world: World, role: str, *, enforce_csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=enforce_csrf)
    user = world.users[role]
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client
