"""The terminal chat: read a line, stream the double's reply, repeat (or, with the audience model, print chat's lines)."""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Console

HELP = "/reset forgets the conversation, /quit (or Ctrl-D) leaves"


def _loop(prompt: str, on_line: Callable[[str], None], on_reset: Callable[[], None], input_fn: Callable[[str], str],
          console: Console) -> None:
    """Read lines with `prompt` until /quit or end of input; /reset calls `on_reset`, any other line `on_line`."""
    while True:
        try:
            line = input_fn(prompt).strip()
        except (EOFError, KeyboardInterrupt):
            console.print()
            return
        if not line:
            continue
        if line == "/quit":
            return
        if line == "/reset":
            on_reset()
            console.print("(conversation forgotten)", style="dim")
            continue
        on_line(line)


def run_repl(persona, input_fn: Callable[[str], str] = input, output: Console | None = None) -> None:
    """Chat with `persona` until /quit or end of input; /reset clears its history.

    `input_fn` is called with the prompt and returns one line; the reply is printed to
    `output` piece by piece as it is generated.
    """
    console = output or Console()
    console.print(f"chatting with {persona.name}: {HELP}", style="dim", highlight=False)

    def answer(line: str) -> None:
        console.print(f"{persona.name}> ", end="", style="bold", highlight=False)
        persona.reply(line, stream=lambda piece: console.print(piece, end="", markup=False, highlight=False, soft_wrap=True))
        console.print()

    _loop("you> ", answer, persona.reset, input_fn, console)


def run_audience_repl(persona, lines: int, context_lines: int, input_fn: Callable[[str], str] = input, output: Console | None = None) -> None:
    """Play the streamer to an audience model: each line typed is what the streamer says, and `lines` chat
    messages come back, written with the chat so far as context. /reset clears the chat, /quit leaves."""
    from chatclone.audience import chat_lines

    console = output or Console()
    console.print(f"you are the streamer, the chat of {persona.name}'s stream answers: {HELP}", style="dim", highlight=False)
    history: list[str] = []

    def react(line: str) -> None:
        for text in chat_lines(persona, line, history, lines, context_lines=context_lines):
            console.print(f"chat> {text}", markup=False, highlight=False)
            history.append(text)

    _loop("streamer> ", react, history.clear, input_fn, console)
