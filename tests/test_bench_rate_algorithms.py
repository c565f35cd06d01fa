"""The rate-window comparison (`python -m bench.rate_algorithms`, issue 24): each
simulated algorithm behaves as the literature says, so its table can be trusted."""

from __future__ import annotations

import pytest

from bench.rate_algorithms import (
    ALGORITHMS,
    FixedWindow,
    Gcra,
    SlidingLog,
    busiest_window,
    main,
    simulate,
    table,
    traces,
)

RATE, PER, SECONDS = 50, 1.0, 20.0


def test_busiest_window_counts_half_open_windows() -> None:
    assert busiest_window([], 1.0) == 0
    assert busiest_window([0.0, 0.5, 0.99, 1.0, 1.98], 1.0) == 3
    assert busiest_window([0.0, 1.0, 2.0], 1.0) == 1


@pytest.mark.parametrize("trace", list(traces(RATE, PER, SECONDS)))
def test_the_sliding_log_is_exact_on_every_trace(trace: str) -> None:
    attempts = traces(RATE, PER, SECONDS)[trace]
    outcome = simulate(SlidingLog, RATE, PER, attempts)
    assert outcome.excess(RATE) == 0
    assert outcome.most_stored <= RATE
    # Exact without starving: it admits a full window's worth whenever attempts allow.
    assert outcome.busiest == RATE


def test_a_fixed_window_admits_twice_the_rate_across_a_boundary() -> None:
    attempts = traces(RATE, PER, SECONDS)["bursts at window edges"]
    assert simulate(FixedWindow, RATE, PER, attempts).busiest == 2 * RATE


def test_gcra_with_burst_rate_lets_a_burst_and_its_trickle_share_a_window() -> None:
    attempts = traces(RATE, PER, SECONDS)["saturated (always waiting)"]
    outcome = simulate(Gcra, RATE, PER, attempts)
    assert outcome.busiest == 2 * RATE - 1
    assert outcome.most_stored == 1


def test_every_algorithm_admits_a_whole_burst_of_rate_at_once() -> None:
    for make in ALGORITHMS.values():
        assert simulate(make, RATE, PER, [0.5] * (3 * RATE)).admitted == RATE


def test_the_table_names_every_algorithm_and_trace() -> None:
    text = table(RATE, PER, SECONDS)
    for name in [*ALGORITHMS, *traces(RATE, PER, SECONDS)]:
        assert name in text
    assert "| sliding log | 50 (+0) / 900 |" in text


def test_bad_options_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--rate", "0"])
    assert "--rate must be at least 1" in capsys.readouterr().err
