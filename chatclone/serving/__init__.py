"""Serving the double: the generation core (`Persona`) and the front ends that talk through it."""

from chatclone.serving.generation import Persona, cut_turn, load_persona
from chatclone.serving.repl import run_repl

__all__ = ["Persona", "cut_turn", "load_persona", "run_repl"]
