"""Start Tandem under gunicorn with production settings for benchmarks (not for tests)."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def production_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """Production settings on localhost without TLS (benchmarks only)."""
    env = {
        **os.environ,
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "localhost,127.0.0.1",
        "SITE_URL": "http://localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "STATIC_ROOT": str(data_dir / "static"),
        "DATA_DIR": str(data_dir),
        "NUM_PROXIES": "0",
        "LOG_LEVEL": "WARNING",
    }
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


@contextmanager
def gunicorn_process(
    env: dict[str, str], *, workers: int = 3, threads: int = 4, options: Sequence[str] = ()
) -> Iterator[tuple[str, subprocess.Popen]]:
    """Run gunicorn on a free port (with more command-line ``options`` if given); yields
    the base URL and the master process."""
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--log-level",
            "warning",
            *options,
        ],
        cwd=ROOT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{url}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        yield url, proc
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)


@contextmanager
def gunicorn(env: dict[str, str], *, workers: int = 3, threads: int = 4) -> Iterator[str]:
    """Run gunicorn on a free port; yields the base URL. Sized for a 2-core machine."""
    with gunicorn_process(env, workers=workers, threads=threads) as (url, _proc):
        yield url
