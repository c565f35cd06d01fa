"""Hypothesis settings of the stateful property tests, by profile.

`REQLESS_HYPOTHESIS_PROFILE` picks one: `ci` (the default: a fixed number of
derandomized examples, so CI is never flaky) or `long` (many more examples,
random, with failures kept in `.hypothesis/` to be replayed first next time).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings
from hypothesis.database import DirectoryBasedExampleDatabase

__all__ = ["PROFILE", "TIMEOUT", "machine_settings"]

#: The profile in force.
PROFILE = os.environ.get("REQLESS_HYPOTHESIS_PROFILE", "ci")
_PROFILES = ("ci", "long")
#: The per-test time limit (seconds) of a state machine test in this profile.
TIMEOUT = 7200 if PROFILE == "long" else 300


def machine_settings(examples: int, steps: int = 30) -> settings:
    """Settings for a state machine: `examples` runs of up to `steps` calls in CI,
    fifty times as many runs in the long profile."""
    if PROFILE not in _PROFILES:
        raise ValueError(f"REQLESS_HYPOTHESIS_PROFILE must be one of {_PROFILES}, not {PROFILE!r}")
    common = {
        "stateful_step_count": steps,
        "deadline": None,
        "suppress_health_check": [HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    }
    if PROFILE == "long":
        return settings(
            max_examples=examples * 50,
            database=DirectoryBasedExampleDatabase(".hypothesis/examples"),
            **common,  # type: ignore[arg-type]
        )
    return settings(max_examples=examples, derandomize=True, database=None, **common)  # type: ignore[arg-type]
