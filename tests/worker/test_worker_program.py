"""The command-line entry points: `reqless` lists its subcommands, and the
worker program chooses literal queue names or pattern resolution."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from reqless.cli.main import main
from reqless.cli.worker import queue_resolver
from reqless.client import Client
from reqless.queue_resolvers import (
    DynamicMappingQueueIdentifiersTransformer,
    DynamicPriorityQueueIdentifiersTransformer,
    TransformingQueueResolver,
)

BIN = Path(sys.executable).parent


def test_reqless_help_lists_only_the_existing_subcommands() -> None:
    result = subprocess.run(
        [str(BIN / "reqless"), "--help"], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0
    assert "worker" in result.stdout
    for missing in ("dev", "ui"):
        assert f"    {missing} " not in result.stdout


def test_reqless_worker_help_names_the_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["worker", "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Usage: reqless worker [OPTIONS]")
    assert "--greenlets" in out


def test_an_unknown_subcommand_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["nonesuch"])
    assert info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_the_worker_program_is_installed() -> None:
    result = subprocess.run(
        [str(BIN / "reqless-py-worker"), "--help"], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0
    assert result.stdout.startswith("Usage: reqless-py-worker [OPTIONS]")


def test_literal_queue_names_are_used_as_given() -> None:
    resolver = queue_resolver(Client("redis://127.0.0.1:1"), ("b", "a"))
    assert isinstance(resolver, TransformingQueueResolver)
    assert resolver.transformers == []
    assert resolver.resolve() == ["b", "a"]


@pytest.mark.parametrize("pattern", ["jobs-*", "@group", "!skip"])
def test_patterns_are_resolved_on_every_pass(pattern: str) -> None:
    resolver = queue_resolver(Client("redis://127.0.0.1:1"), ("first", pattern))
    assert isinstance(resolver, TransformingQueueResolver)
    assert [type(t) for t in resolver.transformers] == [
        DynamicMappingQueueIdentifiersTransformer,
        DynamicPriorityQueueIdentifiersTransformer,
    ]


def test_gevent_is_imported_only_by_the_gevent_worker() -> None:
    code = (
        "import sys, reqless, reqless.workers, reqless.cli.main, reqless.cli.worker\n"
        "assert 'gevent' not in sys.modules, 'gevent was imported'\n"
        "import reqless.workers.gevent_worker\n"
        "assert 'gevent' in sys.modules\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
