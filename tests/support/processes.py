"""Running this project's Python in a child process, as the integration tests do to reach
a server of their own (a throw-away PostgreSQL, a real worker)."""

from __future__ import annotations

import os
import subprocess
import sys

from testing.servers import ROOT


def run(env: dict[str, str], *args: str) -> str:
    """``python *args`` from the project root with ``env`` added; its output, or a failure
    showing the end of its errors."""
    result = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout
