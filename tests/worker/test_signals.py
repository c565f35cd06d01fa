"""reqless.workers.signals: QUIT stops, USR1 dumps the stack, USR2 opens a console.

The real-signal tests run small scripts in subprocesses, so that the signals, the
standard streams and the process's handlers are genuinely those of a worker.
"""

from __future__ import annotations

import io
import logging
import os
import pty
import re
import select
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import IO

import pytest

from reqless.workers.signals import DEFAULT_SIGNALS, basic_signal_handler, register_signal_handler
from tests.patience import PATIENCE

ROOT = Path(__file__).resolve().parents[2]

PRELUDE = """
import logging, os, signal, sys, time
from reqless.workers.logs import configure_worker_logging
from reqless.workers.signals import basic_signal_handler, register_signal_handler

configure_worker_logging("warning")  # as the worker program does
quits = []
register_signal_handler(basic_signal_handler(lambda: quits.append(True)))
"""

# Waits for signals from the test until QUIT arrives (or 30 seconds pass).
WAITING = """
def busy_loop_marker():
    # "ready" is printed from inside, so a signal sent after it always
    # interrupts this frame.
    print("ready", flush=True)
    deadline = time.monotonic() + 30
    while not quits and time.monotonic() < deadline:
        time.sleep(0.01)

busy_loop_marker()
print("stopped by QUIT" if quits else "timed out", flush=True)
"""

# Signals itself with USR2 `{times}` times from inside `interrupted`.
SELF_USR2 = """
{prepare}

def interrupted():
    local_value = 42
    os.kill(os.getpid(), signal.SIGUSR2)
    return local_value

for _ in range({times}):
    print("resumed with", interrupted(), flush=True)
"""


# Takes the pty on stdin as its controlling terminal, then forks a worker-like child.
FORKED_ON_A_TERMINAL = """
import fcntl, termios

fcntl.ioctl(0, termios.TIOCSCTTY, 0)
pid = os.fork()
if pid == 0:
    def busy_loop_marker():
        # The pid is printed in here, so USR2 can only find this frame running.
        print(f"child-pid={os.getpid()};", flush=True)
        deadline = time.monotonic() + 30
        while not quits and time.monotonic() < deadline:
            time.sleep(0.01)

    busy_loop_marker()
    print("child stopped by QUIT" if quits else "child timed out", flush=True)
    os._exit(0)
os.waitpid(pid, 0)
print("parent done", flush=True)
"""


def _start(tmp_path: Path, body: str, stdin: int | IO[bytes] | None) -> subprocess.Popen[str]:
    # A script file rather than `-c`, so that the dumped stacks show source lines.
    script = tmp_path / "signals_probe.py"
    script.write_text(PRELUDE + textwrap.dedent(body))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, str(script)],
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )


def _self_usr2(
    tmp_path: Path, stdin_text: str | None, *, prepare: str = "", times: int = 1
) -> tuple[str, str]:
    """Run the self-signalling script; returns its stdout and stderr after a clean exit."""
    body = SELF_USR2.format(prepare=prepare, times=times)
    stdin = subprocess.DEVNULL if stdin_text is None else subprocess.PIPE
    process = _start(tmp_path, body, stdin)
    out, err = process.communicate(stdin_text, timeout=PATIENCE)
    assert process.returncode == 0, err
    return out, err


def _read_stderr_until(process: subprocess.Popen[str], marker: str) -> list[str]:
    assert process.stderr is not None
    lines: list[str] = []
    while True:
        line = process.stderr.readline()
        assert line, f"stderr ended before {marker!r}: {''.join(lines)}"
        lines.append(line)
        if marker in line:
            return lines


def test_usr1_writes_the_stack_to_stderr_and_the_log_and_processing_continues(
    tmp_path: Path,
) -> None:
    process = _start(tmp_path, WAITING, subprocess.DEVNULL)
    try:
        assert process.stdout is not None
        assert process.stdout.readline() == "ready\n"
        marker = f"Signaled traceback for {process.pid}:"
        for _ in range(2):  # still alive and still handling after the first dump
            os.kill(process.pid, signal.SIGUSR1)
            dump = "".join(_read_stderr_until(process, marker))
            dump += "".join(_read_stderr_until(process, "[WARNING] " + marker))
            assert "in busy_loop_marker" in dump
            # The signal may land while "ready" is still being flushed.
            assert "time.sleep(0.01)" in dump or 'print("ready", flush=True)' in dump
        os.kill(process.pid, signal.SIGQUIT)
        out, _ = process.communicate(timeout=10)
    finally:
        process.kill()
        process.communicate()
    assert out == "stopped by QUIT\n"
    assert process.returncode == 0


