"""Benchmark: the API's latency with the bundled model: time to first token, tokens/s, a 40-token reply, 4 clients at once.

    .venv/bin/python benchmarks/serve_latency.py [--model DIR] [--requests 12] [--clients 4] [--max-tokens 40]

Starts `chatclone serve`'s app (chatclone.serving.api.create_app) in uvicorn on 127.0.0.1 with the
bundled SmolLM2-135M (or --model), then streams greedy replies with httpx, as an OpenAI client
would: first alone (one request at a time), then from --clients threads at once. Time to first
token = from sending the request to the first content chunk; tokens/s = completion tokens
(usage) after the first token divided by the time from the first to the last chunk; the reply
time is the whole request. Goals (2-core CPU): first token < 0.5 s, a 40-token reply < 2 s.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PROMPTS = ["Tell me about your weekend, in detail.", "What's the best food you ever had? Describe it.", "How did you get into streaming?",
           "Describe your perfect day from morning to night.", "What games are you playing lately and why?", "Tell me a story about your cat."]
FIRST_TOKEN_GOAL_S, REPLY_GOAL_S = 0.5, 2.0


def one_request(url: str, prompt: str, max_tokens: int) -> dict:
    """Stream one greedy completion; its timings and token count."""
    import httpx

    body = {"model": "bench", "messages": [{"role": "user", "content": prompt}], "max_tokens": max_tokens, "temperature": 0,
            "stream": True, "stream_options": {"include_usage": True}}
    t0 = time.perf_counter()
    first = last = None
    tokens = 0
    with httpx.stream("POST", f"{url}/v1/chat/completions", json=body, timeout=300) as r:
        r.raise_for_status()
        for line in r.iter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            chunk = json.loads(line[6:])
            if chunk.get("usage"):
                tokens = chunk["usage"]["completion_tokens"]
            if chunk.get("choices") and chunk["choices"][0]["delta"].get("content"):
                first = first or time.perf_counter()
                last = time.perf_counter()
    end = time.perf_counter()
    first = first or end
    rate = (tokens - 1) / (last - first) if last and last > first and tokens > 1 else float("nan")
    return {"first_token_s": first - t0, "reply_s": end - t0, "tokens": tokens, "tokens_per_s": rate}


def pct(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) of `values`, linear between ranks."""
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if len(values) > 1 else values[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", help="model directory [default: the bundled SmolLM2-135M]")
    parser.add_argument("--requests", type=int, default=12, help="requests in each phase (default 12)")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--max-tokens", type=int, default=40)
    parser.add_argument("--device", default=None, help="cpu or cuda [default: cuda where there is one]")
    args = parser.parse_args(argv)

    import torch
    import uvicorn
    from rich.console import Console
    from rich.table import Table

    from chatclone.config import Train, parse_config
    from chatclone.models import DEFAULT_BASE_MODEL, resolve_base_model
    from chatclone.serving.api import create_app
    from chatclone.serving.generation import load_persona
    from chatclone.training import pick_device

    console = Console()
    device = args.device or pick_device()
    model = args.model or resolve_base_model(DEFAULT_BASE_MODEL, Path(Train().model_cache))
    config = parse_config({"name": "bench", "speakers": [{"name": "bench"}], "generation": {"max_new_tokens": args.max_tokens}})
    persona = load_persona(model, config, device=device)
    console.print(f"machine: {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}, torch {torch.__version__} "
                  f"({torch.get_num_threads()} threads), device {device}, model {model}")

    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app({"bench": persona}, max_waiting=64), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    url = f"http://127.0.0.1:{port}"
    one_request(url, "hello", 4)  # warm-up: the first generate() pays one-time costs

    phases = {"1 client": [one_request(url, PROMPTS[i % len(PROMPTS)], args.max_tokens) for i in range(args.requests)]}
    with ThreadPoolExecutor(args.clients) as pool:
        phases[f"{args.clients} clients"] = list(pool.map(lambda i: one_request(url, PROMPTS[i % len(PROMPTS)], args.max_tokens), range(args.requests)))
    server.should_exit = True
    thread.join(timeout=30)

    table = Table(title=f"Streaming replies, max_tokens {args.max_tokens}, greedy ({args.requests} requests per phase)")
    for col in ("phase", "first token p50", "p95", "reply p50", "p95", "tokens (mean)", "tokens/s (mean)", "40-token reply (est.)"):
        table.add_column(col, justify="right")
    verdict = {}
    for phase, runs in phases.items():
        first = [r["first_token_s"] for r in runs]
        whole = [r["reply_s"] for r in runs]
        rates = [r["tokens_per_s"] for r in runs if r["tokens_per_s"] == r["tokens_per_s"]]
        rate = statistics.mean(rates)
        forty = statistics.median(first) + 39 / rate
        verdict[phase] = (statistics.median(first), forty)
        table.add_row(phase, f"{statistics.median(first):.3f} s", f"{pct(first, 95):.3f} s", f"{statistics.median(whole):.3f} s",
                      f"{pct(whole, 95):.3f} s", f"{statistics.mean(r['tokens'] for r in runs):.1f}", f"{rate:.1f}", f"{forty:.2f} s")
    console.print(table)
    first, forty = verdict["1 client"]
    console.print(f"one client: first token {first:.3f} s (goal < {FIRST_TOKEN_GOAL_S} s: {'met' if first < FIRST_TOKEN_GOAL_S else 'NOT met'}); "
                  f"40-token reply {forty:.2f} s (goal < {REPLY_GOAL_S} s: {'met' if forty < REPLY_GOAL_S else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
