"""Worker signal handlers: QUIT stops gracefully, USR1 dumps the stack, USR2 opens a console.

These are operator tools: `kill -USR1 <pid>` writes where a worker is stuck to standard
error and to the log, `kill -USR2 <pid>` opens a Python console on the interrupted frame
(exit it with `exit()` or end of input to let the worker carry on).
"""

from __future__ import annotations

import code
import contextlib
import errno
import os
import signal
import sys
import traceback
from collections.abc import Callable, Iterable
from types import FrameType
from typing import Any, TextIO

from reqless.logger import logger

__all__ = ["DEFAULT_SIGNALS", "SignalHandler", "basic_signal_handler", "register_signal_handler"]

#: A handler as `signal.signal` takes it: called with the signal number and the interrupted frame.
SignalHandler = Callable[[int, FrameType | None], object]

#: The signals `register_signal_handler` installs a handler for by default.
DEFAULT_SIGNALS = ("QUIT", "USR1", "USR2")


def register_signal_handler(
    handler: SignalHandler, signals: Iterable[str] = DEFAULT_SIGNALS
) -> None:
    """Install `handler` for each named signal (`"QUIT"` or `"SIGQUIT"` both name SIGQUIT).

    Raises `ValueError` for a name this platform does not know. Must be called from the
    main thread, as with `signal.signal`.
    """
    for name in signals:
        signal.signal(_signal_number(name), handler)


def basic_signal_handler(on_quit: Callable[[], object]) -> SignalHandler:
    """Return a handler: QUIT calls `on_quit()`, USR1 dumps the stack, USR2 opens a console.

    - QUIT: `on_quit()` (a graceful stop: finish the current work, then leave the loop).
    - USR1: writes `Signaled traceback for <pid>:` and the stack of the interrupted frame
      to standard error, logs the same at warning level, and lets processing continue.
    - USR2: opens an interactive Python console whose namespace holds the interrupted
      frame's globals and locals plus `_frame`; processing resumes when the console is
      left with `exit()`, `quit()` or end of input. Without a usable standard input
      (closed, or a terminal owned by another process group) it only logs.
    - Any other signal is ignored.

    Failures of the USR1/USR2 diagnostics are logged and never reach the interrupted code
    (which may be a running job); an exception from `on_quit` propagates.
    """

    def handler(signum: int, frame: FrameType | None) -> None:
        if signum == signal.SIGQUIT:
            on_quit()
        elif signum in (signal.SIGUSR1, signal.SIGUSR2):
            try:
                if signum == signal.SIGUSR1:
                    _dump_stack(frame)
                else:
                    _open_console(frame)
            except Exception:
                # A signal handler's exception would surface inside the interrupted job.
                logger.exception("Handling signal %s failed", signal.Signals(signum).name)

    return handler


def _signal_number(name: str) -> signal.Signals:
    key = name.upper()
    if not key.startswith("SIG"):
        key = "SIG" + key
    try:
        return signal.Signals[key]
    except KeyError as exc:
        raise ValueError(f"unknown signal name: {name!r}") from exc


def _format_stack(frame: FrameType | None) -> str:
    if frame is None:
        return "  (no interrupted frame)\n"
    return "".join(traceback.format_stack(frame))


def _dump_stack(frame: FrameType | None) -> None:
    text = f"Signaled traceback for {os.getpid()}:\n{_format_stack(frame)}"
    # The stack goes to standard error even when logging is quiet or goes to a file.
    if sys.stderr is not None:
        sys.stderr.write(text)
        sys.stderr.flush()
    logger.warning("%s", text.rstrip("\n"))


def _open_console(frame: FrameType | None) -> None:
    pid = os.getpid()
    stdin = sys.stdin
    problem = _console_input_problem(stdin)
    if problem is not None:
        logger.warning("Signal USR2 (pid %d): %s; not opening a console", pid, problem)
        return
    namespace: dict[str, Any] = {}
    if frame is not None:
        namespace.update(frame.f_globals)
        namespace.update(frame.f_locals)
    namespace["_frame"] = frame
    # The built-in exit()/quit() close sys.stdin, which would spoil the next USR2.
    namespace.setdefault("exit", _LeaveConsole("exit"))
    namespace.setdefault("quit", _LeaveConsole("quit"))
    logger.warning("Signal USR2 (pid %d): opening a Python console; exit() resumes", pid)
    console = _Console(namespace)
    with contextlib.suppress(SystemExit):
        console.interact(banner=f"Traceback:\n{_format_stack(frame)}", exitmsg="")
    if console.reached_eof and not stdin.isatty():
        logger.warning(
            "Signal USR2 (pid %d): standard input is not a terminal and reached its end; resuming",
            pid,
        )
    else:
        logger.warning("Signal USR2 (pid %d): console closed; resuming", pid)


def _console_input_problem(stdin: TextIO | None) -> str | None:
    """Why a console cannot read `stdin`, or None when it can."""
    if stdin is None or stdin.closed:
        return "standard input is closed"
    if stdin.isatty():
        # Reading a terminal from a background process group stops the process (SIGTTIN).
        try:
            if os.tcgetpgrp(stdin.fileno()) != os.getpgrp():
                return "standard input is a terminal owned by another (foreground) process"
        except OSError as exc:
            # ENOTTY: a terminal, but not ours to control; reading it cannot stop us.
            if exc.errno != errno.ENOTTY:
                return f"standard input is unusable ({exc})"
    return None


class _Console(code.InteractiveConsole):
    """An interactive console that remembers whether it stopped at end of input."""

    def __init__(self, namespace: dict[str, Any]) -> None:
        super().__init__(namespace)
        self.reached_eof = False

    def raw_input(self, prompt: str = "") -> str:
        """Read one line, noting end of input before passing it on.

        Prompts are only shown to a terminal: piped input has nobody to prompt.
        """
        try:
            return super().raw_input(prompt if sys.stdin.isatty() else "")
        except EOFError:
            self.reached_eof = True
            raise


class _LeaveConsole:
    """`exit()`/`quit()` inside the console: leave it without closing standard input."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Use {self.name}() or end of input to leave the console and resume"

    def __call__(self, code: object = None) -> None:
        raise SystemExit(code)
