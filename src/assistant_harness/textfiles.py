"""Reading the files people give the harness (cassettes, scenarios) without a traceback, a hang or a
memory blow-up: UTF-8 checked with the place of the first bad byte, YAML bounded (size, nesting and
the number of nodes aliases expand to, so an alias bomb is refused before it is built), and every
problem reported as one line ``file:line:column: what is wrong; how to fix it``.
"""

from __future__ import annotations

import sys
from typing import Any

import yaml

#: Bigger files than this are refused (the biggest real cassettes are a few megabytes).
MAX_BYTES = 256 * 1024 * 1024
#: Deeper nesting than this is refused (real cassettes and scenarios nest about ten levels).
MAX_DEPTH = 100
#: More nodes than this, counting each alias as the nodes it stands for, are refused.
MAX_NODES = 5_000_000


class TextFileError(Exception):
    """A problem at a place in a file; :meth:`render` gives the one-line message."""

    def __init__(self, problem: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.line = line
        self.column = column

    def render(self, source: str) -> str:
        if self.line is None:
            return f"{source}: {self.problem}"
        return f"{source}:{self.line}:{self.column or 1}: {self.problem}"


def one_line(text: str, limit: int = 200) -> str:
    """``text`` on one line, cut to ``limit`` characters (messages quote file contents)."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def position(text: str | bytes, offset: int) -> tuple[int, int]:
    """The 1-based line and column of ``offset`` in ``text``."""
    newline = b"\n" if isinstance(text, bytes) else "\n"
    line = text.count(newline, 0, offset) + 1  # type: ignore[arg-type]
    start = text.rfind(newline, 0, offset) + 1  # type: ignore[arg-type]
    return line, offset - start + 1


def decode(raw: bytes) -> str:
    """``raw`` as UTF-8 text, or a :class:`TextFileError` at the first byte that is not."""
    if len(raw) > MAX_BYTES:
        raise TextFileError(f"the file is {len(raw):,} bytes, more than the {MAX_BYTES:,} allowed")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = position(raw, error.start)
        raise TextFileError(
            f"not UTF-8 text (byte 0x{raw[error.start]:02x}); is this a binary file? "
            "Save it as UTF-8 or record it again",
            line,
            column,
        ) from None


def too_deep(text: str, limit: int = MAX_DEPTH) -> tuple[int, int] | None:
    """Where JSON ``text`` first nests deeper than ``limit`` (strings skipped), or ``None``."""
    depth, in_string, escaped = 0, False, False
    for offset, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return position(text, offset)
        elif char in "]}":
            depth -= 1
    return None


def load_yaml(text: str, *, unique_keys: bool = False) -> Any:
    """YAML ``text`` as data (safe types only), bounded; problems as :class:`TextFileError`.
    ``unique_keys``: refuse a key given twice in one mapping (YAML would keep the last silently)."""
    if len(text) > MAX_BYTES:
        raise TextFileError(f"the file is {len(text):,} characters, more than the {MAX_BYTES:,} allowed")
    loader = _loader_class()(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check(node, unique_keys)
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = one_line(" ".join(p for p in (error.context, error.problem) if p) or "not valid YAML")
        raise TextFileError(
            f"not valid YAML: {problem}",
            mark.line + 1 if mark else None,
            mark.column + 1 if mark else None,
        ) from None
    except yaml.YAMLError as error:
        raise TextFileError(f"not valid YAML: {one_line(str(error))}") from None
    except (RecursionError, OverflowError, ValueError, TypeError) as error:
        raise TextFileError(f"cannot be read: {one_line(str(error)) or type(error).__name__}") from None
    finally:
        loader.dispose()


def _loader_class() -> Any:
    """libyaml's loader, unless its node classes are not the ones the resolver compares with (a C
    extension imported once keeps its first ``yaml.nodes`` when ``yaml`` is imported again in the
    same process, as in pytester's in-process runs): then every tag would resolve to nothing."""
    native = sys.modules.get("yaml._yaml")
    if hasattr(yaml, "CSafeLoader") and getattr(native, "MappingNode", None) is yaml.nodes.MappingNode:
        return yaml.CSafeLoader
    return yaml.SafeLoader


def _check(root: yaml.Node, unique_keys: bool = False) -> None:
    """Refuse alias bombs, recursive aliases and deep nesting (and, if asked, keys given twice)
    before anything is built."""
    sizes: dict[int, int] = {}
    open_: set[int] = set()

    def size(node: yaml.Node, depth: int) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        mark = node.start_mark
        if depth > MAX_DEPTH:
            raise TextFileError(
                f"nested more than {MAX_DEPTH} levels deep; flatten the data", mark.line + 1, mark.column + 1
            )
        if key in open_:
            raise TextFileError(
                "an alias refers to itself; remove the recursive alias", mark.line + 1, mark.column + 1
            )
        open_.add(key)
        total = 1
        if isinstance(node, yaml.SequenceNode):
            for child in node.value:
                total += size(child, depth + 1)
        elif isinstance(node, yaml.MappingNode):
            if unique_keys:
                _refuse_repeated_keys(node)
            for name, child in node.value:
                total += size(name, depth + 1) + size(child, depth + 1)
        open_.discard(key)
        if total > MAX_NODES:
            raise TextFileError(
                f"expands to more than {MAX_NODES:,} values (aliases repeating aliases?); "
                "write the data out instead",
                mark.line + 1,
                mark.column + 1,
            )
        sizes[key] = total
        return total

    size(root, 0)


def _refuse_repeated_keys(node: yaml.MappingNode) -> None:
    seen: dict[tuple[str, str], yaml.Node] = {}
    for name, _ in node.value:
        if not isinstance(name, yaml.ScalarNode) or name.tag == "tag:yaml.org,2002:merge":
            continue
        key = (name.tag, name.value)
        first = seen.setdefault(key, name)
        if first is not name:
            mark = name.start_mark
            raise TextFileError(
                f"key {one_line(name.value, 60)!r} is given twice in one mapping (first at line "
                f"{first.start_mark.line + 1}); YAML would keep only the last: remove one",
                mark.line + 1,
                mark.column + 1,
            )
