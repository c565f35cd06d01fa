"""Events of tracked jobs through the async listener."""

from __future__ import annotations

import asyncio
import logging

import pytest

from reqless.aio import AsyncListener
from reqless.exceptions import ReqlessError
from reqless.logger import logger
from tests.aio.conftest import Runner, Surface

KLASS = "tests.aio.jobs.Noop"


async def until(condition: object, seconds: float = 5.0) -> None:
    """Wait (yielding to the loop) until `condition()` is truthy."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():  # type: ignore[operator]
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.01)


def test_every_tracked_job_event_reaches_plain_and_async_callbacks(aio: Runner) -> None:
    async def scenario(s: Surface) -> None:
        seen: list[tuple[str, str]] = []

        async def on_completed(jid: str) -> None:
            await asyncio.sleep(0)
            seen.append(("completed", jid))

        events = s.client.events
        assert events is s.client.events
        for evt in ("canceled", "failed", "popped", "put", "track", "untrack"):
            events.on(evt, lambda jid, evt=evt: seen.append((evt, jid)))
        events.on("completed", on_completed)
        assert "completed" in repr(events)
        queue = s.client.queues["q"]
        jid = await queue.put(KLASS, {})
        async with events.listening():
            await s.client.track(jid)
            await queue.put(KLASS, {}, jid=jid, replace=True)
            job = await queue.pop()
            await job.fail("g", "m")
            await queue.put(KLASS, {}, jid=jid, replace=True)
            job = await queue.pop()
            await job.complete()
            await s.client.untrack(jid)
            await until(lambda: len(seen) >= 8)
        names = [evt for evt, _ in seen]
        assert names == ["track", "put", "popped", "failed", "put", "popped", "completed",
                         "untrack"]  # fmt: skip
        assert {one for _, one in seen} == {jid}

    aio(scenario)


def test_a_raising_callback_does_not_stop_the_listener(aio: Runner) -> None:
    async def scenario(s: Surface) -> None:
        seen: list[str] = []

        def explode(jid: str) -> None:
            raise RuntimeError("boom")

        s.client.events.on("track", explode)
        s.client.events.on("untrack", seen.append)
        jid = await s.client.queues["q"].put(KLASS, {})
        level = logger.level
        logger.setLevel(logging.CRITICAL)
        try:
            async with s.client.events.listening():
                await s.client.track(jid)
                await s.client.untrack(jid)
                await until(lambda: seen)
        finally:
            logger.setLevel(level)
        assert seen == [jid]
        assert s.client.events.off("untrack") is not None
        assert s.client.events.off("untrack") is None

    aio(scenario)


def test_unknown_events_and_reuse(aio: Runner) -> None:
    async def scenario(s: Surface) -> None:
        with pytest.raises(NotImplementedError, match="unknown event 'nope'"):
            s.client.events.on("nope", print)
        for _ in range(2):  # listening can start again once stopped
            async with s.client.events.listening() as events:
                assert events.listener.is_listening
            assert not events.listener.is_listening

    aio(scenario)


def test_listener_yields_only_messages_until_stopped(aio: Runner) -> None:
    async def scenario(s: Surface) -> None:
        with pytest.raises(ReqlessError, match="at least one channel"):
            AsyncListener(s.client.database, [])
        listener = AsyncListener(s.client.database, ["chan"])
        assert not await listener.wait_until_listening(0.05)
        got: list[str] = []

        async def consume() -> None:
            async for message in listener.listen():
                got.append(message["data"])
                listener.unlisten()

        task = asyncio.create_task(consume())
        assert await listener.wait_until_listening(5)
        await s.client.database.publish("chan", "hello")
        await asyncio.wait_for(task, 5)
        assert got == ["hello"] and not listener.is_listening

    aio(scenario)
