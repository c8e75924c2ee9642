"""Shared pieces of the benchmark suite: statistics, targets, result rows, tables, environment, JSON.

Every benchmark module returns :class:`Row` objects: a measured quantity with its samples (one per
repetition), the median/min/max over them, and optionally a :class:`Target` it is checked against.
Rows without a target are informational; rows that cannot be measured in this environment carry
the reason instead of numbers (``n/a``).
"""

from __future__ import annotations

import json
import operator
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

REPO = Path(__file__).resolve().parent.parent
T = TypeVar("T")

_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


@dataclass(frozen=True)
class Stats:
    """Median, min and max over the samples (one sample per repetition)."""

    samples: tuple[float, ...]
    median: float
    min: float
    max: float

    @classmethod
    def of(cls, samples: Sequence[float]) -> Stats:
        if not samples:
            raise ValueError("no samples")
        values = tuple(samples)
        return cls(values, statistics.median(values), min(values), max(values))


@dataclass(frozen=True)
class Target:
    """``median <op> value``, e.g. ``Target("<", 50)`` for "under 50 (in the row's unit)"."""

    op: str
    value: float

    def __post_init__(self) -> None:
        if self.op not in _COMPARE:
            raise ValueError(f"unknown comparison {self.op!r}")

    def holds(self, measured: float) -> bool:
        return _COMPARE[self.op](measured, self.value)

    def margin(self, measured: float) -> float:
        """How far off (as a factor >= 1) a failing measurement is; 1.0 when the target holds."""
        if self.holds(measured) or measured <= 0 or self.value <= 0:
            return 1.0
        return measured / self.value if self.op in ("<", "<=") else self.value / measured

    def __str__(self) -> str:
        return f"{self.op} {self.value:g}"


@dataclass
class Row:
    """One measured quantity: ``stats`` in ``unit``, checked against ``target`` when there is one."""

    id: str
    name: str
    unit: str
    stats: Stats | None = None
    target: Target | None = None
    note: str = ""
    unavailable: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def status(self) -> str:
        if self.unavailable is not None:
            return "n/a"
        if self.target is None or self.stats is None:
            return "info"
        return "PASS" if self.target.holds(self.stats.median) else "FAIL"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["target"] = None if self.target is None else str(self.target)
        data["status"] = self.status
        if self.target is not None and self.stats is not None:
            data["off_by_factor"] = round(self.target.margin(self.stats.median), 3)
        return data


def unavailable(row_id: str, name: str, reason: str) -> Row:
    return Row(row_id, name, "", unavailable=reason)


# -- timing -----------------------------------------------------------------------------------


def per_call_seconds(func: Callable[[], object], calls: int) -> float:
    """Seconds per call of ``func`` over ``calls`` back-to-back calls (``time.perf_counter``)."""
    start = time.perf_counter()
    for _ in range(calls):
        func()
    return (time.perf_counter() - start) / calls


def interleaved(measurements: dict[str, Callable[[], T]], repeats: int) -> dict[str, list[T]]:
    """Run each measurement once per repetition, in turn (A, B, A, B, ...); their samples by name."""
    samples: dict[str, list[T]] = {name: [] for name in measurements}
    for _ in range(repeats):
        for name, measure in measurements.items():
            samples[name].append(measure())
    return samples


def ratios(numerators: Sequence[float], denominators: Sequence[float]) -> list[float]:
    """Per-repetition ratios of two interleaved series (same run, same repetition)."""
    return [n / d for n, d in zip(numerators, denominators, strict=True)]


@contextmanager
def working_directory(path: Path) -> Iterator[Path]:
    previous = Path.cwd()
    os.chdir(path)
    try:
        yield path
    finally:
        os.chdir(previous)


def quiet_deprecations() -> None:
    """The SDK marks every Assistants call deprecated; that is exactly what is being measured."""
    warnings.filterwarnings("ignore", category=DeprecationWarning)


# -- environment ------------------------------------------------------------------------------


