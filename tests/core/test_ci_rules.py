"""In CI a skipped test fails the run, so nothing can quietly drop out of the suite."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(tmp_path: Path, ci: str) -> subprocess.CompletedProcess:
    test_file = tmp_path / "test_skipped_example.py"
    test_file.write_text("import pytest\n\ndef test_skipped():\n    pytest.skip('not here')\n")
    env = {**os.environ, "CI": ci}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(test_file),
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
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )


def test_skip_fails_the_run_in_ci(tmp_path):
    result = _run(tmp_path, "true")
    assert result.returncode == 1, result.stdout
    assert "skipped/xfailed test(s) fail the run" in result.stdout


def test_skip_is_allowed_outside_ci(tmp_path):
    assert _run(tmp_path, "false").returncode == 0
