"""In CI a skipped test fails the run, so nothing can quietly drop out of the suite.

The probe suite beside a passing test holds every way a test can hide: skipped while running,
skipped by a marker, xfailed, and a whole module skipped while it is collected. It runs with the
project's own pytest configuration and root conftest.py (loaded by name, since the probe files
live outside the repository).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROBES = {
    "test_passes.py": "def test_passes():\n    pass\n",
    "test_skip_call.py": "import pytest\n\ndef test_skip_call():\n    pytest.skip('not here')\n",
    "test_skip_mark.py": (
        "import pytest\n\n@pytest.mark.skipif(True, reason='never')\ndef test_skip_mark():\n"
        "    pass\n"
    ),
    "test_xfail.py": (
        "import pytest\n\n@pytest.mark.xfail(reason='known')\ndef test_xfail():\n    assert False\n"
    ),
    "test_skip_module.py": (
        "import pytest\n\npytest.importorskip('no_such_module_anywhere')\n\n"
        "def test_never_collected():\n    pass\n"
    ),
}
HIDING = ["test_skip_call", "test_skip_mark", "test_xfail", "test_skip_module.py"]


def _run(tmp_path: Path, ci: str, *extra: str) -> subprocess.CompletedProcess:
    for name, source in PROBES.items():
        (tmp_path / name).write_text(source)
    env = {**os.environ, "CI": ci}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            *(str(tmp_path / name) for name in PROBES),
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "conftest",
            "--rootdir",
            str(ROOT),
            "-c",
            str(ROOT / "pyproject.toml"),
            "--confcutdir",
            str(ROOT),
            *extra,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )


# `make test` runs the suite on two pytest-xdist workers: the skips reported by the workers must
# fail the run as well (the controller process collects them).
@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["one process", "two workers"])
def test_every_kind_of_skip_fails_the_run_in_ci(tmp_path, workers):
    result = _run(tmp_path, "true", *workers)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 passed" in result.stdout, result.stdout
    summary = next(
        line
        for line in result.stdout.splitlines()
        if "skipped/xfailed test(s) fail the run" in line
    )
    assert summary.startswith(f"CI=true: {len(HIDING)} "), summary
    for name in HIDING:
        assert name in summary, (name, summary)


def test_skips_are_allowed_outside_ci(tmp_path):
    result = _run(tmp_path, "false")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "fail the run" not in result.stdout
