"""docs/api.md documents every name the public modules export."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PUBLIC = ["reqless", "reqless.exceptions", "reqless.workers", "reqless.ui", "reqless.core",
          "reqless.aio"]  # fmt: skip


@pytest.mark.parametrize("module_name", PUBLIC)
def test_every_exported_name_is_on_the_api_page(module_name: str) -> None:
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError:
        pytest.skip(f"{module_name} does not exist")
    page = (ROOT / "docs" / "api.md").read_text()
    missing = []
    for name in module.__all__:
        defined_in = getattr(getattr(module, name), "__module__", module_name)
        forms = {f"{module_name}.{name}", f"{defined_in}.{name}"}
        if not any(form in page for form in forms):
            missing.append(name)
    assert not missing, f"docs/api.md lacks {module_name}: {missing}"
