"""Property-based fuzzing of every endpoint's query parameters and form fields.

Never a 5xx; when the answer is 4xx, nothing in the database changed. Deterministic: hypothesis
runs derandomized with a fixed example budget.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from django.db import connection
from django.utils.datastructures import MultiValueDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import client_for
from .endpoints import ENDPOINTS, Endpoint

pytestmark = pytest.mark.django_db

# Writes that are expected even on refused requests: sessions (messages, CSRF rotation) and the
# login rate limiter's record of failed attempts.
IGNORED_TABLES = ("django_session", "axes_accessattempt", "axes_accessfailurelog", "axes_accesslog")


def database_writes() -> int:
    """Rows inserted, updated or deleted so far in this transaction, in application tables."""
    placeholders = ", ".join(["%s"] * len(IGNORED_TABLES))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) "
            f"FROM pg_stat_xact_user_tables WHERE relname NOT IN ({placeholders})",
            IGNORED_TABLES,
        )
        return int(cursor.fetchone()[0])


HOSTILE = st.one_of(
    st.text(max_size=40),
    st.integers(min_value=-(10**15), max_value=10**15).map(str),
    st.sampled_from(
        [
            "",
            "0",
            "-1",
            "1e309",
            "NaN",
            "inf",
            "abc",
            "10" * 600,
            "\x00",
            "' OR 1=1 --",
            "<script>alert(1)</script>",
            "../../etc/passwd",
            "9" * 40,
            "1.5",
            "[]",
            "{}",
            "ünïcødé ☃",
        ]
    ),
    st.text(min_size=1000, max_size=12000, alphabet="ab\u00e9\u4e2d"),
)


def _payload(data, endpoint: Endpoint) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for name in endpoint.params:
        # Missing, once, or repeated keys.
        for _ in range(data.draw(st.integers(min_value=0, max_value=2), label=name)):
            pairs.append((name, data.draw(HOSTILE, label=name)))
    return pairs


JSON_SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    HOSTILE,
)
JSON_ITEM = st.one_of(
    JSON_SCALAR,
    st.fixed_dictionaries(
        {},
        optional={"productId": JSON_SCALAR, "priceSnapshot": JSON_SCALAR, "addedAt": JSON_SCALAR},
    ),
)
JSON_BODY = st.one_of(
    st.fixed_dictionaries({"items": st.lists(JSON_ITEM, max_size=8)}),
    st.dictionaries(st.text(max_size=8), JSON_SCALAR, max_size=3),
    st.lists(JSON_SCALAR, max_size=3),
    JSON_SCALAR,
)
RAW_BODY = st.sampled_from([b"", b"{", b"[[[[[[[[", b"NaN", b'{"items": [1e999999]}', b"\xff\xfe"])


CASES = [
    pytest.param(endpoint, method, id=f"{endpoint.name}-{method}")
    for endpoint in ENDPOINTS
    if endpoint.params and endpoint.path is not None
    for method in endpoint.methods
    if method in ("GET", "POST")
]
EXAMPLES = 30


@pytest.mark.parametrize(("endpoint", "method"), CASES)
def test_fuzz_never_5xx_and_4xx_changes_nothing(world, endpoint: Endpoint, method: str):
    role = "staff_perm" if endpoint.access.startswith("staff:") else "shopper_a"
    client = client_for(world, role, endpoint=endpoint)
    path = endpoint.path(world)

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=st.data())
    def run(data):
        before = database_writes()
        if endpoint.json and method == "POST":
            if data.draw(st.booleans(), label="raw"):
                sent = data.draw(RAW_BODY, label="body")
            else:
                sent = json.dumps(data.draw(JSON_BODY, label="body")).encode()
            response = client.post(path, sent, content_type="application/json")
        else:
            values = MultiValueDict()
            sent = _payload(data, endpoint)
            for key, value in sent:
                values.appendlist(key, value)
            if method == "GET":
                response = client.get(path, values)
            else:
                response = client.post(path, values)
        assert response.status_code < 500, (method, path, str(sent)[:300], response.status_code)
        if 400 <= response.status_code < 500:
            assert database_writes() == before, (method, path, str(sent)[:300])

    run()


# Path segments: str/slug/path converters take anything; int converters take any digit run.
PATH_HOSTILE = st.one_of(
    HOSTILE.filter(lambda v: v != ""),
    st.integers(min_value=0, max_value=10**40).map(str),
    st.sampled_from(["b0", "n0", "b" + "9" * 30, "n-1", "HS-0000000000", "..", "%00", "a/b"]),
)
PATH_CASES = [
    pytest.param(endpoint, method, id=f"{endpoint.name}-{method}")
    for endpoint in ENDPOINTS
    if endpoint.fuzz_path is not None
    for method in endpoint.methods
]
PATH_EXAMPLES = 15


@pytest.mark.parametrize(("endpoint", "method"), PATH_CASES)
def test_fuzz_path_parameters_never_5xx(world, endpoint: Endpoint, method: str):
    """Hostile values in the URL itself (line ids, order numbers, block keys, tokens, slugs)."""
    role = "staff_perm" if endpoint.access.startswith("staff:") else "shopper_a"
    client = client_for(world, role, endpoint=endpoint)
    payload = endpoint.data(world) if endpoint.data else {}

    @settings(
        max_examples=PATH_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(value=PATH_HOSTILE)
    def run(value):
        path = endpoint.fuzz_path(quote(value, safe="/" if "/" in value else ""))
        before = database_writes()
        if method == "GET":
            response = client.get(path)
        else:
            response = client.post(path, **endpoint.body(payload))
        assert response.status_code < 500, (method, path[:300], response.status_code)
        if 400 <= response.status_code < 500:
            assert database_writes() == before, (method, path[:300])

    run()