def test_quit_calls_on_quit(tmp_path: Path) -> None:
    process = _start(tmp_path, WAITING, subprocess.DEVNULL)
    try:
        assert process.stdout is not None
        assert process.stdout.readline() == "ready\n"
        os.kill(process.pid, signal.SIGQUIT)
        out, err = process.communicate(timeout=10)
    finally:
        process.kill()
        process.communicate()
    assert out == "stopped by QUIT\n"
    assert err == ""
    assert process.returncode == 0


def test_usr2_sent_from_outside_opens_a_console_on_the_interrupted_frame(tmp_path: Path) -> None:
    process = _start(tmp_path, WAITING, subprocess.PIPE)
    try:
        assert process.stdout is not None
        assert process.stdin is not None
        assert process.stdout.readline() == "ready\n"
        os.kill(process.pid, signal.SIGUSR2)
        process.stdin.write("print('console in', _frame.f_code.co_name, len(quits))\nexit()\n")
        process.stdin.flush()
        assert process.stdout.readline().endswith("console in busy_loop_marker 0\n")
        _read_stderr_until(process, "console closed; resuming")
        os.kill(process.pid, signal.SIGQUIT)
        out, _ = process.communicate(timeout=10)
    finally:
        process.kill()
        process.communicate()
    assert out.endswith("stopped by QUIT\n")
    assert process.returncode == 0


def test_usr2_with_stdin_at_end_resumes(tmp_path: Path) -> None:
    out, err = _self_usr2(tmp_path, None)
    assert out == "resumed with 42\n"
    assert "Traceback:\n" in err
    assert "in interrupted" in err
    assert "standard input is not a terminal and reached its end; resuming" in err


def test_usr2_console_sees_the_frame_and_exit_keeps_stdin_open_for_the_next_one(
    tmp_path: Path,
) -> None:
    script = (
        "print('seen', local_value, _frame.f_code.co_name)\n"
        "exit()\n"
        "print('second', local_value * 2)\n"
        "quit()\n"
    )
    out, err = _self_usr2(tmp_path, script, times=2)
    assert out.splitlines() == [
        "seen 42 interrupted",
        "resumed with 42",
        "second 84",
        "resumed with 42",
    ]
    assert err.count("console closed; resuming") == 2


def test_usr2_console_reports_errors_and_resumes_at_end_of_input(tmp_path: Path) -> None:
    out, err = _self_usr2(tmp_path, "c\n")
    assert "NameError: name 'c' is not defined" in err
    assert out.endswith("resumed with 42\n")
    assert "reached its end; resuming" in err


@pytest.mark.parametrize("prepare", ["sys.stdin.close()", "sys.stdin = None"])
def test_usr2_without_stdin_only_logs(tmp_path: Path, prepare: str) -> None:
    out, err = _self_usr2(tmp_path, None, prepare=prepare)
    assert out == "resumed with 42\n"
    assert "standard input is closed; not opening a console" in err
    assert "Traceback:" not in err


def _read_terminal_until(fd: int, marker: str, seen: list[str]) -> str:
    """Read the pty master until `marker` appears; returns everything read by this call."""
    data = b""
    deadline = time.monotonic() + PATIENCE
    while marker.encode() not in data:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"no {marker!r} in {data!r}"
        ready, _, _ = select.select([fd], [], [], remaining)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # EIO: every process let go of the terminal
                chunk = b""
            assert chunk, f"terminal closed before {marker!r}: {data!r}"
            data += chunk
    seen.append(data.decode())
    return seen[-1]


