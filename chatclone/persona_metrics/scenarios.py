"""Scenarios: configured conversations ([[eval.scenarios]]) replayed with a model, one user message at a time.

Each message gets the model's reply with the conversation so far as context, so the transcript
reads like a real exchange. Transcripts of base and tuned are saved as JSON and Markdown, so two
runs can be read side by side.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

from chatclone.config import Scenario


def replay(persona, scenario: Scenario, temperature: float, top_p: float, max_tokens: int, seed: int) -> list[dict]:
    """The transcript of `scenario` with `persona`: user and assistant messages, alternating.

    Reply i is sampled with seed `seed + i`, so a replay is repeatable.
    """
    history: list[dict] = []
    for i, message in enumerate(scenario.messages):
        history.append({"role": "user", "content": message})
        reply = persona.complete(history, temperature=temperature, top_p=top_p, max_tokens=max_tokens, seed=seed + i).text
        history.append({"role": "assistant", "content": reply})
    return history


def replay_all(persona, scenarios: Sequence[Scenario], temperature: float, top_p: float, max_tokens: int, seed: int,
               on_scenario: Callable[[int], None] | None = None) -> list[dict]:
    """[{"name", "messages"}] for every scenario, in order; `on_scenario(1)` after each."""
    transcripts = []
    for s in scenarios:
        transcripts.append({"name": s.name, "messages": replay(persona, s, temperature, top_p, max_tokens, seed)})
        if on_scenario:
            on_scenario(1)
    return transcripts


def merge(sides: dict[str, list[dict]]) -> list[dict]:
    """The transcripts of several models as [{"name", "turns": [{"user", <side>: reply, ...}]}], scenario by scenario."""
    first = next(iter(sides.values()), [])
    merged = []
    for index, scenario in enumerate(first):
        turns = []
        for t, message in enumerate(scenario["messages"]):
            if message["role"] == "user":
                turns.append({"user": message["content"],
                              **{side: runs[index]["messages"][t + 1]["content"] for side, runs in sides.items()}})
        merged.append({"name": scenario["name"], "turns": turns})
    return merged


def _line(text: str) -> str:
    return text.replace("\n", "  \n") or "*(no reply)*"


def to_markdown(run: str, scenarios: list[dict], sides: Sequence[str] = ("base", "tuned")) -> str:
    """The merged transcripts as Markdown: a section per scenario, each user message followed by every side's reply."""
    lines = [f"# Scenario transcripts: {run}", ""]
    for scenario in scenarios:
        lines += [f"## {scenario['name']}", ""]
        for turn in scenario["turns"]:
            lines.append(f"**user:** {_line(turn['user'])}  ")
            lines += [f"**{side}:** {_line(turn.get(side, ''))}  " for side in sides]
            lines.append("")
    return "\n".join(lines)


def write_transcripts(run: str, scenarios: list[dict], directory: Path) -> tuple[Path, Path]:
    """Write scenarios.json and scenarios.md into `directory`; return their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    json_path, md_path = directory / "scenarios.json", directory / "scenarios.md"
    json_path.write_text(json.dumps({"run": run, "scenarios": scenarios}, indent=2, ensure_ascii=False), encoding="utf-8")
    md_path.write_text(to_markdown(run, scenarios), encoding="utf-8")
    return json_path, md_path
