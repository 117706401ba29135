"""Synthetic chatting streams whose chat depends on its context, for the audience model's tests and benchmark.

The streamer talks about one topic at a time; chat reacts to the topic's words, laughs with emotes
after a joke, repeats what others just wrote (the hive mind), greets, and sometimes says nothing
related. So a model that sees what the streamer said and the chat before a message can predict it
better than one that sees nothing — the effect the audience model has to show, on data where it is
known to exist. Deterministic in its seed.
"""

from __future__ import annotations

import random

TOPICS = {
    "ramen": ["ramen", "noodles", "tonkotsu", "miso", "broth"],
    "cats": ["cats", "kitten", "meow", "whiskers", "paws"],
    "rain": ["rain", "umbrella", "storm", "thunder", "clouds"],
    "piano": ["piano", "chords", "melody", "practice", "keys"],
    "camping": ["camping", "tent", "campfire", "forest", "marshmallows"],
    "coffee": ["coffee", "espresso", "latte", "beans", "caffeine"],
    "trains": ["trains", "station", "ticket", "shinkansen", "railway"],
    "space": ["space", "planets", "rocket", "stars", "galaxy"],
}
SAY = ["today i want to talk about {a} and {b}", "you know what i love, {a}", "i tried {a} yesterday with {b}",
       "honestly {a} is underrated", "my friend only talks about {a} and {b}", "let me tell you about {a}"]
JOKE = "and then i tripped over my own {a}, what a clown"
REACT = ["{w} gang", "i love {w}", "{w} is the best", "what kind of {w}", "{w} hype", "more {w} please", "team {w}"]
LAUGH = [":kekw:", ":kekw: :kekw:", "LUL LUL", "lmao :kekw:", "LUL"]
HELLO = ["hi mika", "hello from brazil", "first time here", "good evening :wave:", "hey everyone :wave:"]
FILLER = ["lol", "true", "same", "real", "nice"]
EMOTES = {":kekw:", ":wave:", "LUL"}  # what an import records in chat.emotes


def stream(seed: int, minutes: float = 10.0) -> tuple[list[tuple[float, float, str]], list[tuple[float, str, str]]]:
    """(words as (start_s, end_s, word), chat as (t_s, author, text)) of one synthetic stream of `minutes`."""
    rng = random.Random(seed)
    words: list[tuple[float, float, str]] = []
    chat: list[tuple[float, str, str]] = []
    t, end = 2.0, minutes * 60
    topic = rng.choice(list(TOPICS))
    joke_until = -1.0
    while t < end:
        if rng.random() < 0.15:
            topic = rng.choice(list(TOPICS))
        vocab = TOPICS[topic]
        a, b = rng.sample(vocab, 2)
        joke = rng.random() < 0.2
        sentence = (JOKE if joke else rng.choice(SAY)).format(a=a, b=b)
        for word in sentence.split():
            words.append((round(t, 2), round(t + 0.3, 2), word))
            t += 0.35
        if joke:
            joke_until = t + 6
        pause = rng.uniform(1.0, 4.0)
        chat_t = t - 2.0
        while chat_t < t + pause:
            chat_t += rng.expovariate(1.2)
            chat.append((round(chat_t, 2), f"viewer{rng.randrange(200)}", _message(rng, vocab, chat, chat_t < joke_until)))
        t += pause
    return words, sorted(chat)


def _message(rng: random.Random, vocab: list[str], chat: list, after_joke: bool) -> str:
    roll = rng.random()
    if after_joke and roll < 0.6:
        return rng.choice(LAUGH)
    if roll < 0.45:
        return rng.choice(REACT).format(w=rng.choice(vocab))
    if roll < 0.65 and chat:
        return chat[-rng.randrange(1, min(4, len(chat)) + 1)][2]  # the hive repeats what it just read
    if roll < 0.8:
        return rng.choice(HELLO)
    return rng.choice(FILLER)


def load(wh, vods: int, minutes: float = 10.0, seed: int = 1) -> tuple[int, int]:
    """Write `vods` synthetic zatsu streams into warehouse `wh` (videos, whisper words, chat with its emotes); return (words, messages)."""
    n_words = n_chat = 0
    for v in range(vods):
        video_id = f"synth{v:03d}"
        wh.con.execute("INSERT INTO videos (video_id, title, category, transcript_source, status) VALUES (?, ?, 'zatsu', 'whisper', 'loaded')",
                       [video_id, f"zatsu #{v}"])
        words, chat = stream(seed * 1000 + v, minutes)
        wh.con.executemany("INSERT INTO words (video_id, start_s, end_s, word, source) VALUES (?, ?, ?, ?, 'whisper')",
                           [(video_id, s, e, w) for s, e, w in words])
        wh.con.executemany("INSERT INTO chat (video_id, message_id, t_s, author_id, author_name, text, kind, emotes) "
                           "VALUES (?, ?, ?, ?, ?, ?, 'text', ?)",
                           [(video_id, f"m{i}", t, a, a, text, sorted({w for w in text.split() if w in EMOTES}))
                            for i, (t, a, text) in enumerate(chat)])
        n_words, n_chat = n_words + len(words), n_chat + len(chat)
    return n_words, n_chat
