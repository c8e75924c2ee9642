"""Citations, file paths and stream deltas of message content: the pure builders."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from assistant_harness.apis.assistants import content


def test_each_marker_becomes_a_file_citation_over_exactly_its_text() -> None:
    text = "Net income rose【4:1†source】【4:0†source】. Costs fell【4:0†report.pdf】."
    notes = content.annotate(text, ["file-a", "file-b"], {})
    assert [(n["file_citation"]["file_id"], n["text"]) for n in notes] == [
        ("file-b", "【4:1†source】"),
        ("file-a", "【4:0†source】"),
        ("file-a", "【4:0†report.pdf】"),
    ]
    assert all(text[n["start_index"] : n["end_index"]] == n["text"] for n in notes)
    assert notes[0]["end_index"] == notes[1]["start_index"] == 27  # adjacent markers, code points


def test_markers_without_a_result_and_links_to_unknown_files_stay_plain() -> None:
    text = "See 【1:5†source】 and sandbox:/mnt/data/other.csv, sandbox:/mnt/data/out.csv."
    notes = content.annotate(text, ["file-a"], {"out.csv": "file-out"})
    assert notes == [
        {
            "type": "file_path",
            "text": "sandbox:/mnt/data/out.csv",
            "start_index": text.index("sandbox:/mnt/data/out.csv"),
            "end_index": text.index("sandbox:/mnt/data/out.csv") + len("sandbox:/mnt/data/out.csv"),
            "file_path": {"file_id": "file-out"},
        }
    ]


def test_the_default_cited_reply_cites_each_result_it_names() -> None:
    reply = content.cited_reply(["a.pdf", "b.txt"], turn=2)
    assert reply == "a.pdf has what you asked for【2:0†source】. b.txt has what you asked for【2:1†source】."
    assert content.cited_reply([], turn=0) == "I found nothing relevant in the files."


@given(st.text(alphabet="ab 【】:†0123\n", max_size=60), st.integers(min_value=1, max_value=12))
def test_deltas_join_back_to_the_text_and_keep_annotations_whole(text: str, size: int) -> None:
    text = f"{text}【3:0†source】{text}"
    notes = content.annotate(text, ["file-a"], {})
    deltas = content.text_deltas(text, notes, lambda s: content.pieces(s, size))
    assert "".join(d["value"] for d in deltas) == text
    carried = [a for d in deltas for a in d.get("annotations", ())]
    assert [a["index"] for a in carried] == list(range(len(notes)))
    assert all(d["value"] == a["text"] for d in deltas for a in d.get("annotations", ()))
    assert "annotations" in deltas[0]


@given(st.text(max_size=80), st.integers(min_value=1, max_value=20))
def test_pieces_join_back(text: str, size: int) -> None:
    assert "".join(content.pieces(text, size)) == text
