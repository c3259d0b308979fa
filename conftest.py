"""Suite-wide rules. In CI (CI=true) a skipped or xfailed test fails the run: nothing may hide.

Both kinds of report count: a test skipped or xfailed when it runs, and a whole module skipped
while it is collected (`pytest.importorskip`, `pytest.skip(..., allow_module_level=True)`).
"""

from __future__ import annotations

import os

_HIDDEN: list[str] = []


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def pytest_runtest_logreport(report) -> None:
    if report.skipped:
        _HIDDEN.append(report.nodeid)


def pytest_collectreport(report) -> None:
    if report.skipped:
        # A skip's longrepr is (path, line, reason); the path names modules outside the rootdir.
        where = report.longrepr[0] if isinstance(report.longrepr, tuple) else ""
        _HIDDEN.append(report.nodeid or str(where))


def pytest_sessionfinish(session, exitstatus) -> None:
    if _in_ci() and _HIDDEN and session.exitstatus in (0, 5):
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if _in_ci() and _HIDDEN:
        terminalreporter.write_line(
            f"CI=true: {len(_HIDDEN)} skipped/xfailed test(s) fail the run: "
            + ", ".join(_HIDDEN[:20]),
            red=True,
        )
