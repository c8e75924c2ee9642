"""Message content as the API writes it: citations, file paths and images (pure functions).

A reply that used file search carries citation markers such as ``【4:0†source】`` in its text, and
one ``file_citation`` annotation per marker with the marker's exact ``start_index``/``end_index``
(code points, as the API counts them). The marker's second number picks the search result it
cites. A reply that links a file the code interpreter made (``sandbox:/mnt/data/data.csv``) gets a
``file_path`` annotation over the link; images the code interpreter made come first as
``image_file`` parts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

Obj = dict[str, Any]

#: A citation marker: 【<message index>:<result index>†<source>】.
MARKER = re.compile(r"【(\d+):(\d+)†([^】]*)】")
#: A link to a file the code interpreter wrote.
SANDBOX_LINK = re.compile(r"sandbox:/mnt/data/([^\s)\]\"']+)")


def marker(turn: int, index: int, source: str = "source") -> str:
    """The marker that cites search result ``index`` (``turn``: the message the results came in)."""
    return f"【{turn}:{index}†{source}】"


def annotate(text: str, cited: Sequence[str], files: Mapping[str, str]) -> list[Obj]:
    """The annotations of ``text``, in order: a ``file_citation`` for each marker whose result
    index is in ``cited`` (file ids by result index), a ``file_path`` for each sandbox link to a
    file in ``files`` (file ids by name). Markers and links the fake cannot resolve stay plain."""
    found: list[Obj] = []
    for match in MARKER.finditer(text):
        index = int(match.group(2))
        if index < len(cited):
            found.append(_annotation(match.group(0), match.start(), "file_citation", cited[index]))
    for match in SANDBOX_LINK.finditer(text):
        link = match.group(0).rstrip(".,;:!?")  # a sentence's full stop is not part of the name
        file_id = files.get(link[len("sandbox:/mnt/data/") :])
        if file_id is not None:
            found.append(_annotation(link, match.start(), "file_path", file_id))
    found.sort(key=lambda a: int(a["start_index"]))
    return found


def _annotation(span: str, start: int, kind: str, file_id: str) -> Obj:
    return {
        "type": kind,
        "text": span,
        "start_index": start,
        "end_index": start + len(span),
        kind: {"file_id": file_id},
    }


def text_part(value: str, notes: Sequence[Obj] = ()) -> Obj:
    return {"type": "text", "text": {"value": value, "annotations": list(notes)}}


def image_part(file_id: str) -> Obj:
    return {"type": "image_file", "image_file": {"file_id": file_id}}


def cited_reply(filenames: Sequence[str], turn: int) -> str:
    """The reply a run writes when it searched files and its script gives no reply: one sentence
    per result (at most three), each ending in the marker that cites it."""
    sentences = [f"{name} has what you asked for{marker(turn, i)}." for i, name in enumerate(filenames[:3])]
    return " ".join(sentences) or "I found nothing relevant in the files."


def text_deltas(text: str, notes: Sequence[Obj], split: Callable[[str], list[str]]) -> list[Obj]:
    """A text part's stream deltas: plain text cut by ``split``, and each annotated span (a marker,
    a link) whole, in a delta that carries its annotation."""
    deltas: list[Obj] = []
    position = 0
    for number, note in enumerate(notes):
        start, end = int(note["start_index"]), int(note["end_index"])
        deltas += [{"value": piece} for piece in split(text[position:start]) if piece]
        deltas.append({"value": text[start:end], "annotations": [{"index": number, **note}]})
        position = end
    deltas += [{"value": piece} for piece in split(text[position:]) if piece]
    if not deltas:
        deltas.append({"value": ""})
    deltas[0].setdefault("annotations", [])  # the first delta of a part says it has annotations
    return deltas


#: A streamed reply arrives in deltas of about this many characters.
DELTA_SIZE = 12


def split_text(text: str, size: int = DELTA_SIZE) -> list[str]:
    """The reply's text deltas: deterministic chunks that end on word boundaries where possible."""
    chunks: list[str] = []
    current = ""
    for word in text.split(" "):
        piece = word if not current else " " + word
        if current and len(current) + len(piece) > size:
            chunks.append(current)
            current = " " + word
        else:
            current += piece
    if current:
        chunks.append(current)
    return chunks or [""]


_TOKEN = re.compile(r"\s*\S+|\s+")


def pieces(text: str, size: int) -> list[str]:
    """``text`` cut into pieces of about ``size`` characters at word starts; joined, they are ``text``."""
    out: list[str] = []
    for token in _TOKEN.findall(text):
        if out and len(out[-1]) + len(token) <= size:
            out[-1] += token
        else:
            out.append(token)
    return out
