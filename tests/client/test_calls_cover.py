"""`reqless._calls` describes every core command, each with its retry safety.

No server needed: building a call does no I/O. The commands come from the Lua
handlers (the same reading that writes docs/core-commands.md).
"""

from __future__ import annotations

import inspect
from types import ModuleType

import pytest

from reqless._calls import NOT_OFFERED, Call
from reqless._calls import config as config_calls
from reqless._calls import cron as cron_calls
from reqless._calls import follow as follow_calls
from reqless._calls import groups as groups_calls
from reqless._calls import job as job_calls
from reqless._calls import queue as queue_calls
from reqless._calls import server as server_calls
from reqless.core.reference import command_headers
from reqless.core.script import READ_COMMANDS
from tests.call_samples import SAMPLES, all_calls

MODULES: dict[str, ModuleType] = {
    "job": job_calls,
    "queue": queue_calls,
    "server": server_calls,
    "config": config_calls,
    "cron": cron_calls,
    "groups": groups_calls,
    "follow": follow_calls,
}


def _builders() -> set[str]:
    """Public functions of the call modules that return calls."""
    found = set()
    for prefix, module in MODULES.items():
        for name in module.__all__:
            value = getattr(module, name)
            returns = str(getattr(value, "__annotations__", {}).get("return"))
            if inspect.isfunction(value) and ("Call" in returns or "PutMany" in returns):
                found.add(f"{prefix}.{name}")
    return found


def test_every_builder_has_a_sample() -> None:
    assert _builders() - set(SAMPLES) == set()


def test_every_registered_command_has_a_builder_or_a_reason() -> None:
    registered = {command for _, command, _ in command_headers()}
    assert len(registered) > 50  # the Lua was read
    built = {call.command for call in all_calls()}
    assert built - registered == set(), "a call names a command the core does not have"
    assert registered - built - set(NOT_OFFERED) == set(), "give these commands a builder"
    assert set(NOT_OFFERED) <= registered
    assert set(NOT_OFFERED).isdisjoint(built)
    assert all(reason.strip() for reason in NOT_OFFERED.values())


def test_every_read_the_core_registers_as_read_only_may_be_sent_again() -> None:
    """A command registered `no-writes` cannot change anything, so its call must be
    repeatable; and what pops or ends a job's hold never is."""
    calls = all_calls()
    for call in calls:
        if call.command in READ_COMMANDS:
            assert call.repeatable, f"{call.command} never writes but is not repeatable"
        if call.command in NEVER_REPEATED:
            assert not call.repeatable, f"{call.command} must not run twice"
    assert READ_COMMANDS - set(NOT_OFFERED) <= {call.command for call in calls}


#: Commands that hand out or end a job's hold: run twice, they would pop two jobs
#: or act on a job the first call already moved.
NEVER_REPEATED = frozenset({
    "queue.pop", "queues.pop", "queues.popAt", "job.complete", "job.completeAndPop",
    "job.fail", "job.retry", "job.cancel", "job.timeout", "queue.unfail",
})  # fmt: skip


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_call_says_whether_it_may_be_sent_again(name: str) -> None:
    for call in SAMPLES[name]():
        assert isinstance(call.repeatable, bool)


def test_a_call_cannot_be_built_without_saying_so() -> None:
    with pytest.raises(TypeError, match="repeatable"):
        Call("queue.length", ("q",), int)  # type: ignore[call-arg]
