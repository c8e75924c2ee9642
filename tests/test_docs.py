"""Every Python snippet in the README and docs/ runs in the suite (and its assertions hold).

Plain snippets are executed in order, sharing one namespace per file (a doc tells one story), and
any ``test_*`` function they define is called. Snippets written for pytest (markers, fixtures, a
conftest) are written to files and run by a real pytest session with the plugin.
"""

from __future__ import annotations

import contextlib
import inspect
import os
import re
import shlex
import sys
import types
from pathlib import Path

import pytest

from .test_howtos import _matches

ROOT = Path(__file__).resolve().parents[1]
SNIPPET = re.compile(r"```python\n(.*?)```", re.S)
# The how-tos are followed whole, as a reader follows them, by tests/test_howtos.py.
FILES = [
    ROOT / "README.md",
    *sorted(p for p in (ROOT / "docs").glob("*.md") if not p.name.startswith("howto-")),
]
#: Modules of the test and frameworks extras a snippet may use; without them it is skipped, saying so.
OPTIONAL_MODULES = frozenset({"starlette", "agents"})


def _snippets(path: Path) -> list[str]:
    return SNIPPET.findall(path.read_text(encoding="utf-8"))


def _for_pytest(code: str) -> bool:
    return "@pytest.mark.assistant_" in code or "def assistant_harness_config" in code


@pytest.fixture
def preloaded(path: Path) -> None:
    """The frameworks a page's snippets import, imported before pytester snapshots ``sys.modules``:
    the modules it drops afterwards are missing when the Agents SDK's exit hook runs."""
    if path.name == "frameworks.md":
        with contextlib.suppress(ImportError):
            import agents  # noqa: F401


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_snippets_run(
    path: Path, preloaded: None, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A real module, so classes a snippet defines can be looked up by their module (pydantic does).
    module = types.ModuleType(f"doc_{path.stem}")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    namespace: dict[str, object] = module.__dict__
    missing: list[str] = []
    for index, code in enumerate(_snippets(path)):
        if _for_pytest(code):
            name = "conftest" if "def assistant_harness_config" in code else f"test_doc_{index}"
            pytester.makepyfile(**{name: code})
            continue
        os.chdir(pytester.path)  # outside the checkout, as a reader runs it
        try:
            exec(compile(code, f"{path.name} snippet {index}", "exec"), namespace)
        except ModuleNotFoundError as error:
            if error.name not in OPTIONAL_MODULES:
                raise
            missing.append(f"snippet {index} needs {error.name}")  # the others still run
            continue
        for name, value in list(namespace.items()):
            if (
                name.startswith("test_")
                and inspect.isfunction(value)
                and not inspect.signature(value).parameters
            ):
                value()
                del namespace[name]
    os.chdir(pytester.path)
    if list(pytester.path.glob("test_doc_*.py")):
        pytester.makeini("[pytest]\nfilterwarnings = error\nasyncio_default_fixture_loop_scope = function\n")
        result = pytester.runpytest("-p", "no:cacheprovider")
        assert result.ret == 0, result.stdout.str()
    if missing:
        pytest.skip(f"{path.name}: {'; '.join(missing)} (pip install '.[test,frameworks]')")


def test_every_doc_has_runnable_snippets_or_says_why() -> None:
    for path in FILES:
        assert _snippets(path) or path.name in (
            "fidelity.md",
            "virtual-time.md",
            "performance.md",
        ), f"{path.name} has no ```python snippet"


# -- output and YAML blocks: what the docs show is what the tools print and load -----------------------


def _blocks(path: Path, kind: str) -> list[str]:
    return re.findall(rf"^```{kind}\n(.*?)^```", path.read_text(encoding="utf-8"), re.S | re.M)


def _console(block: str, cwd: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Each ``$ assistant-harness ...`` line of ``block`` run in ``cwd``: it prints the lines under it."""
    from assistant_harness.cli.main import main

    for step in re.split(r"^\$ ", block, flags=re.M)[1:]:
        command, _, expected = step.partition("\n")
        words = shlex.split(command)
        assert words[0] == "assistant-harness", command
        os.chdir(cwd)
        capsys.readouterr()
        main(words[1:])
        printed = capsys.readouterr().out
        assert _matches(printed, expected), f"`{command}` printed\n{printed}\nthe page shows\n{expected}"


def test_cassettes_md_shows_what_the_tools_print(
    pytester: pytest.Pytester, capsys: pytest.CaptureFixture[str]
) -> None:
    import openai

    from assistant_harness import CassetteMismatch, FakeAssistants, use_cassette
    from assistant_harness.cassettes.format import Body, Cassette, Interaction
    from assistant_harness.cli.main import main

    mismatch, scan, failed_run, real = _blocks(ROOT / "docs" / "cassettes.md", "text")
    here = pytester.path
    os.chdir(here)
    client = openai.OpenAI(api_key="sk-test", max_retries=0)
    with FakeAssistants(), use_cassette("cassettes/flow.json", record_mode="once"):
        client.beta.assistants.create(model="gpt-4o", name="Tutor")
    with use_cassette("cassettes/flow.json"), pytest.raises(CassetteMismatch) as caught:
        client.beta.assistants.create(model="gpt-4o", name="Other name")
    assert _matches(f"CassetteMismatch: {caught.value}\n", mismatch), str(caught.value)

    token = "Q" * 24
    headers = {"openai-organization": "org-" + token, "openai-project": "proj_" + token, "set-cookie": token}
    raw = Interaction(
        "GET", "https://api.openai.com/v1/threads/t", {}, Body("text", ""), 200, headers, Body("text", "")
    )
    Cassette([raw] * 25, here / "cassettes" / "raw.yaml").save()  # as is: no redaction
    capsys.readouterr()
    assert main(["scan", "cassettes/raw.yaml"]) == 1
    assert _matches(capsys.readouterr().out, scan)

    with (
        FakeAssistants("failed_rate_limit_exceeded"),
        use_cassette("cassettes/failed_run.json", record_mode="once"),
    ):
        client.beta.threads.create_and_run_poll(assistant_id=client.beta.assistants.create(model="gpt-4o").id)
    _console(failed_run, here, capsys)
    _console(real, ROOT, capsys)
    os.chdir(here)


def test_scenarios_md_yaml_blocks_load_and_play() -> None:
    import openai

    from assistant_harness import FakeOpenAI, Scenario

    blocks = _blocks(ROOT / "docs" / "scenarios.md", "yaml")
    assert len(blocks) >= 5
    for index, block in enumerate(blocks):
        scenario = Scenario.from_yaml(block, f"scenarios.md yaml block {index}")
        with FakeOpenAI(scenario) as fake:  # each plays: a first run or response reaches its end
            client: openai.OpenAI = fake.client()
            if scenario.responses:
                assert client.responses.create(model="gpt-4o", input="hi").status in ("completed", "failed")
