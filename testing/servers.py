"""Real servers for integration tests: a throw-away ``redis-server`` and Celery workers.

Both run as child processes in their own session so a test can kill them like a crash
would (SIGKILL to the whole process group) and start them again.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(predicate, timeout: float, interval: float = 0.05, message: str = "") -> None:
    """Poll ``predicate`` until it is true; ``TimeoutError`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise TimeoutError(message or f"condition not met within {timeout}s")


class RedisServer:
    """``redis-server`` on a free port, without persistence (a restart loses the queue)."""

    def __init__(self, directory: Path) -> None:
        self.binary = shutil.which("redis-server")
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def _ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start(self) -> RedisServer:
        if self.binary is None:
            raise FileNotFoundError("redis-server")
        self.directory.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_until(self._ping, 10, message="redis-server did not start")
        return self

    def stop(self) -> None:
        """Stop at once, losing whatever was queued (no persistence)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


class CeleryWorker:
    """``celery -A config worker -B -Q dispatch,push,default`` with the given environment
    (``queues=None``: no ``-Q``, the queues the app declares)."""

    def __init__(
        self,
        directory: Path,
        env: Mapping[str, str],
        concurrency: int = 2,
        queues: str | None = "dispatch,push,default",
    ) -> None:
        self.directory = directory
        self.env = dict(env)
        self.concurrency = concurrency
        self.queues = queues
        self.process: subprocess.Popen | None = None
        self.log_path = directory / "worker.log"
        self.starts = 0

    def start(self, *, beat: bool = True) -> CeleryWorker:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.starts += 1
        log = self.log_path.open("a")
        log.write(f"\n===== start {self.starts} =====\n")
        log.flush()
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            *(["-Q", self.queues] if self.queues else []),
            "--concurrency",
            str(self.concurrency),
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"test{self.starts}@%h",
        ]
        if beat:
            command += ["-B", "-s", str(self.directory / "beat-schedule")]
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **self.env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        marker = f"test{self.starts}@"
        wait_until(
            lambda: self._ready(marker),
            60,
            interval=0.1,
            message=f"Celery worker did not start:\n{self.log()[-3000:]}",
        )
        return self

    def _ready(self, marker: str) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError(f"Celery worker exited:\n{self.log()[-3000:]}")
        text = self.log()
        section = text[text.rfind("===== start") :]
        return marker in section and " ready." in section

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""

    def kill(self) -> None:
        """SIGKILL the worker and its pool and beat processes: a crash, no clean-up."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        """Warm shutdown (SIGTERM); whatever is left after 15 s is killed."""
        if self.process is None:
            return
        group = self.process.pid
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # the main process drains its pool
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=15)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)  # stray pool or beat processes
        self.process.wait(timeout=10)
        self.process = None


class PostgresServer:
    """A throw-away PostgreSQL 15 cluster (initdb + pg_ctl as the ``postgres`` user)."""

    BIN = Path("/usr/lib/postgresql/15/bin")

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.data = directory / "pgdata"
        self.port = free_port()

    @classmethod
    def available(cls) -> bool:
        return (cls.BIN / "initdb").exists()

    def _as_postgres(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=60)

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> PostgresServer:
        self.directory.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        self._as_postgres(str(self.BIN / "initdb"), "-D", str(self.data), "-A", "trust",
                          "-U", "postgres", "--no-sync")  # fmt: skip
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._as_postgres(str(self.BIN / "pg_ctl"), "-D", str(self.data), "-o", options,
                          "-l", str(self.directory / "postgres.log"), "-w", "start")  # fmt: skip
        return self

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError, FileNotFoundError):
            self._as_postgres(str(self.BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                              "-w", "stop")  # fmt: skip

    @classmethod
    @contextlib.contextmanager
    def temporary(cls, prefix: str = "tandem-pg-") -> Iterator[PostgresServer]:
        """A cluster started for the ``with`` block, then stopped and its folder removed."""
        # Not under pytest's tmp_path: the postgres user must be able to reach the folder.
        directory = Path(tempfile.mkdtemp(prefix=prefix))
        server = cls(directory).start()
        try:
            yield server
        finally:
            server.stop()
            shutil.rmtree(directory, ignore_errors=True)


class MotoServer:
    """moto's standalone S3 (``moto_server``) on a free loopback port: a real HTTP object
    store for the media storage's S3 path, forgotten when it stops."""

    def __init__(self) -> None:
        binary = Path(sys.executable).parent / "moto_server"
        self.binary = str(binary) if binary.exists() else shutil.which("moto_server")
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _up(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def start(self) -> MotoServer:
        if self.binary is None:
            raise FileNotFoundError("moto_server (pip install 'moto[server]')")
        self.process = subprocess.Popen(
            [self.binary, "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_until(self._up, 20, message="moto_server did not start")
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None
