"""The benchmark harness measures what it says: wrk's figures are parsed from a real run, the
query header counts the app's real queries, and the floor view exists only under bench settings."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import Resolver404, resolve

from apps.catalog.models import Category
from bench.middleware import QueryCountMiddleware
from bench.report import markdown
from bench.wrk import Request, run

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_floor_view_is_not_part_of_the_shop():
    with pytest.raises(Resolver404):
        resolve("/__bench__/floor")


def test_query_count_header_counts_the_queries_of_the_request():
    def view(request):
        from django.http import HttpResponse

        list(Category.objects.all())
        list(Category.objects.filter(is_active=True))
        return HttpResponse("ok")

    response = QueryCountMiddleware(view)(RequestFactory().get("/"))
    assert response["X-Query-Count"] == "2"


def test_wrk_driver_reports_requests_latency_and_bad_statuses(live_server):
    ok = run(live_server.url, [Request("/healthz")], seconds=1, connections=2, threads=1)
    assert ok["requests"] > 0 and ok["rps"] > 0
    assert ok["errors"] == 0
    assert 0 < ok["p50_ms"] <= ok["p95_ms"] <= ok["p99_ms"]

    missing = run(
        live_server.url,
        [Request("/healthz"), Request("/no-such-page/")],
        seconds=1,
        connections=2,
        threads=1,
    )
    assert missing["bad_status"] > 0, "404s must count as errors"


def test_markdown_report_shows_every_scenario_and_the_flash_sale_verdict():
    row = {
        "scenario": "floor (hello world)",
        "rps": 1000.0,
        "ratio": 1.0,
        "p50_ms": 1.0,
        "p95_ms": 2.0,
        "p99_ms": 3.0,
        "errors": 0,
        "queries": 0,
        "body_bytes": 11,
    }
    text = markdown(
        {
            "shopper": {
                "products": 10_000,
                "workers": 2,
                "connections": 8,
                "seconds": 8.0,
                "measured_at": "now",
                "machine": "x",
                "rows": [row, {**row, "scenario": "cart page"}],
            },
            "flashsale": {
                "measured_at": "now",
                "shoppers": 200,
                "units": 20,
                "orders": 20,
                "units_sold": 20,
                "oversold": 0,
                "server_errors": 0,
                "deadlocks": 0,
                "sold_out": 180,
                "p50_ms": 900.0,
                "p95_ms": 1500.0,
            },
        }
    )
    assert "| floor (hello world)" in text and "| cart page" in text
    assert "| orders created" in text and "| 20 " in text


def test_saved_results_name_the_machine_speed_with_a_cpu_probe(tmp_path, monkeypatch):
    """Runs on a shared VM are comparable only at similar speed: every saved section says how
    long the fixed probe loop took."""
    from bench import report

    monkeypatch.setattr(report, "RESULTS", tmp_path)
    monkeypatch.setattr(report, "charts", lambda results: None)
    monkeypatch.setattr(report, "markdown", lambda results: "")
    monkeypatch.setattr(report, "cpu_probe_ms", lambda rounds=5: 87.4)
    report.save("stall", {"pause_s": 1})
    assert "CPU probe 87 ms" in report.load()["stall"]["machine"]
    assert 1 < report.cpu_probe_ms(rounds=1) < 10_000
