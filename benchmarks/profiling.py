"""cProfile helpers for ``run.py --profile``: where the time of a workload goes.

Reports the top functions by own time and by cumulative time, and the share of own time per package
(``assistant_harness``, ``openai``, ``httpx2``, ``hypothesis``, the standard library, C built-ins...),
which says at a glance whether the harness, the SDK or something else dominates. ``profile_pytest``
does the same for every process of a pytest run (controller and xdist workers), through a small
plugin put on ``PYTHONPATH``.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import subprocess
import sys
import sysconfig
import textwrap
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

STDLIB = Path(sysconfig.get_paths()["stdlib"]).resolve()
PLUGIN_NAME = "benchmark_profiler"
PLUGIN = textwrap.dedent(
    """\
    import cProfile
    import os

    _profile = cProfile.Profile()


    def pytest_configure(config):
        _profile.enable()


    def pytest_unconfigure(config):
        _profile.disable()
        name = os.environ.get("PYTEST_XDIST_WORKER", "controller")
        _profile.dump_stats(os.path.join(os.environ["BENCHMARK_PROFILE_DIR"], name + ".prof"))
    """
)


def package_of(filename: str) -> str:
    """The top-level package a profiled function's file belongs to."""
    if filename.startswith("~") or filename.startswith("<"):
        return "C built-ins" if filename.startswith("~") else "<frozen/generated>"
    path = Path(filename)
    parts = path.parts
    for marker in ("site-packages", "src"):
        if marker in parts:
            index = len(parts) - 1 - parts[::-1].index(marker)
            if index + 1 < len(parts):
                return parts[index + 1].removesuffix(".py")
    try:
        inside = path.resolve().relative_to(STDLIB)
    except ValueError:
        return path.name
    return f"stdlib:{inside.parts[0].removesuffix('.py')}"


def profile_call(func: Callable[[], object]) -> pstats.Stats:
    profile = cProfile.Profile()
    profile.enable()
    try:
        func()
    finally:
        profile.disable()
    return pstats.Stats(profile)


def package_shares(stats: pstats.Stats) -> list[tuple[str, float, float]]:
    """(package, own seconds, share of the total) by own time, largest first."""
    own: dict[str, float] = defaultdict(float)
    raw = stats.stats  # type: ignore[attr-defined]
    for (filename, _, _), (_, _, tottime, _, _) in raw.items():
        own[package_of(filename)] += tottime
    total = sum(own.values()) or 1.0
    return sorted(((name, t, t / total) for name, t in own.items()), key=lambda item: -item[1])


def top_functions(stats: pstats.Stats, sort: str, limit: int) -> str:
    buffer = io.StringIO()
    stats.stream = buffer  # type: ignore[attr-defined]
    stats.sort_stats(sort).print_stats(limit)
    lines = [line for line in buffer.getvalue().splitlines() if line.strip()]
    start = next((i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls")), 0)
    return "\n".join(lines[start:])


def report(stats: pstats.Stats, title: str, limit: int = 20) -> str:
    total = stats.total_tt  # type: ignore[attr-defined]
    shares = package_shares(stats)
    share_lines = "\n".join(
        f"  {name:<28} {seconds:8.3f} s  {share:6.1%}" for name, seconds, share in shares[:12]
    )
    return (
        f"== profile: {title} ({total:.2f} s under cProfile)\n"
        f"own time by package:\n{share_lines}\n\n"
        f"top {limit} by own time:\n{top_functions(stats, 'tottime', limit)}\n\n"
        f"top {limit} by cumulative time:\n{top_functions(stats, 'cumulative', limit)}\n"
    )


def profile_pytest(command: list[str], cwd: Path, directory: Path) -> dict[str, pstats.Stats]:
    """Run ``command`` (a pytest invocation) with every pytest process profiled; stats by process name."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{PLUGIN_NAME}.py").write_text(PLUGIN, encoding="utf-8")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(directory), env.get("PYTHONPATH")]))
    env["BENCHMARK_PROFILE_DIR"] = str(directory)
    done = subprocess.run(
        [*command[:3], "-p", PLUGIN_NAME, *command[3:]], cwd=cwd, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        print(done.stdout[-2000:], done.stderr[-2000:], file=sys.stderr)
    return {path.stem: pstats.Stats(str(path)) for path in sorted(directory.glob("*.prof"))}
