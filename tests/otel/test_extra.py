"""Without the reqless[otel] extra, `import reqless.otel` names the command to install it."""

from __future__ import annotations

import importlib
import sys

import pytest

from reqless import extras
from reqless.exceptions import MissingExtraError


def test_importing_without_the_api_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(extras.EXTRAS, "otel", ("no_opentelemetry_here",))
    for name in [name for name in sys.modules if name.startswith("reqless.otel")]:
        monkeypatch.delitem(sys.modules, name)
    with pytest.raises(MissingExtraError, match=r"pip install 'reqless\[otel\]'"):
        importlib.import_module("reqless.otel")