def version_of(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def load_average() -> tuple[float, float, float] | None:
    """1, 5 and 15-minute load averages: other work on the machine shows here."""
    return os.getloadavg() if hasattr(os, "getloadavg") else None


def git_revision() -> dict[str, Any]:
    """The commit measured, and whether src/ had uncommitted changes (other work in progress)."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=False)
        return done.stdout.strip()

    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "src_dirty": bool(git("status", "--porcelain", "src")),
    }


def environment() -> dict[str, Any]:
    import openai

    from assistant_harness.http.transports import httpx_module_for_openai

    load = load_average()
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "executable": sys.executable,
        "openai": openai.__version__,
        "sdk_http_module": httpx_module_for_openai().__name__,
        "httpx": version_of("httpx"),
        "httpx2": version_of("httpx2"),
        "respx": version_of("respx"),
        "vcrpy": version_of("vcrpy"),
        "openai-responses": version_of("openai-responses"),
        "hypothesis": version_of("hypothesis"),
        "pytest": version_of("pytest"),
        "pytest-xdist": version_of("pytest-xdist"),
        "cpu_count": os.cpu_count(),
        "load_average_at_start": load,
        "platform": platform.platform(),
        "PYTHONDONTWRITEBYTECODE": os.environ.get("PYTHONDONTWRITEBYTECODE"),
        "git": git_revision(),
    }


def format_environment(env: dict[str, Any]) -> str:
    names = (
        "httpx",
        "httpx2",
        "respx",
        "vcrpy",
        "openai-responses",
        "hypothesis",
        "pytest",
        "pytest-xdist",
    )
    versions = ", ".join(f"{name} {env[name]}" for name in names if env.get(name))
    start, end = env.get("load_average_at_start"), env.get("load_average_at_end")
    load_text = f", load average {start[0]:.2f} at start" if start else ""
    load_text += f", {end[0]:.2f} at end" if end else ""
    git = env.get("git") or {}
    revision = (
        f", commit {git.get('commit')}{' (src modified)' if git.get('src_dirty') else ''}" if git else ""
    )
    return (
        f"python {env['python']} ({env['implementation']}), openai {env['openai']} "
        f"(over {env['sdk_http_module']}), {versions}, cpu_count {env['cpu_count']}{load_text}{revision}"
    )


# -- tables and JSON --------------------------------------------------------------------------


def format_table(header: Sequence[str], rows: Sequence[Sequence[str]], left: int = 1) -> str:
    """A plain-text table: the first ``left`` columns left-aligned, the others right-aligned."""
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        out = [
            cell.ljust(width) if index < left else cell.rjust(width)
            for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(out).rstrip()

    return "\n".join([line(header), "  ".join("-" * w for w in widths), *(line(r) for r in rows)])


def number(value: float) -> str:
    """A value with three significant figures or more, no exponent for everyday magnitudes."""
    magnitude = abs(value)
    if magnitude >= 100:
        return f"{value:.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def format_rows(rows: Sequence[Row]) -> str:
    header = ("row", "measure", "unit", "median", "min", "max", "target", "result")
    lines = []
    notes = []
    for row in rows:
        if row.unavailable is not None:
            lines.append((row.id, row.name, "", "", "", "", "", "n/a"))
            notes.append(f"{row.id} {row.name}: n/a, {row.unavailable}")
            continue
        assert row.stats is not None
        stats = row.stats
        target = str(row.target) if row.target is not None else "-"
        lines.append(
            (
                row.id,
                row.name,
                row.unit,
                number(stats.median),
                number(stats.min),
                number(stats.max),
                target,
                row.status,
            )
        )
        if row.note:
            notes.append(f"{row.id} {row.name}: {row.note}")
    table = format_table(header, lines, left=3)
    return table + ("\n\n" + "\n".join(notes) if notes else "")


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_json_atomically(path: Path, payload: dict[str, Any]) -> None:
    """Write to a temporary file next to ``path``, then rename it over ``path``."""
    directory = path.resolve().parent
    directory.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(payload, handle, indent=2)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o666 & ~current_umask())  # mkstemp makes it private; give it the usual mode
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
