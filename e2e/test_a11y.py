"""Accessibility audits (axe-core) of the shop's pages: no serious or critical violation."""

from __future__ import annotations

import pytest

from e2e.a11y import assert_accessible, axe_violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/accounts/signup/"])
def test_page_has_no_serious_axe_violation(live_server, page, path):
    page.goto(live_server.url + path)
    assert_accessible(page)


def test_axe_catches_a_real_problem(live_server, page):
    """The audit can fail: an image without alt text and an unlabelled input are reported."""
    page.goto(live_server.url + "/")
    page.evaluate(
        """() => {
            const main = document.querySelector('main');
            const img = document.createElement('img'); img.src = '/static/x.png';
            const input = document.createElement('input'); input.type = 'text';
            main.append(img, input);
        }"""
    )
    ids = {v["id"] for v in axe_violations(page)}
    assert "image-alt" in ids
