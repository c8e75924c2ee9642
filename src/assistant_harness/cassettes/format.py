"""Cassettes: recorded HTTP interactions, in a readable versioned format, with vcrpy v1 in and out.

The native format is JSON (fast to load: a 10,000-interaction cassette in a fraction of a second)
written with sorted keys and two-space indents, so a re-recording gives a clean diff. Bodies are
stored decoded: JSON as structure, event streams as a list of events (with time offsets), other
text as text, anything else as base64. Gzip is undone on the way in.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from glob import escape as glob_escape
from pathlib import Path

import yaml

from ..errors import CassetteError
from ..secrets import safe
from ..textfiles import TextFileError, decode, load_yaml, one_line, too_deep
from .interaction import (
    WIRE_HEADERS,
    Body,
    Interaction,
    PlaceError,
    kind_of,
    parse_sse,
    render_event,
)
from .vcr import from_vcr, to_vcr

# Re-exported: the interaction's pieces were defined here first, and users import them from here.
__all__ = [
    "FORMAT",
    "VERSION",
    "WIRE_HEADERS",
    "Body",
    "Cassette",
    "Interaction",
    "PlaceError",
    "atomic_write",
    "kind_of",
    "parse_sse",
    "render_event",
]

FORMAT = "assistant-harness-cassette"
VERSION = 1


@dataclass
class Cassette:
    interactions: list[Interaction] = field(default_factory=list)
    path: Path | None = None

    # -- reading ----------------------------------------------------------------------------
    @classmethod
    def load(cls, path: str | Path) -> Cassette:
        """A cassette from a native (.json) or vcrpy v1 (.yaml/.yml) file. Anything malformed is a
        one-line :class:`CassetteError` naming the file and the place (line:column or key path)."""
        path = Path(path)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise CassetteError(f"{path}: no such cassette") from None
        except IsADirectoryError:
            raise CassetteError(f"{path}: is a folder, not a cassette file") from None
        try:
            text = decode(raw)
            if not text.strip():
                raise TextFileError(
                    "the file is empty; record it again (record_mode='once') or delete it", 1, 1
                )
            if path.suffix in (".yaml", ".yml"):
                data = load_yaml(text)
                if data is None:
                    raise TextFileError("the file holds no data (only comments); record it again", 1, 1)
                return cls(from_vcr(data), path)
            return cls(_from_json(text), path)
        except TextFileError as error:
            raise CassetteError(safe(error.render(str(path)))) from None
        except PlaceError as error:
            problem = safe(one_line(str(error)))  # the message quotes the bad value: never a key
            raise CassetteError(f"{path}: {problem}; fix the file or record it again") from None

    # -- writing ----------------------------------------------------------------------------
    def to_text(self, path: Path) -> str:
        if path.suffix in (".yaml", ".yml"):
            return yaml.safe_dump(to_vcr(self.interactions), sort_keys=False, allow_unicode=True, width=120)
        data = {
            "format": FORMAT,
            "version": VERSION,
            "interactions": [i.to_data() for i in self.interactions],
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

    def save(self, path: str | Path | None = None) -> Path:
        """Write atomically: a crash mid-write leaves the previous file as it was."""
        target = Path(path or self.path or "")
        if not target.name:
            raise CassetteError("a cassette needs a path to be saved to")
        atomic_write(target, self.to_text(target))
        return target


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """Building many small objects at once triggers collections that find nothing: pause them
    (half of a 10,000-interaction load otherwise)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def atomic_write(path: Path, text: str) -> None:
    """Write through a temporary file in the same folder, renamed over ``path`` when complete.
    Temporary files left by a writer that was killed are removed by the next write."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes the file private (0600): give it the old file's mode, or the usual one.
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _from_json(text: str) -> list[Interaction]:
    try:
        with _no_gc():
            data = json.loads(text)
    except ValueError as error:
        if isinstance(error, json.JSONDecodeError):
            raise TextFileError(f"not valid JSON: {error.msg}", error.lineno, error.colno) from None
        raise TextFileError(f"not valid JSON: {one_line(str(error))}") from None
    except RecursionError:
        line, column = too_deep(text) or (None, None)
        raise TextFileError("nested too deeply to be a cassette", line, column) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise PlaceError(
            "format",
            f'not an assistant-harness cassette (no "format": "{FORMAT}"); vcrpy cassettes end in .yaml',
        )
    if data.get("version") != VERSION:
        raise PlaceError(
            "version",
            f"cassette version {one_line(repr(data.get('version')), 40)} is not supported "
            f"(this is {VERSION})",
        )
    interactions = data.get("interactions")
    if not isinstance(interactions, list):
        raise PlaceError("interactions", f"must be a list, not {kind_of(interactions)}")
    with _no_gc():
        return [Interaction.from_data(item, f"interactions[{i}]") for i, item in enumerate(interactions)]


def _remove_stale(path: Path) -> None:
    """Remove ``.<name>.<pid>.XXXX.tmp`` files of ours whose writer is gone (and older unnamed ones)."""
    prefix = f".{path.name}."
    for stale in path.parent.glob(f"{glob_escape(prefix)}*.tmp"):
        writer = stale.name[len(prefix) :].split(".", 1)[0]
        if writer.isdigit() and _alive(int(writer)):
            continue  # another process is writing it right now
        stale.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # this process writes one file at a time per path: anything of ours is stale
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True
