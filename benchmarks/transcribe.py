"""Benchmark: Whisper speed (times real time) through chatclone.whisper, sequential vs batched.

    .venv/bin/python benchmarks/transcribe.py [--minutes 4] [--model bundled:tiny.en] [--device auto] [--compute-type auto]

Makes a few minutes of speech with espeak-ng (en-us, 160 words/min) from a varied script,
loads the model once, then transcribes the same audio with faster-whisper's sequential
`WhisperModel.transcribe` and with `BatchedInferencePipeline`, word timestamps and VAD on, as
`chatclone transcribe` does. Prints audio seconds / wall seconds ("x real time") and the word
error rate against the script for each. The goal on a 2-core CPU with tiny.en int8 is >= 15x.
On a GPU machine pass a larger --model (e.g. a local large-v3 folder) and --device cuda.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SENTENCES = [
    "Good evening everyone and welcome back to the stream.",
    "Today we are going to talk about the new game that came out last week.",
    "A lot of you asked me what I thought about the ending, so let me tell you.",
    "I really liked the music, but the last boss was far too easy.",
    "Thank you so much for the super chat, that is very kind of you.",
    "Somebody in chat says they want to see me play it again on Friday.",
    "Maybe we can do that if the weather is nice, otherwise we will stay inside and draw.",
    "My cat knocked a glass of water off the desk this morning and I had to clean the whole room.",
    "I have been practicing the piano every day, and my fingers are finally getting faster.",
    "If you are new here, my name is Mika and I mostly chat, play games and sing on weekends.",
    "The train was late again, so I spent an hour reading a book about old lighthouses.",
    "Please remember to drink some water and go to sleep at a reasonable time tonight.",
]


def make_speech(folder: Path, minutes: float, seed: int) -> tuple[Path, str]:
    """A WAV of espeak-ng reading shuffled SENTENCES for about `minutes`; returns (path, script)."""
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        sys.exit("espeak-ng is not installed: apt-get install espeak-ng")
    rng = random.Random(seed)
    words_needed = int(minutes * 160)
    script: list[str] = []
    while sum(len(s.split()) for s in script) < words_needed:
        script += rng.sample(SENTENCES, len(SENTENCES))
    text = " ".join(script)
    path = folder / "speech.wav"
    subprocess.run([espeak, "-v", "en-us", "-s", "160", "-w", str(path), text], check=True, capture_output=True)
    return path, text


def machine() -> str:
    model = platform.processor() or "unknown CPU"
    try:
        model = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{os.cpu_count()} CPUs, {model}, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=4.0, help="minutes of speech (default 4)")
    parser.add_argument("--model", default="bundled:tiny.en")
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    parser.add_argument("--compute-type", default="auto")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    from chatclone import whisper
    from chatclone.config import Transcribe
    from chatclone.wer import word_error_rate

    print(f"machine: {machine()}")
    folder = Path(tempfile.mkdtemp(prefix="chatclone-bench-whisper-"))
    try:
        audio, script = make_speech(folder, args.minutes, args.seed)
        base = Transcribe(model=args.model, device=args.device, compute_type=args.compute_type, batch_size=args.batch_size)
        device, compute = whisper.device_and_compute(base)
        t0 = time.perf_counter()
        model = whisper.load_model(args.model, base)
        print(f"model {args.model} on {device} ({compute}): loaded in {time.perf_counter() - t0:.1f} s")
        rows = []
        for label, batched in (("sequential", False), ("batched", True)):
            settings = base.model_copy(update={"batched": batched})
            t = whisper.transcribe(model, audio, settings)
            wer = word_error_rate(script, " ".join(s.text for s in t.segments))
            rows.append((label, t.duration_s, t.elapsed_s, t.duration_s / t.elapsed_s, wer, len(t.words)))
            print(f"{label}: {t.duration_s:.0f} s of audio in {t.elapsed_s:.1f} s = {t.duration_s / t.elapsed_s:.1f}x real time, "
                  f"WER {wer:.1%}, {len(t.words)} words")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print()
    print(f"| mode | audio s | wall s | x real time | WER vs script | words |   ({args.model}, {device}, {compute})")
    print("|---|---|---|---|---|---|")
    for label, dur, wall, rtf, wer, words in rows:
        print(f"| {label} | {dur:.0f} | {wall:.1f} | {rtf:.1f} | {wer:.1%} | {words} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
