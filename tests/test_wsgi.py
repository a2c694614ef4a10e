"""The web process's entry point (config/wsgi.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_a_web_worker_starts_with_django_loaded_and_frozen(tmp_path):
    # Frozen, Django's own start-up objects stay out of every garbage collection: without
    # it a full collection walked them all and stalled a worker for 70-145 ms under load.
    code = (
        "import gc, sys, config.wsgi; "
        "print(gc.get_freeze_count(), 'config.urls' in sys.modules, gc.isenabled())"
    )
    env = {**os.environ, "DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    frozen, urls_loaded, collecting = result.stdout.split()
    assert int(frozen) > 50_000  # Django, DRF, the apps and the URLconf
    assert urls_loaded == "True"
    assert collecting == "True"  # frozen, not switched off: requests' garbage is collected
