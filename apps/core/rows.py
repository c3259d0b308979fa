"""Model instances from rows of a fixed SQL statement, built as the ORM builds them.

Where compiling a QuerySet costs more than running it (a small query on every request), the
statement is written once and its rows become instances here: each column's value goes through
the converters Django's compiler applies (the backend's, then the field's), then `from_db`.
Every such statement has a test comparing it with the ORM query it replaces (the oracle).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from django.db import connection
from django.db.models import Field, Model


@cache
def reader(model: type[Model], vendor: str, skip: frozenset[str] = frozenset()) -> list:
    """(field, converters, column expression) per concrete field of `model` not in `skip`
    (attnames left out, as `defer` leaves them): the converters Django's compiler applies to
    each column's value. `vendor` keys the cache (the converters are the backend's)."""
    fields = []
    for field in model._meta.concrete_fields:
        if field.attname in skip:
            continue
        expression = field.get_col(model._meta.db_table)
        converters = [
            *connection.ops.get_db_converters(expression),
            *field.get_db_converters(connection),
        ]
        fields.append((field, converters, expression))
    return fields


def columns(model: type[Model], alias: str, skip: frozenset[str] = frozenset()) -> list[str]:
    """The quoted `alias.column` of each field `reader` reads, in the same order."""
    qn = connection.ops.quote_name
    return [f"{alias}.{qn(field.column)}" for field, _, _ in reader(model, connection.vendor, skip)]


def instance(model: type[Model], values: Sequence, skip: frozenset[str] = frozenset()) -> Model:
    """A model instance from the row's values for `reader`'s fields (the others deferred)."""
    fields: list[tuple[Field, list, object]] = reader(model, connection.vendor, skip)
    converted = []
    for (_field, converters, expression), value in zip(fields, values, strict=True):
        for converter in converters:
            value = converter(value, expression, connection)
        converted.append(value)
    return model.from_db(connection.alias, [f.attname for f, _, _ in fields], converted)
