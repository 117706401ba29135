"""WebVTT, SRT and YouTube auto-caption parsing, on the real samples in tests/data/subtitles."""

from __future__ import annotations

import pytest

from chatclone.errors import SourceError
from chatclone.sources.subtitles import Cue, Word, parse_srt, parse_vtt, parse_youtube_auto_vtt


@pytest.fixture(scope="session")
def subtitles(test_data):
    return test_data / "subtitles"


def _write(tmp_path, text: str, name: str = "x.vtt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_vtt_cues_have_times_in_seconds_and_text(subtitles):
    cues = list(parse_vtt(subtitles / "sample.vtt"))

    assert len(cues) == 16
    assert cues[0] == Cue(0.5, 7.0, "Caption text #1")
    assert cues[-1] == Cue(61.35, 64.3, "Caption text #16")


def test_vtt_with_a_bom_parses(subtitles):
    assert [c.text for c in parse_vtt(subtitles / "captions_with_bom.vtt")] == [f"Caption text #{i}" for i in range(1, 5)]


def test_vtt_inline_timestamps_and_class_tags_are_stripped_from_text(subtitles):
    cues = list(parse_vtt(subtitles / "cue_tags.vtt"))

    assert cues[0] == Cue(16.5, 18.5, "When the moon hits your eye")
    assert cues[2].text == "That's amore"


def test_vtt_voice_and_italic_tags_are_stripped_and_entities_unescaped(tmp_path):
    path = _write(tmp_path, "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Roger Bingham><i>Fish &amp; chips</i> &lt;3\n")

    assert [c.text for c in parse_vtt(path)] == ["Fish & chips <3"]


def test_vtt_multi_line_cue_text_is_joined_with_a_space(tmp_path):
    path = _write(tmp_path, "WEBVTT\n\n00:01.000 --> 00:02.000\nfirst line\nsecond line\n")

    assert [c.text for c in parse_vtt(path)] == ["first line second line"]


def test_vtt_note_and_style_blocks_identifiers_and_settings_are_ignored(tmp_path):
    path = _write(
        tmp_path,
        "WEBVTT - a title\nKind: captions\n\nSTYLE\n::cue { color: red }\n\nNOTE a comment\nover two lines\n\n"
        "intro-1\n00:00:01.000 --> 00:00:02.500 align:start position:0%\nhello\n",
    )

    assert list(parse_vtt(path)) == [Cue(1.0, 2.5, "hello")]


def test_vtt_without_header_is_rejected_naming_the_file_and_line(subtitles):
    with pytest.raises(SourceError, match=r"invalid\.vtt: line 1: not WebVTT"):
        list(parse_vtt(subtitles / "invalid.vtt"))


def test_vtt_with_a_malformed_timestamp_is_rejected_at_its_line(subtitles):
    with pytest.raises(SourceError, match=r"invalid_timeframe\.vtt: line 6: malformed cue timing"):
        list(parse_vtt(subtitles / "invalid_timeframe.vtt"))


def test_vtt_cue_without_timing_is_rejected_at_its_line(subtitles):
    with pytest.raises(SourceError, match=r"missing_timeframe\.vtt: line 6: cue has no timing line"):
        list(parse_vtt(subtitles / "missing_timeframe.vtt"))


def test_vtt_cue_ending_before_it_starts_is_rejected(tmp_path):
    path = _write(tmp_path, "WEBVTT\n\n00:02.000 --> 00:01.000\nbackwards\n")

    with pytest.raises(SourceError, match="line 3: cue ends before it starts"):
        list(parse_vtt(path))


def test_vtt_that_is_not_utf8_is_rejected(tmp_path):
    path = tmp_path / "latin1.vtt"
    path.write_bytes(b"WEBVTT\n\n00:01.000 --> 00:02.000\ncaf\xe9\n")

    with pytest.raises(SourceError, match="not UTF-8"):
        list(parse_vtt(path))


def test_netflix_vtt_with_indented_blank_lines_and_settings_parses(shared_data):
    cues = list(parse_vtt(shared_data / "subtitles" / "netflix_chicas_del_cable.vtt"))

    assert cues[0] == Cue(7.96, 9.48, "[Alba] En 1928,")
    assert len(cues) > 800
    assert all(c.start_s <= c.end_s for c in cues)


def test_srt_cues_have_times_in_seconds_and_text(subtitles):
    cues = list(parse_srt(subtitles / "sample.srt"))

    assert cues == [Cue(s, e, f"Caption text #{i}") for i, (s, e) in enumerate([(0.5, 7.0), (7.0, 11.89), (11.89, 16.32), (16.32, 21.58), (21.58, 23.88)], 1)]


def test_srt_block_without_timing_is_rejected_at_its_line(tmp_path):
    path = _write(tmp_path, "1\n00:00:01,000 --> 00:00:02,000\nok\n\n2\nno timing here\n", "x.srt")

    with pytest.raises(SourceError, match=r"x\.srt: line 5: subtitle has no timing line"):
        list(parse_srt(path))


# --- YouTube auto-captions ------------------------------------------------------------------

AUTO_SAMPLES = ["youtube_dl.vtt", "vtttojson_meow_auto.en.vtt"]


@pytest.fixture(params=AUTO_SAMPLES + ["simonw_demo_auto.en.vtt"])
def auto_captions(request, subtitles):
    # simonw_demo_auto.en.vtt is Apache-2.0: read in place from ../shared/data (skipped where absent).
    folder = subtitles if request.param in AUTO_SAMPLES else request.getfixturevalue("shared_data") / "subtitles"
    return parse_youtube_auto_vtt(folder / request.param)


def test_auto_captions_never_repeat_a_cue_text_in_a_row(auto_captions):
    cues, _ = auto_captions

    assert cues
    assert all(a.text != b.text for a, b in zip(cues, cues[1:]))


def test_auto_captions_time_every_word_of_the_deduplicated_text(auto_captions):
    cues, words = auto_captions

    assert [w.word for w in words] == " ".join(c.text for c in cues).split()


def test_auto_captions_times_never_decrease(auto_captions):
    cues, words = auto_captions

    assert all(a.start_s <= b.start_s for a, b in zip(cues, cues[1:]))
    assert all(a.start_s <= b.start_s and a.end_s <= b.end_s for a, b in zip(words, words[1:]))
    assert all(w.start_s <= w.end_s for w in words)


def test_auto_captions_keep_each_line_once_with_the_time_it_was_spoken(shared_data):
    cues, _ = parse_youtube_auto_vtt(shared_data / "subtitles" / "simonw_demo_auto.en.vtt")

    assert cues == [
        Cue(0.0, 1.829, "my career in side projects and open"),
        Cue(1.839, 4.55, "source basically this is so i've been"),
    ]


def test_auto_captions_undo_the_three_line_rolling_window(subtitles):
    cues, _ = parse_youtube_auto_vtt(subtitles / "vtttojson_meow_auto.en.vtt")

    assert [c.text for c in cues[:4]] == [
        "the man who inspired the",
        "character Gordon Gekko Asher",
        "edelman recently had an",
        "interview with CNBC and he",
    ]


def test_auto_caption_words_start_at_their_inline_timestamp_and_end_at_the_next(shared_data):
    _, words = parse_youtube_auto_vtt(shared_data / "subtitles" / "simonw_demo_auto.en.vtt")

    assert words[:2] == [Word(0.0, 0.16, "my"), Word(0.16, 0.48, "career")]
    assert words[6] == Word(1.52, 1.829, "open")  # the last word of a cue ends with the cue


def test_auto_captions_without_a_blank_line_between_cues_split_at_the_timing_line(subtitles):
    cues, _ = parse_youtube_auto_vtt(subtitles / "youtube_dl.vtt")

    assert [c.text for c in cues] == ["yeah", "what", "this will happen is I'm telling"]
    assert cues[2].start_s == 304.08


def test_auto_caption_words_without_timestamps_share_the_cue_evenly(tmp_path):
    path = _write(tmp_path, "WEBVTT\n\n00:00:10.000 --> 00:00:12.000\ntwo words\n")

    assert parse_youtube_auto_vtt(path)[1] == [Word(10.0, 11.0, "two"), Word(11.0, 12.0, "words")]
