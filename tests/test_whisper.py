"""faster-whisper with the bundled tiny.en model: real speech (JFK), espeak-ng speech with a known script, bad audio."""

from __future__ import annotations

import pytest

from chatclone import whisper
from chatclone.config import Transcribe
from chatclone.errors import SourceError
from chatclone.wer import normalize_words, word_error_rate

# Measured on espeak-ng's en-us voice at 160 words/min: 3.3 % (tiny.en int8, batched or not). The bound leaves room
# for other espeak-ng builds; a broken pipeline (no words, wrong timings, a wrong model) lands far above it.
SCRIPT_WER_BOUND = 0.10
SCRIPT = (
    "Good evening everyone and welcome back to the stream. Today we are going to talk about the new game that came out "
    "last week. A lot of you asked me what I thought about the ending, so let me tell you. I really liked the music, but "
    "the last boss was far too easy. Thank you so much for the super chat, that is very kind of you. Somebody in chat says "
    "they want to see me play it again on Friday. Maybe we can do that if the weather is nice."
)


@pytest.fixture(scope="module", params=[False, True], ids=["sequential", "batched"])
def settings(request):
    return Transcribe(batched=request.param)


@pytest.fixture(scope="module")
def model(settings):
    return whisper.load_model("bundled:tiny.en", settings)


def test_jfk_transcript_has_whispers_own_test_phrases_and_americans_spans_1_8_s(model, settings, test_data):
    t = whisper.transcribe(model, test_data / "audio" / "jfk.flac", settings)

    text = " ".join(s.text for s in t.segments).lower()
    assert "my fellow americans" in text and "your country" in text and "do for you" in text
    americans = [w for w in t.words if w.word.strip(" ,.") == "Americans"]
    assert americans and americans[0].start_s <= 1.8 <= americans[0].end_s
    assert all(w.start_s <= w.end_s for w in t.words) and all(0 <= w.probability <= 1 for w in t.words)
    assert t.language == "en" and t.duration_s == pytest.approx(11.0, abs=0.1)


def test_espeak_speech_of_a_known_script_has_a_low_word_error_rate(model, settings, speak):
    t = whisper.transcribe(model, speak(SCRIPT), settings)

    assert word_error_rate(SCRIPT, " ".join(s.text for s in t.segments)) <= SCRIPT_WER_BOUND
    assert len(t.words) >= 0.9 * len(normalize_words(SCRIPT))


@pytest.mark.parametrize("content", [b"", b"not audio at all", b"fLaC\0\0\0\x22" + b"\0" * 30], ids=["empty", "garbage", "truncated-flac"])
def test_audio_that_cannot_be_decoded_is_a_one_line_source_error(model, content, tmp_path):
    bad = tmp_path / "vod.m4a"
    bad.write_bytes(content)

    with pytest.raises(SourceError) as e:
        whisper.transcribe(model, bad, Transcribe())
    assert str(e.value).startswith(str(bad)) and "\n" not in str(e.value)


def test_cache_key_changes_with_audio_model_and_decoding_settings_only():
    base = whisper.cache_key("a" * 64, "bundled:tiny.en", Transcribe())
    assert base == whisper.cache_key("a" * 64, "bundled:tiny.en", Transcribe(concurrency=2, cpu_threads=1))
    assert base != whisper.cache_key("b" * 64, "bundled:tiny.en", Transcribe())
    assert base != whisper.cache_key("a" * 64, "small", Transcribe())
    assert base != whisper.cache_key("a" * 64, "bundled:tiny.en", Transcribe(beam_size=1))


def test_word_error_rate_counts_edits_over_reference_words():
    assert word_error_rate("And so, my fellow Americans!", "and so my fellow americans") == 0.0
    assert word_error_rate("a b c d", "a x c") == 0.5  # one substitution, one deletion
    assert word_error_rate("a b", "a b c d") == 1.0  # two insertions
    assert word_error_rate("", "") == 0.0 and word_error_rate("", "words") == 1.0
    assert normalize_words("Don't STOP—now") == ["don't", "stop", "now"]
