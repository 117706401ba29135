"""Placeholders in replies: `<link>` becomes one of the person's own links that fits, or nothing; never an invented one."""

from __future__ import annotations

import torch
from hypothesis import given
from hypothesis import strategies as st

from chatclone.serving.generation import TurnWatcher
from chatclone.serving.links import LinkBook, load_links
from chatclone.text import links_in
from factories import make_config

RAMEN = "https://example.com/best-ramen-in-tokyo"
SONG = "https://www.youtube.com/watch?v=city-pop-plastic-love"


def test_links_in_finds_plain_links_but_not_invites_or_webhooks():
    text = ("try this (https://example.com/best-ramen-in-tokyo). join discord.gg/abc123 or "
            "https://discord.com/api/webhooks/1/xyz, and www.example.org/page!")
    assert links_in(text) == [RAMEN, "www.example.org/page"]


@given(st.lists(st.sampled_from([*"htps:/w.exampl <>()!?\"'", "https://", "www.", ".com", "ramen"]), max_size=30).map("".join))
def test_links_in_returns_only_text_that_is_in_the_message(text):
    for link in links_in(text):
        assert link and link in text


def test_the_link_that_shares_words_with_the_conversation_is_given_back():
    book = LinkBook([RAMEN, SONG])
    assert book.restore("omg go here <link>", "where do you get ramen in tokyo?") == f"omg go here {RAMEN}"
    assert book.restore("this one <link> is so good", "any city pop song recs") == f"this one {SONG} is so good"


def test_without_a_fitting_link_the_placeholder_is_dropped_never_invented():
    book = LinkBook([RAMEN])
    assert book.restore("look at this <link> lol", "what is your cat's name?") == "look at this lol"
    assert LinkBook([]).restore("<link>", "ramen") == ""
    assert book.restore("haha <image> <gif>.", "ramen") == "haha."


def test_streamed_pieces_with_a_placeholder_add_up_to_the_restored_reply(tokenizer):
    book = LinkBook([RAMEN])
    context = "best ramen in tokyo?"
    reply = "you have to go to <link> honestly, <image> so good"
    ids = tokenizer(reply, add_special_tokens=False, return_tensors="pt")["input_ids"][0]
    pieces: list[str] = []
    watcher = TurnWatcher(tokenizer, 0, stream=pieces.append, finish=lambda text: book.restore(text, context))
    for n in range(1, len(ids) + 1):
        watcher(ids[:n].unsqueeze(0), torch.zeros(1))
        assert not any("<" in p for p in pieces), "a piece of a placeholder was streamed"
    final, _ = watcher.finish(ids)
    assert final == f"you have to go to {RAMEN} honestly, so good"
    assert "".join(pieces) == final


def test_the_persona_links_come_from_the_target_speakers_kept_messages(tmp_path, write_discord_export):
    from chatclone import pipeline
    from chatclone.workspace import init_workspace

    ws = init_workspace(tmp_path / "ws", "Mika", ["Mika"])

    def by(name: str, user_id: str) -> dict:
        return {"id": user_id, "name": name, "discriminator": "0000", "nickname": None, "color": None, "isBot": False}

    export = write_discord_export([
        {"author": by("Rin", "2"), "content": "look https://example.com/rins-own-link"},
        {"author": by("Mika", "1"), "content": f"ramen place: {RAMEN} !!"},
        {"author": by("Rin", "2"), "content": "oh nice, thanks, going there tomorrow"},
    ])
    pipeline.import_one(str(ws.root), "discord", str(export))
    pipeline.clean(str(ws.root))
    pipeline.segment(str(ws.root))
    book = load_links(ws.warehouse_path)
    assert len(book) == 1 and book.pick("ramen") == RAMEN and book.pick("rins own link") is None
