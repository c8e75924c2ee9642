"""Each how-to, followed as a reader follows it: one script per page, in order, in a scratch folder.

A ```python block whose first line is ``# save as NAME`` is written to NAME; any other ```python block is
run as its own ``python`` process (a reader cannot carry variables from one block to the next); a
```console block's ``$ `` lines are run in a shell, and the lines under each are the output it must
print; a ```text block is what the python block above it must print. In expected output, a line
``...`` stands for any lines and ``...`` inside a line for any text. ``pip install`` is not run (the
suite's environment has the harness): its packages are checked to cover what later commands use.
Output is stdout; stderr is shown only when a check fails. Every block and command must also exit 0 with
no traceback on stderr, so a self-asserting block with no output under it cannot break unseen.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

#: Slow (a pytest session per how-to, minutes in all): run by `pytest -m slow` and CI.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
HOWTOS = sorted((ROOT / "docs").glob("howto-*.md"))
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)


def _pattern(expected: str) -> re.Pattern[str]:
    lines = []
    for line in expected.rstrip("\n").splitlines():
        if line.strip() == "...":
            lines.append(r"(?:.*\n)*?")
        else:
            lines.append(".*".join(re.escape(part) for part in line.rstrip().split("...")) + r"[ \t]*\n")
    return re.compile("".join(lines) + r"\Z")


_STDERR = "\n--- stderr ---\n"


def _matches(output: str, expected: str) -> bool:
    output = output.partition(_STDERR)[0]
    text = "\n".join(line.rstrip() for line in output.rstrip("\n").splitlines()) + "\n"
    return _pattern(expected).match(text) is not None


def _run(command: list[str] | str, cwd: Path) -> tuple[str, int]:
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "PYTEST_ADDOPTS", "CI")}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    done = subprocess.run(
        command,
        cwd=cwd,
        env=env,
        shell=isinstance(command, str),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    # What the page shows is stdout; stderr (tools' own warnings) is shown only when a check fails.
    output = done.stdout if not done.stderr else done.stdout + _STDERR + done.stderr
    return output, done.returncode


def _ran_cleanly(page: Path, what: str, output: str, status: int) -> None:
    """A block must succeed by itself, not only print what the page shows: a self-asserting block with no
    output block under it is checked here."""
    stderr = output.partition(_STDERR)[2]
    assert status == 0 and "Traceback (most recent call last)" not in stderr, (
        f"{page.name}: `{what}` exited with status {status}\n{output}"
    )


@pytest.mark.parametrize("page", HOWTOS, ids=[p.stem for p in HOWTOS])
def test_the_how_to_works_as_written(page: Path, tmp_path: Path) -> None:
    installed: set[str] = set()
    last = ""
    checked = 0
    for kind, body in BLOCK.findall(page.read_text(encoding="utf-8")):
        if kind == "python":
            first = body.splitlines()[0]
            saved = re.fullmatch(r"# save as (\S+)", first)
            if saved:
                (tmp_path / saved.group(1)).write_text(body, encoding="utf-8")
                continue
            last, status = _run([sys.executable, "-c", body], tmp_path)
            _ran_cleanly(page, first, last, status)
        elif kind == "text":
            assert _matches(last, body), f"{page.name}: printed\n{last}\nbut the page shows\n{body}"
            checked += 1
        elif kind == "console":
            steps = re.split(r"^\$ ", body, flags=re.M)[1:]
            for step in steps:
                command, _, expected = step.partition("\n")
                words = shlex.split(command)
                if words[:2] == ["pip", "install"]:
                    installed |= {w.split("[")[0] for w in words[2:] if not w.startswith("-")}
                    continue
                if words[0] == "pytest" and "-n" in words:
                    assert "pytest-xdist" in installed, (
                        f"{page.name}: `{command}` needs pytest-xdist installed"
                    )
                output, status = _run(command, tmp_path)
                _ran_cleanly(page, command, output, status)
                assert _matches(output, expected), (
                    f"{page.name}: `{command}` printed\n{output}\nexpected\n{expected}"
                )
                checked += 1
    assert checked, f"{page.name} shows no output to check"