def test_usr2_in_a_forked_child_reads_its_terminal(tmp_path: Path) -> None:
    master, slave = pty.openpty()
    script = tmp_path / "signals_probe.py"
    script.write_text(PRELUDE + FORKED_ON_A_TERMINAL)
    process = subprocess.Popen(
        [sys.executable, str(script)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        start_new_session=True,
    )
    os.close(slave)
    seen: list[str] = []
    try:
        match = re.search(r"child-pid=(\d+);", _read_terminal_until(master, ";", seen))
        assert match is not None
        child = int(match.group(1))
        os.kill(child, signal.SIGUSR2)
        assert "in busy_loop_marker" in _read_terminal_until(master, ">>> ", seen)
        os.write(master, b"print('answer', 6 * 7, _frame.f_code.co_name)\n")
        _read_terminal_until(master, "answer 42 busy_loop_marker", seen)
        os.write(master, b"exit()\n")
        _read_terminal_until(master, "console closed; resuming", seen)
        os.kill(child, signal.SIGQUIT)
        _read_terminal_until(master, "parent done", seen)
        assert process.wait(timeout=10) == 0
    finally:
        process.kill()
        process.wait()
        os.close(master)
    assert "child stopped by QUIT" in "".join(seen)


@pytest.fixture
def saved_handlers() -> Iterator[None]:
    """Restore this process's handlers of the signals a test installs handlers for."""
    numbers = [signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2]
    before = {number: signal.getsignal(number) for number in numbers}
    yield
    for number, handler in before.items():
        signal.signal(number, handler)


def _ignore(signum: int, frame: FrameType | None) -> None:
    """A handler that does nothing."""


@pytest.mark.usefixtures("saved_handlers")
def test_register_signal_handler_installs_the_default_signals() -> None:
    assert DEFAULT_SIGNALS == ("QUIT", "USR1", "USR2")
    register_signal_handler(_ignore)
    for number in (signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2):
        assert signal.getsignal(number) is _ignore


@pytest.mark.usefixtures("saved_handlers")
def test_register_signal_handler_takes_names_with_or_without_sig() -> None:
    register_signal_handler(_ignore, ["usr1", "SIGUSR2"])
    assert signal.getsignal(signal.SIGUSR1) is _ignore
    assert signal.getsignal(signal.SIGUSR2) is _ignore
    assert signal.getsignal(signal.SIGQUIT) is not _ignore


def test_register_signal_handler_refuses_unknown_names() -> None:
    with pytest.raises(ValueError, match="unknown signal name: 'NOPE'"):
        register_signal_handler(_ignore, ["NOPE"])


@pytest.mark.usefixtures("saved_handlers")
def test_a_real_quit_in_this_process_calls_on_quit() -> None:
    calls: list[str] = []
    register_signal_handler(basic_signal_handler(lambda: calls.append("quit")), ["QUIT"])
    os.kill(os.getpid(), signal.SIGQUIT)
    assert calls == ["quit"]


def test_other_signals_are_ignored(capsys: pytest.CaptureFixture[str]) -> None:
    calls: list[str] = []
    handler = basic_signal_handler(lambda: calls.append("quit"))
    handler(signal.SIGHUP, sys._getframe())
    handler(signal.SIGTERM, None)
    assert calls == []
    assert capsys.readouterr() == ("", "")


def test_usr1_without_a_frame_does_not_crash(
    capsys: pytest.CaptureFixture[str], records: list[logging.LogRecord]
) -> None:
    basic_signal_handler(lambda: None)(signal.SIGUSR1, None)
    err = capsys.readouterr().err
    assert err == f"Signaled traceback for {os.getpid()}:\n  (no interrupted frame)\n"
    assert [record.getMessage() for record in records] == [err.rstrip("\n")]


def test_usr2_without_a_frame_opens_a_console_with_frame_none(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("print('frame is', _frame)\n"))
    basic_signal_handler(lambda: None)(signal.SIGUSR2, None)
    out, err = capsys.readouterr()
    assert "frame is None" in out
    assert "Traceback:\n  (no interrupted frame)\n" in err


class _BrokenInput(io.StringIO):
    def readline(self, size: int | None = -1, /) -> str:  # type: ignore[override]
        raise OSError("input/output error")


def test_usr2_failures_are_logged_not_raised_into_the_interrupted_code(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    records: list[logging.LogRecord],
) -> None:
    monkeypatch.setattr(sys, "stdin", _BrokenInput())
    basic_signal_handler(lambda: None)(signal.SIGUSR2, sys._getframe())
    failed = [record for record in records if record.levelno == logging.ERROR]
    assert [record.getMessage() for record in failed] == ["Handling signal SIGUSR2 failed"]
    assert failed[0].exc_info is not None
    assert isinstance(failed[0].exc_info[1], OSError)
    capsys.readouterr()


class _BackgroundTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True

    def fileno(self) -> int:
        return 0


def test_usr2_does_not_read_a_terminal_owned_by_another_process_group(
    monkeypatch: pytest.MonkeyPatch, records: list[logging.LogRecord]
) -> None:
    # Reading would stop the whole process with SIGTTIN, so the handler only logs.
    monkeypatch.setattr(sys, "stdin", _BackgroundTerminal("exit()\n"))
    monkeypatch.setattr(os, "tcgetpgrp", lambda fd: os.getpgrp() + 1)
    basic_signal_handler(lambda: None)(signal.SIGUSR2, sys._getframe())
    assert [record.getMessage() for record in records] == [
        f"Signal USR2 (pid {os.getpid()}): standard input is a terminal owned by another "
        "(foreground) process; not opening a console"
    ]
