"""The package's public names, and what importing it (and its pytest plugin) costs."""

from __future__ import annotations

import subprocess
import sys

import pytest

import assistant_harness

HEAVY = ("httpx", "httpx2", "respx", "openai", "yaml", "rich", "hypothesis", "assistant_harness.fake")


def modules_after(statement: str) -> set[str]:
    """Top-level and harness modules loaded by ``statement`` in a fresh interpreter."""
    code = f"import sys\n{statement}\nprint('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return set(out.split())


@pytest.mark.parametrize("statement", ["import assistant_harness.testing.plugin", "import assistant_harness"])
def test_plugin_and_package_import_none_of_the_heavy_modules(statement: str) -> None:
    # The plugin loads in every pytest process of a project that installs the harness.
    loaded = modules_after(statement)
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_every_public_name_resolves_and_is_listed() -> None:
    aliases = {"FakeAssistants": "FakeOpenAI"}  # the same class under its first name
    for name in assistant_harness.__all__:
        assert getattr(assistant_harness, name).__name__ == aliases.get(name, name)
    assert set(assistant_harness.__all__) <= set(dir(assistant_harness))


def test_a_public_name_is_the_defining_modules_object() -> None:
    from assistant_harness.cassettes.recorder import use_cassette
    from assistant_harness.fake import FakeAssistants

    assert assistant_harness.FakeAssistants is FakeAssistants
    assert assistant_harness.use_cassette is use_cassette


def test_an_unknown_name_is_an_attribute_error_naming_it() -> None:
    with pytest.raises(AttributeError, match="no attribute 'FakeAssistant'"):
        _ = assistant_harness.FakeAssistant  # type: ignore[attr-defined]


def test_submodules_read_as_attributes_of_the_package() -> None:
    # As they did when the package imported everything eagerly (monkeypatch.setattr targets etc.).
    code = (
        "import assistant_harness as ah; "
        "print(ah.fake.FakeAssistants.__name__, ah.engine.clock.VirtualClock.__name__)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["FakeOpenAI", "VirtualClock"]


def test_dir_lists_the_public_names_not_the_packages_helpers() -> None:
    listed = dir(assistant_harness)
    assert {"FakeAssistants", "use_cassette", "__version__"} <= set(listed)
    assert not {"_importlib", "TYPE_CHECKING", "annotations"} & set(listed)
