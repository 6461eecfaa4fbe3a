"""gunicorn on a free local port, for the benchmarks and the tests that need real server processes
(production settings come from the environment the caller passes)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    base: str
    probe: str
    log: Path  # the server's stderr (a file: a pipe nobody reads would block a chatty server)

    def wait_until_up(self, seconds: float = 60) -> Server:
        """Return once the server answers ``probe`` (any HTTP status); raise if it exits or never does."""
        import requests

        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = self.log.read_text(errors="replace")[-2000:]
                self.log.unlink(missing_ok=True)
                raise RuntimeError(f"gunicorn exited: {tail}")
            try:
                requests.get(f"{self.base}{self.probe}", timeout=5)
                return self
            except requests.RequestException:
                time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer {self.probe} within {seconds:.0f} s")

    def stop(self) -> None:
        """SIGTERM to the server's process group (the master and its workers), SIGKILL if it lingers."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
        self.log.unlink(missing_ok=True)


def start(env: dict, *, workers: int = 1, probe: str = "/accounts/login/", wait: bool = True) -> Server:
    """gunicorn serving ``project.wsgi`` with ``workers`` processes, in its own process group.
    ``wait=False`` returns at once (start several, then ``wait_until_up`` each)."""
    port = free_port()
    fd, log = tempfile.mkstemp(prefix="kinerja-gunicorn-", suffix=".log")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "project.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=fd,
        start_new_session=True,
    )
    os.close(fd)
    server = Server(process, f"http://127.0.0.1:{port}", probe, Path(log))
    return server.wait_until_up() if wait else server
