import io

from rich.console import Console

from chatclone.serving import run_repl


class EchoPersona:
    """Stands in for a Persona: replies 'you said TEXT' in two streamed pieces."""

    name = "Mika"

    def __init__(self, console: Console | None = None):
        self.history: list[dict] = []
        self.console = console
        self.printed_while_streaming: list[str] = []

    def reply(self, text, stream=None):
        for piece in ("you said ", text):
            stream(piece)
            if self.console is not None:
                self.printed_while_streaming.append(self.console.file.getvalue())
        self.history += [{"role": "user", "content": text}, {"role": "assistant", "content": "you said " + text}]
        return "you said " + text

    def reset(self):
        self.history.clear()


def script(*lines):
    """An input_fn that returns `lines` one by one, then raises EOFError; `.asked` counts calls."""
    remaining = list(lines)

    def input_fn(prompt):
        input_fn.asked += 1
        if not remaining:
            raise EOFError
        return remaining.pop(0)

    input_fn.asked = 0
    return input_fn


def console() -> Console:
    return Console(file=io.StringIO(), width=200, color_system=None)


def test_each_line_gets_the_personas_reply():
    out = console()
    run_repl(EchoPersona(), input_fn=script("hello"), output=out)
    assert "Mika> you said hello\n" in out.file.getvalue()


def test_pieces_are_printed_as_they_stream():
    out = console()
    persona = EchoPersona(out)
    run_repl(persona, input_fn=script("hello"), output=out)
    assert persona.printed_while_streaming[0].endswith("Mika> you said ")


def test_reset_clears_the_history():
    persona = EchoPersona()
    run_repl(persona, input_fn=script("hello", "again", "/reset"), output=console())
    assert persona.history == []


def test_quit_leaves_without_reading_another_line():
    persona, input_fn = EchoPersona(), script("/quit", "never read")
    run_repl(persona, input_fn=input_fn, output=console())
    assert input_fn.asked == 1 and persona.history == []


def test_end_of_input_leaves_after_the_last_reply():
    persona = EchoPersona()
    run_repl(persona, input_fn=script("hello"), output=console())
    assert len(persona.history) == 2


def test_blank_lines_get_no_reply():
    persona = EchoPersona()
    run_repl(persona, input_fn=script("", "   "), output=console())
    assert persona.history == []
