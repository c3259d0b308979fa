"""`make bench-scale BENCH_SIZES=...`: the sizes are parsed before any database is touched, and
garbage is refused with a message (exit status 2), never seeded."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from bench.common import ROOT
from bench.report import scale_table
from bench.scale import parse_sizes, parser, target_ms, verdict


@pytest.mark.parametrize(
    ("text", "sizes"),
    [
        ("100000", [100_000]),
        ("100000,1000000", [100_000, 1_000_000]),
        (" 1000 , 10_000 ", [1_000, 10_000]),
        ("100k,1M", [100_000, 1_000_000]),
    ],
)
def test_sizes_are_read_as_product_counts(text, sizes):
    assert parse_sizes(text) == sizes


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abc",
        "100000,,1000000",
        "100000;1000000",
        "-5",
        "0",
        "1.5",
        "1e6",
        "100000,abc",
        "20000000",
        "1000,1000",
        "10__0",
        "100kk",
        "0x10",
    ],
)
def test_garbage_sizes_are_refused(text):
    with pytest.raises(argparse.ArgumentTypeError):
        parse_sizes(text)


def test_the_command_line_refuses_garbage_before_touching_a_database(capsys):
    with pytest.raises(SystemExit) as exit_:
        parser().parse_args(["--sizes", "100000,lots"])
    assert exit_.value.code == 2
    assert "not a catalog size: 'lots'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        parser().parse_args(["--sizes", "1000", "--requests", "5"])  # no p95 from 5 samples
    # The way make passes BENCH_SIZES, through the real entry point.
    run = subprocess.run(
        [sys.executable, "-m", "bench", "scale", "--sizes", "1000,x"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2 and "not a catalog size" in run.stderr


def test_both_spellings_of_several_sizes_are_accepted():
    assert parser().parse_args(["--sizes", "1000,10000"]).sizes == [[1_000, 10_000]]
    assert parser().parse_args(["--sizes", "1000", "10000"]).sizes == [[1_000], [10_000]]


def test_targets_and_verdict_follow_the_issue():
    assert target_ms(100_000) == 30 and target_ms(1_000_000) == 80
    row = {
        "scenario": "two facets",
        "cold_p50_ms": 20.0,
        "cold_p95_ms": 25.0,
        "cold_queries_min": 4,
        "cold_queries_max": 4,
        "warm_p95_ms": 2.0,
        "warm_queries_max": 0,
        "errors": 0,
    }
    size = {"products": 100_000, "target_ms": 30.0, "rows": [row]}
    assert verdict(size)
    assert not verdict({**size, "rows": [{**row, "cold_p95_ms": 31.0}]})
    assert not verdict({**size, "rows": [{**row, "cold_queries_min": 3}]}), "not constant"
    assert not verdict({**size, "rows": [{**row, "cold_queries_min": 5, "cold_queries_max": 5}]})
    table = scale_table(
        {"kind": "cold", "sizes": [{**size, "rows": [{**row, "cold_p95_ms": 31.0}]}]}
    )
    assert "31.0 ✗" in table and "100,000" in table

    # The facet index's periodic sync (one query, at most once a second) is told apart: the
    # path's own queries must be constant, the total at most 4 with it.
    synced = {
        **row,
        "cold_queries_min": 3,
        "cold_queries_max": 4,
        "cold_syncs": 2,
        "cold_own_queries_min": 3,
        "cold_own_queries_max": 3,
    }
    assert verdict({**size, "rows": [synced]})
    assert not verdict({**size, "rows": [{**synced, "cold_own_queries_min": 2}]})
    assert not verdict({**size, "rows": [{**synced, "cold_queries_max": 5}]})
    table = scale_table({"kind": "cold", "sizes": [{**size, "rows": [synced]}]})
    assert "3 (+1 sync ×2)" in table


def test_a_request_that_included_the_index_sync_is_told_apart():
    from bench.coldpath import query_figures

    figures = query_figures([3, 4, 3, 3, 4], [False, True, False, False, True])
    assert figures == {
        "cold_queries_min": 3,
        "cold_queries_max": 4,
        "cold_syncs": 2,
        "cold_own_queries_min": 3,
        "cold_own_queries_max": 3,
    }
    assert query_figures([3, 4], [False, False])["cold_own_queries_max"] == 4


def test_a_run_keeps_the_sizes_an_earlier_run_measured(monkeypatch):
    from bench import report, scale

    def size(products: int, p95: float) -> dict:
        return {"products": products, "target_ms": target_ms(products), "rows": [], "p95": p95}

    earlier = {"scale": {"kind": "cold", "sizes": [size(100_000, 1.0), size(1_000_000, 2.0)]}}
    monkeypatch.setattr(report, "load", lambda: earlier)
    assert scale.merged([size(1_000_000, 3.0), size(1_000, 4.0)]) == [
        size(1_000, 4.0),
        size(100_000, 1.0),
        size(1_000_000, 3.0),
    ]
    # A throughput section from before the cold-path harness is not mixed in.
    earlier["scale"]["kind"] = "wrk"
    assert scale.merged([size(1_000, 4.0)]) == [size(1_000, 4.0)]
