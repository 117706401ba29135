import json

import pytest

from chatclone.cpt import build_cpt
from chatclone.datasets import split_of
from chatclone.errors import DatasetError
from chatclone.warehouse import Warehouse

# target_tokens=130 at 1.3 tokens a word: documents of about 100 words.
TARGET = {"target_tokens": 130, "tokens_per_word": 1.3}


@pytest.fixture
def wh(tmp_path):
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        yield warehouse


def add_vod(wh, video_id, category, lines, source="whisper", pauses=None):
    """A VOD with one cue per line, 0.2 s apart except where `pauses` {cue index: gap} says."""
    wh.con.execute("INSERT INTO videos (video_id, title, category) VALUES (?, ?, ?)", [video_id, video_id, category])
    rows, t = [], 0.0
    for i, text in enumerate(lines):
        end = t + 0.3 * len(text.split())
        rows.append((video_id, t, end, text, source, "en"))
        t = end + (pauses or {}).get(i, 0.2)
    wh.con.executemany("INSERT INTO cues VALUES (?, ?, ?, ?, ?, ?)", rows)
    wh.con.execute("UPDATE videos SET transcript_source = ? WHERE video_id = ?", [source, video_id])


def sentences(n, words=10, tag="w"):
    """n punctuated whisper cues of `words` words each, every one a whole sentence."""
    return [" ".join(f"{tag}{i}x{j}" for j in range(words - 1)).capitalize() + f" end{i}." for i in range(n)]


