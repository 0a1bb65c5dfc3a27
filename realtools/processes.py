"""Background processes a test starts: each in its own session, logging to a file, stopped for sure."""

import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

STOP_GRACE = 15.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def listening(port: int) -> bool:
    """Whether something accepts connections on 127.0.0.1:`port`."""
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class Service:
    """A started process and its log."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path

    def alive(self) -> bool:
        return self.process.poll() is None

    def peak_rss_mib(self) -> int:
        """The process's peak resident memory so far (VmHWM), 0 once it has exited."""
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return 0
        line = next((line for line in status.splitlines() if line.startswith("VmHWM:")), "VmHWM: 0 kB")
        return int(line.split()[1]) // 1024

    def tail(self, lines: int = 30) -> str:
        """The end of the log, for error messages."""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        """SIGTERM to its whole process group, SIGKILL after a grace period."""
        if not self.alive():
            return
        for sent, wait in ((signal.SIGTERM, STOP_GRACE), (signal.SIGKILL, STOP_GRACE)):
            try:
                os.killpg(self.process.pid, sent)
            except ProcessLookupError:
                return
            try:
                self.process.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                continue


def start(name: str, command: list[str], log_dir: Path, env: dict[str, str] | None = None) -> Service:
    """Start `command` in a session of its own (so that stopping it stops its children too)."""
    log = log_dir / f"{name}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True, env=env)  # fmt: skip
    return Service(name, process, log)


def run_bounded(command: list[str], cwd: Path, env: dict[str, str], timeout: float) -> subprocess.CompletedProcess[str]:
    """Run `command` to its end in a session of its own, its output captured; past `timeout`, SIGKILL the whole
    session (the children it started too, which a plain `subprocess.run` would leave running) and raise
    TimeoutExpired."""
    with subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          stdin=subprocess.DEVNULL, start_new_session=True) as process:  # fmt: skip
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def wait_until(condition: Callable[[], str | None], timeout: float, interval: float = 0.5) -> None:
    """Poll `condition` (None when met, else what is still missing) until it holds; TimeoutError naming
    the last thing missing otherwise."""
    deadline = time.monotonic() + timeout
    while (missing := condition()) is not None:
        if time.monotonic() > deadline:
            raise TimeoutError(f"after {timeout:.0f}s: {missing}")
        time.sleep(interval)
