"""Every parser of untrusted input under atheris for a few seconds each: no crash.

Bounded for CI (``FUZZ_SECONDS`` each, 6 by default); run one longer with
``python -m tests.fuzz.run TARGET "$(mktemp -d)" -max_total_time=600``. The seed changes by the day
and is printed, so a failure can be reproduced; its input is in the test's temporary directory.
"""

from __future__ import annotations

import datetime
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fuzz.targets import TARGETS

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(importlib.util.find_spec("atheris") is None, reason="atheris is not installed"),
]
SECONDS = int(os.environ.get("FUZZ_SECONDS", "6"))
ROOT = Path(__file__).parents[2]


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_no_input_crashes_the_parser(target: str, tmp_path: Path) -> None:
    seed = int(datetime.date.today().strftime("%Y%m%d"))
    (tmp_path / "corpus").mkdir()
    (tmp_path / "crashes").mkdir()
    command = [
        sys.executable, "-m", "tests.fuzz.run", target, str(tmp_path / "corpus"),
        f"-max_total_time={SECONDS}", f"-seed={seed}", "-timeout=5", "-rss_limit_mb=2048",
        f"-artifact_prefix={tmp_path}/crashes/",
    ]  # fmt: skip
    limit = SECONDS + 120
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=limit, check=False)
    crashes = sorted(path.name for path in (tmp_path / "crashes").iterdir())
    assert run.returncode == 0, f"seed {seed}, inputs {crashes} in {tmp_path}:\n{run.stderr[-4000:]}"