def read(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def corpus(out):
    return read(out / "cpt.jsonl") + read(out / "cpt.val.jsonl") + read(out / "cpt.test.jsonl")


def test_only_solo_vods_are_used(wh, tmp_path):
    for video_id, category in [("solo1", "solo"), ("zat1", "zatsu"), ("ign1", "ignore"), ("brk1", "broken")]:
        add_vod(wh, video_id, category, sentences(5, tag=video_id))
    counts = build_cpt(wh, tmp_path / "out", **TARGET, seed=1)
    assert {d["video_id"] for d in corpus(tmp_path / "out")} == {"solo1"}
    assert counts["videos"] == 1 and counts["words"] == 50


def test_documents_are_near_the_target_size_and_cover_every_cue_in_order(wh, tmp_path):
    lines = sentences(53)
    add_vod(wh, "v1", "solo", lines)
    build_cpt(wh, tmp_path / "out", **TARGET, split=(1.0, 0.0, 0.0), seed=1)
    docs = read(tmp_path / "out" / "cpt.jsonl")
    sizes = [len(d["text"].split()) for d in docs]
    assert len(docs) >= 4
    assert all(75 <= s <= 125 for s in sizes[:-1]) and 25 <= sizes[-1] <= 150
    assert " ".join(d["text"] for d in docs) == " ".join(lines)
    assert [d["start_s"] for d in docs] == sorted(d["start_s"] for d in docs)


def test_punctuated_text_is_cut_at_sentence_ends(wh, tmp_path):
    # Each sentence spans two cues: only every second cue boundary is a sentence end.
    lines = [f"Sentence {i} begins with these words" if half == 0 else f"and ends with these ones {i}." for i in range(40) for half in (0, 1)]
    add_vod(wh, "v1", "solo", lines)
    build_cpt(wh, tmp_path / "out", **TARGET, split=(1.0, 0.0, 0.0), seed=1)
    docs = read(tmp_path / "out" / "cpt.jsonl")
    assert len(docs) > 2
    assert all(d["text"].startswith("Sentence") and d["text"].endswith(".") for d in docs)


def test_unpunctuated_captions_are_cut_at_the_longest_pause_and_kept_lower_case(wh, tmp_path):
    lines = [" ".join(f"word{i}x{j}" for j in range(10)) for i in range(25)]
    # Cues 7 to 12 end between 75 and 125 words; the longest gap among them follows cue 8.
    add_vod(wh, "v1", "solo", lines, source="auto", pauses={3: 5.0, 8: 1.5, 10: 1.2})
    build_cpt(wh, tmp_path / "out", **TARGET, split=(1.0, 0.0, 0.0), seed=1)
    docs = read(tmp_path / "out" / "cpt.jsonl")
    assert docs[0]["text"] == " ".join(lines[:9])
    assert all(d["text"] == d["text"].lower() for d in docs)


def test_a_long_pause_ends_a_document_even_mid_sentence(wh, tmp_path):
    lines = [f"this goes on and on without any end {i}" for i in range(30)]
    add_vod(wh, "v1", "solo", lines, pauses={10: 3.0})
    build_cpt(wh, tmp_path / "out", **TARGET, split=(1.0, 0.0, 0.0), seed=1)
    assert read(tmp_path / "out" / "cpt.jsonl")[0]["text"] == " ".join(lines[:11])


def test_a_document_never_spans_two_vods(wh, tmp_path):
    add_vod(wh, "a", "solo", sentences(4, tag="a"))
    add_vod(wh, "b", "solo", sentences(4, tag="b"))
    counts = build_cpt(wh, tmp_path / "out", **TARGET, split=(1.0, 0.0, 0.0), seed=1)
    docs = read(tmp_path / "out" / "cpt.jsonl")
    assert [d["video_id"] for d in docs] == ["a", "b"]
    for d in docs:
        assert {w[0].lower() for w in d["text"].split() if not w.startswith("end")} == {d["video_id"]}
        assert len(d["text"].split()) == 40
    assert counts["documents"]["train"] == 2


def test_a_short_tail_is_merged_into_the_previous_document(wh, tmp_path):
    # 14 cues of 10 words; the only sentence end in the window leaves a 10-word tail.
    lines = [f"one two three four five six seven eight nine {i}" for i in range(14)]
    lines[12] = lines[12] + "."
    add_vod(wh, "v1", "solo", lines)
    build_cpt(wh, tmp_path / "out", **TARGET, split=(1.0, 0.0, 0.0), seed=1)
    docs = read(tmp_path / "out" / "cpt.jsonl")
    assert len(docs) == 1
    assert docs[0]["text"] == " ".join(lines)


def test_split_is_by_vod_and_deterministic(wh, tmp_path):
    ids = [f"vod{i:02d}" for i in range(30)]
    for video_id in ids:
        add_vod(wh, video_id, "solo", sentences(25, tag=video_id))
    counts = build_cpt(wh, tmp_path / "out", **TARGET, split=(0.5, 0.25, 0.25), seed=7)
    files = {"train": "cpt.jsonl", "val": "cpt.val.jsonl", "test": "cpt.test.jsonl"}
    seen = {}
    for split, name in files.items():
        docs = read(tmp_path / "out" / name)
        assert len(docs) == counts["documents"][split] > 0
        for d in docs:
            assert seen.setdefault(d["video_id"], split) == split
    assert seen == {v: split_of(f"youtube:{v}", 7, 0.5, 0.25) for v in ids}

    build_cpt(wh, tmp_path / "again", **TARGET, split=(0.5, 0.25, 0.25), seed=7)
    build_cpt(wh, tmp_path / "other", **TARGET, split=(0.5, 0.25, 0.25), seed=8)
    assert all((tmp_path / "again" / n).read_bytes() == (tmp_path / "out" / n).read_bytes() for n in files.values())
    assert any((tmp_path / "other" / n).read_bytes() != (tmp_path / "out" / n).read_bytes() for n in files.values())


def test_no_solo_vod_gives_empty_files_and_zero_counts(wh, tmp_path):
    add_vod(wh, "z", "zatsu", sentences(5))
    counts = build_cpt(wh, tmp_path / "out", **TARGET, seed=1)
    assert counts == {"videos": 0, "documents": {"train": 0, "val": 0, "test": 0}, "words": 0, "scrubbed": {}}
    assert [p.read_text() for p in sorted((tmp_path / "out").iterdir())] == ["", "", ""]


def test_rerun_rewrites_the_files_whole(wh, tmp_path):
    add_vod(wh, "a", "solo", sentences(20, tag="a"))
    add_vod(wh, "b", "solo", sentences(20, tag="b"))
    first = build_cpt(wh, tmp_path / "out", **TARGET, split=(1.0, 0.0, 0.0), seed=1)
    before = (tmp_path / "out" / "cpt.jsonl").read_bytes()
    assert build_cpt(wh, tmp_path / "out", **TARGET, split=(1.0, 0.0, 0.0), seed=1) == first
    assert (tmp_path / "out" / "cpt.jsonl").read_bytes() == before
    wh.con.execute("UPDATE videos SET category = 'zatsu' WHERE video_id = 'b'")
    build_cpt(wh, tmp_path / "out", **TARGET, split=(1.0, 0.0, 0.0), seed=1)
    assert {d["video_id"] for d in corpus(tmp_path / "out")} == {"a"}
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["cpt.jsonl", "cpt.test.jsonl", "cpt.val.jsonl"]


def test_only_the_chosen_transcript_is_read(wh, tmp_path):
    add_vod(wh, "v1", "solo", ["Whisper says this."])
    wh.con.execute("INSERT INTO cues VALUES ('v1', 0.0, 1.0, 'auto says this', 'auto', 'en')")
    build_cpt(wh, tmp_path / "out", **TARGET, seed=1)
    assert [d["text"] for d in corpus(tmp_path / "out")] == ["Whisper says this."]


def test_japanese_cues_count_characters_and_join_without_spaces(wh, tmp_path):
    add_vod(wh, "jp", "solo", ["今日は配信します。", "よろしくね！"])
    counts = build_cpt(wh, tmp_path / "out", **TARGET, split=(1.0, 0.0, 0.0), seed=1)
    assert read(tmp_path / "out" / "cpt.jsonl")[0]["text"] == "今日は配信します。よろしくね！"
    assert counts["words"] == 13


def test_bad_split_is_an_error(wh, tmp_path):
    with pytest.raises(DatasetError, match="split"):
        build_cpt(wh, tmp_path / "out", **TARGET, split=(0.5, 0.1, 0.1), seed=1)


def test_training_reads_the_corpus_text(wh, tmp_path):
    from chatclone.training import cpt_datasets

    class CharTokenizer:
        eos_token_id = 0

        def __call__(self, text, add_special_tokens=False):
            return {"input_ids": [ord(c) for c in text]}

    add_vod(wh, "v1", "solo", sentences(3))
    build_cpt(wh, tmp_path / "out", **TARGET, split=(1.0, 0.0, 0.0), seed=1)
    train, val = cpt_datasets(CharTokenizer(), tmp_path / "out", max_length=4096)
    assert len(train) == 1 and val is None
    assert train[0]["input_ids"][:4] == [ord(c) for c in "W0x0"]


@pytest.mark.parametrize("pii", [True, False])
def test_pii_said_on_stream_becomes_a_placeholder_unless_cleaning_keeps_it(wh, tmp_path, pii):
    add_vod(wh, "v1", "solo", ["Send fan mail to mika.fan@example.com please.", "Or call +44 20 7946 0958 today."])
    counts = build_cpt(wh, tmp_path / "out", **TARGET, split=(1.0, 0.0, 0.0), seed=1, pii=pii)
    [document] = read(tmp_path / "out" / "cpt.jsonl")
    if pii:
        assert document["text"] == "Send fan mail to <email> please. Or call <phone> today."
        assert counts["scrubbed"] == {"scrubbed_email": 1, "scrubbed_phone": 1}
    else:
        assert "mika.fan@example.com" in document["text"] and counts["scrubbed"] == {}
