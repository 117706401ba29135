"""Loading the personas a front end serves: each workspace's latest (or named) run, with its person's links."""

from __future__ import annotations

from collections.abc import Iterable

from chatclone import audience
from chatclone.errors import ChatcloneError
from chatclone.runs import find_run
from chatclone.serving.generation import Persona, load_persona
from chatclone.serving.links import load_links
from chatclone.workspace import Workspace


def load_workspace_persona(ws: Workspace, run: str | None = None, device: str = "cpu") -> Persona:
    """The Persona of workspace `ws`: its run `run` (default: the latest), with the links its person sent."""
    record = find_run(ws.models, run)
    return load_persona(record, ws.config, device=device, links=load_links(ws.warehouse_path))


def load_audience(ws: Workspace, run: str | None = None, device: str = "cpu") -> Persona:
    """The audience model of workspace `ws` (its run `run`, default: the latest audience run), as a Persona whose
    system prompt is the audience's: it writes chat lines, not the person's replies."""
    config = ws.config.model_copy(update={"system_prompt": audience.system_prompt(ws.config)})
    return load_persona(find_run(ws.models, run, audience=True), config, device=device)


def load_personas(workspaces: Iterable[Workspace], device: str = "cpu") -> dict[str, Persona]:
    """{persona name: Persona} for each workspace's latest run; raises ChatcloneError when two share a name."""
    personas: dict[str, Persona] = {}
    for ws in workspaces:
        persona = load_workspace_persona(ws, device=device)
        if persona.name in personas:
            raise ChatcloneError(f"{ws.config_path}: persona name {persona.name!r} is already served from another workspace")
        personas[persona.name] = persona
    return personas
