"""Write the demo persona's YouTube channel folder, and a scripted stream for the tests, from the scripts in this file.

    .venv/bin/python examples/demo/make_demo_channel.py

Needs espeak-ng and ffmpeg (with libopus) on PATH. Everyone here is made up: Mika Hoshino (the
demo persona, a cheerful, slightly chaotic VTuber) and her chat. The output is the same on every
run: pauses, caption errors and ids come from fixed seeds, and ffmpeg writes bit-exact Ogg.

Files written, one folder per video, named as yt-dlp names them (output template `%(id)s.%(ext)s`):
  examples/demo/raw/youtube/mikaZatsu01/   a zatsu (chatting) stream, ~3.5 min, with ID.truth.json
  examples/demo/raw/youtube/mikaSolo002/   a solo drawing stream: chat present, never answered
  examples/demo/raw/youtube/mikaKaraok3/   a karaoke stream's opening talk (ignored by its title)
  examples/demo/raw/youtube/mikaBroken4/   info.json and a live_chat.json cut mid-line: import quarantines it
  tests/data/youtube_scripted/mikaZatsu05/ a second, different zatsu stream (~2.5 min) for the tests

Each video has ID.info.json (yt-dlp's metadata), ID.en.vtt (YouTube auto-captions: lower case,
unpunctuated, word-timed, with a few recognition errors), ID.live_chat.json (a yt-dlp live-chat
replay) and ID.opus (espeak-ng speech, 16 kbit/s mono). A zatsu stream also gets ID.truth.json,
its ground truth, read by chatclone.mining_eval (import ignores the name):
  {"reads": [{message_id, read_start_s, read_end_s, answer_start_s, answer_end_s, answer_text}],
   "hive": [{message_ids, answer_start_s, answer_end_s, answer_text}],
   "utterances": [{start_s, end_s, text, kind: "read" | "answer" | "talk"}]}
with every time measured on the generated audio (speech start and end, silence trimmed).

Script format, one line each; Mika's lines are spoken in order, with a pause before each:
  talk: TEXT                    Mika talks
  read KEY: TEXT                Mika reads chat message KEY aloud (maybe reworded, maybe "NAME says, ...")
  answer: TEXT                  her answer to the last read or hive line (several lines: one answer)
  hive KEY KEY ...: TEXT        she answers these messages without reading any of them
  pause SECONDS                 the silence before the next line (otherwise a seeded pause by kind)
      OFFSET [KEY] @AUTHOR (FLAG): TEXT
                                a chat message OFFSET seconds after the start of the line above
                                (negative: before it); FLAG is "$5.00" (super chat), "member" (new
                                member, no text), "owner" or "mod" (badges); :_name: is a channel emote
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import re
import shutil
import subprocess
import tempfile
import wave
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DEMO_DIR = HERE / "raw" / "youtube"
TEST_DIR = REPO / "tests" / "data" / "youtube_scripted"

CHANNEL, CHANNEL_ID, HANDLE = "Mika Hoshino Ch.", "UCm1kaH0sh1n0Ch4nnelDem0", "@mikahoshino_demo"
VOICE, WORDS_PER_MINUTE, RATE = "en-us+f3", 165, 22050
SILENCE = 300  # |sample| at or under this (about -40 dBFS) is silence when trimming espeak's output
EPOCH = 1719900000  # "epoch" of every info.json: when the (pretend) download ran
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

# Pauses before a line, by (previous kind, this kind), seconds; anything else: PAUSE_DEFAULT.
PAUSES = {("read", "answer"): (0.35, 0.8), ("answer", "answer"): (0.5, 1.1), ("hive", "answer"): (0.5, 1.1)}
PAUSE_BY_KIND = {"read": (1.3, 2.6), "hive": (1.4, 2.6), "talk": (1.0, 2.2), "answer": (0.8, 1.5)}
LEAD_IN_S, TAIL_S = 1.5, 2.0

# Auto-caption mistakes: a word and what YouTube's recognizer may write for it (each occurrence, p = 0.5).
MISHEARD = {
    "mika": "mica", "rin": "ren", "yuki": "you key", "sugoi": "so goy", "yatta": "yada", "vtuber": "v tuber",
    "minecraft": "mine craft", "plushie": "plushy", "plushies": "plushy's", "ramen": "rom in", "hoshi": "hoshie",
    "kenta": "kent", "karaoke": "carry oki", "chat": "chad", "ame": "amy", "kuro": "curo", "nori": "nori",
    "mochi": "mochie", "zatsu": "zots", "otsu": "oats", "sakura": "sakora", "eighties": "80s", "three": "3",
}
DROP_P = 0.03  # and a short word now and then goes missing

EMOTES = {  # shortcut: (emoji id, image); a channel's custom emoji, as YouTube sends them in runs
    ":_kusa:": "UCm1kaH0sh1n0Ch4nnelDem0/kusaEm0te1", ":_wave:": "UCm1kaH0sh1n0Ch4nnelDem0/waveEm0te2",
    ":_mikaheart:": "UCm1kaH0sh1n0Ch4nnelDem0/heartEm0te3",
}
UNICODE_EMOJI = {"😂": ["face_with_tears_of_joy", "joy"], "❤": ["red_heart", "heart"], "🌙": ["crescent_moon"]}


# --- the scripts ----------------------------------------------------------------------------

ZATSU_01 = """
talk: hello hello everyone! welcome back to late night free talk!
    -1 @taro_p: first!!
    -0.5 @mikahoshino_demo (owner): we're live!! 🌙
    +0.5 @nekomiso: konmika!!
    +2 @kusa_gaijin: :_kusa: :_kusa:
    +3.5 @yuki_snow: hiii mika 🌙
talk: i am so sleepy, but i wanted to hang out with you guys, so here we are.
    +0.5 @mod_hana (mod): reminder to be nice in chat everyone!
    +2 @potato_knight: hi from brazil
talk: grab a snack, get cozy, and let's just talk about random stuff, okay?
    +1 @zoomer_frog: lol
read yuki1: yuki says, what did you eat today?
    -14 [yuki1] @yuki_snow: what did you eat today?
    -9 @minty_mochi: what did u eat today
answer: hmm, i had ramen from the little shop near my place.
answer: it was so good, like, sugoi levels of good. i even got an extra egg!
    +3 @ame_drop: ramen gang
    +5 @kusa_gaijin: www
read potato1: how is the weather in your city right now?
    -22 [potato1] @potato_knight: how is the weather in your city right now?
answer: oh, it is raining super hard right now. i can hear it on the window.
answer: honestly, i love rain at night. it makes everything feel like a movie.
    +4 @sleepy_kumo: rain asmr stream when
talk: wait, chat is moving so fast tonight. hi to everyone who just got here!
    -3 @lunaria_ch: hello hello
    +1 @dex_plays: yo
    +2 @kenta_k (member):
talk: and welcome to the stars, kenta! thank you so much for joining, yatta!
    +1 @kenta_k: :_mikaheart:
hive game1 game2 game3 game4: okay okay, next stream we play minecraft, i promise!
    -25 [game1] @dex_plays: what game next??
    -16 [game2] @nekomiso: play minecraft
    -8 [game3] @hoshi_fan42: next game?
    -5 [game4] @taro_p: minecraft pls
answer: i will build a tiny house with a cat farm. no creepers allowed.
    +2 @zoomer_frog: lol
read rin: thank you rin for the super chat! rin asks, what is your favorite anime this season?
    -35 [rin] @rin_aoi ($5.00): what is your favorite anime this season?
answer: ahh, that is so hard. i think the one about the elf mage. it is so cozy and sad at the same time.
answer: i cried like three times, do not judge me.
    +2 @ame_drop: same
    +4 @yuki_snow: frieren!!
read kumo1: do you sleep with a plushie?
    -6 [kumo1] @sleepy_kumo: do you sleep with a plushie
answer: yes! his name is mister bun. he is a bunny, and he is very old and very flat.
    +3 @kusa_gaijin: :_kusa:
talk: oh, i should drink some water, hold on.
pause 4.5
talk: okay, i am back. hydration check, chat! drink some water too.
    -2 @minty_mochi: *drinks water*
    +2 @potato_knight: hydrated
hive hair1 hair2 hair3: and no, i did not change my hair. it is just the lighting, i swear.
    -18 [hair1] @lunaria_ch: did you change your hair?
    -12 [hair2] @ame_drop: new hairstyle??
    -7 [hair3] @zoomer_frog: mika your hair looks different
read luna1: what music are you listening to lately?
    -30 [luna1] @lunaria_ch: what music do u listen to lately
answer: lately i listen to a lot of city pop, like, old japanese songs from the eighties. it is perfect for drawing.
    +2 @nekomiso: city pop is the best
read late1: hoshi asked earlier, how did you become a vtuber?
    -70 [late1] @hoshi_fan42: how did you become a vtuber?
answer: oh, sorry, i missed this one! so, i used to just draw on stream with the webcam off.
answer: and then my friend made me a model as a birthday present, and i was like, okay, this is my life now.
    +3 @dex_plays: wholesome
hive sing1 sing2 sing3: no karaoke tonight, my throat is dead. karaoke is on saturday!
    -20 [sing1] @nekomiso: sing something!!
    -10 [sing2] @taro_p: karaoke when
    -4 [sing3] @hoshi_fan42: sing pls
read taro1: taro says, do you like cats or dogs?
    -9 [taro1] @taro_p: do you like cats or dogs
answer: cats, obviously. but i would pet every dog in the world too. i am not a monster.
    +2 @dex_plays: dog supremacy
    +3 @kusa_gaijin: www
talk: oh, and thank you dex for the super chat! you are so sweet.
    -12 @dex_plays ($2.00): keep up the streams mika!! love the chaos
    -5 @potato_knight: what time is it for you
read ame1: ame asks, any tips for staying up late without dying?
    -18 [ame1] @ame_drop: any tips for staying up late without dying
answer: umm, do not take advice from me. i am literally dying right now.
answer: but snacks and music and good friends, that is the secret.
    +2 @zoomer_frog: 😂
hive bye1 bye2 bye3: okay, it is getting really late, so i think i will end the stream here.
    -15 [bye1] @yuki_snow: are you ending soon?
    -9 [bye2] @sleepy_kumo: how long is stream today
    -5 [bye3] @minty_mochi: when is the stream ending?
talk: thank you all so much for hanging out with me tonight. it was really fun.
    +1 @nekomiso: otsumika!!
talk: good night everyone, sleep well, and see you on the next stream! bye bye!
    +1 @yuki_snow: gn mika!!
    +2 @taro_p: otsu
    +3 @kusa_gaijin: :_kusa:
    +4 @rin_aoi: otsumika ❤
"""

SOLO_002 = """
talk: okay, we are live! today i am just going to work on commissions and chill.
    +3 @juno_draws: hiii
    +5 @taro_p: konmika
talk: i will not really read chat today, sorry, i need to focus. but you can talk to each other!
    +2 @kusa_gaijin: :_kusa:
pause 5
talk: so this one is a knight holding a tiny cat. i love this idea so much.
    +2 @taro_p: what brush do you use?
pause 6
talk: hmm, the armor is hard. metal is always hard. why did i say yes to this.
    +4 @kusa_gaijin: www
pause 7
talk: okay, the cat looks like a potato now. that is fine. potatoes are cute.
    +3 @dex_plays: lol
pause 6
talk: let me fix the lighting. a little more orange here, like a sunset.
    +2 @nekomiso: are you taking more commissions?
    +6 @nekomiso: are commissions open?
pause 8
talk: oh, this song is really nice. i should save the playlist.
pause 6
talk: okay, i think the base colors are done. next is shading, which is the fun part.
    +2 @yuki_snow: looking good!!
pause 7
talk: that is it for today. thank you for keeping me company, bye bye!
    +1 @nekomiso: otsu!
"""

KARAOKE_3 = """
talk: hello hello! welcome to karaoke night! my throat is ready, i drank so much tea.
    +1 @nekomiso: karaoke!!
    +2 @taro_p: yatta
    +3 @yuki_snow: what are you singing first?
talk: i made a little setlist, it is mostly anime songs and some old city pop.
    +2 @rin_aoi (member):
talk: the first song is a classic, so sing along in chat, okay? here we go!
    +1 @kusa_gaijin: :_kusa:
"""

BROKEN_CHAT = """
talk: good morning everyone!
    +1 @yuki_snow: good morning!!
    +2 @taro_p: ohayo
    +4 @kusa_gaijin: :_kusa:
    +6 @nekomiso: early stream!
    +9 @dex_plays: gm gm
"""

ZATSU_05 = """
talk: good morning chat! it is sunday, and i just woke up, so please be gentle with me.
    -1 @kuro_neko_99: good morning!!
    +1 @bento_box: ohayo mika
    +2 @gamer_goose: gm
    +4 @pixel_pan: :_wave:
talk: today is a q and a kind of stream, so send me your questions and i will pick some.
    +2 @mochi_mod (mod): questions in chat please, no spam!
    +3 @tofu_master: lol
read aki1: aki says, what is your comfort food?
    -11 [aki1] @aki_leaf: what is your comfort food?
answer: easy, it is my grandma's curry. she makes it super sweet, with apples in it.
answer: i could eat it every single day.
    +2 @nori_roll: curry with apples??
read pan1: do you play any instruments?
    -27 [pan1] @pixel_pan: do you play any instruments?
answer: i played the piano when i was little, but now i can only play the first half of one song.
    +2 @umi_wave: www
    +3 @kuro_neko_99: play it!!
hive coffee1 coffee2 coffee3 coffee4: no, i do not drink coffee. it makes me way too chaotic. tea only!
    -19 [coffee1] @bento_box: coffee or tea?
    -13 [coffee2] @cloudy_days: do you drink coffee
    -6 [coffee3] @gamer_goose: coffee mika?
    -4 [coffee4] @umi_wave: coffee or tea
    +3 @aki_leaf ($2.00): good morning! have a nice sunday
read sakura: thank you sakura for the super chat! sakura asks, what would you do with a million dollars?
    -33 [sakura] @sakura_mist ($5.00): what would you do with a million dollars?
answer: oh wow. first i would buy a big house by the sea, then a room just for plushies.
answer: and then i would give the rest to a cat shelter. yatta!
    +3 @tofu_master: plushie room lol
talk: and welcome to the stars, nori! thank you for the membership.
    -8 @nori_roll (member):
read goose1: goose asks, what is the scariest game you ever played?
    -15 [goose1] @gamer_goose: what is the scariest game you ever played
answer: hmm, probably the one with the haunted school. i screamed so loud my neighbor knocked on the wall.
    +2 @kuro_neko_99: :_kusa:
hive fit1 fit2: next week i will show the new outfit. it is almost done, please wait a little more!
    -22 [fit1] @cloudy_days: when is the new outfit reveal?
    -12 [fit2] @aki_leaf: new outfit when??
read tofu1: how do you stay so positive all the time?
    -20 [tofu1] @tofu_master: how do u stay positive all the time
answer: honestly, i am not always positive. but talking with you guys really helps, so thank you.
    +3 @cloudy_days: ❤
read late2: kuro asked before, what is your favorite season?
    -64 [late2] @kuro_neko_99: what is your favorite season?
answer: oh, sorry, i scrolled past it! autumn, for sure. cozy sweaters and sweet potatoes.
hive hand1 hand2: and yes, i am left handed. that is why all my drawings lean to the left.
    -17 [hand1] @pixel_pan: are you left handed?
    -8 [hand2] @sakura_mist: lefty or righty?
read umi1: do you have any pets?
    -4 [umi1] @umi_wave: do you have any pets?
    -2 @bento_box: pets?
answer: no pets right now, but i really want a hamster. i would name him mochi.
hive end1 end2 end3: okay, i have to go eat breakfast now, so that is it for today's stream!
    -14 [end1] @bento_box: did you eat breakfast yet?
    -9 [end2] @pixel_pan: have you had breakfast
    -5 [end3] @sakura_mist: breakfast time?
talk: thank you for all the questions. see you next time, bye bye!
    +1 @gamer_goose: bye!!
    +2 @aki_leaf: otsu!
"""


@dataclass(frozen=True)
class Video:
    """One video of the channel: its metadata and script; `truth` writes ID.truth.json, `broken` cuts the chat."""

    video_id: str
    title: str
    description: str
    tags: list[str]
    started: datetime
    script: str
    seed: int
    out: Path
    truth: bool = False
    broken: bool = False
    listed_duration_s: float | None = None  # info.json's duration where the script is only the start of the stream
    categories: list[str] = field(default_factory=lambda: ["Entertainment"])


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


VIDEOS = [
    Video("mikaZatsu01", "【雑談】late night free talk with chat!!", "late night zatsu!! come hang out and ask me anything ✨\n\n#vtuber #zatsudan",
          ["zatsu", "free talk", "vtuber"], _utc(2024, 6, 14, 13, 0, 0), ZATSU_01, 1, DEMO_DIR, truth=True),
    Video("mikaSolo002", "drawing commissions and chilling", "working on commissions!! i won't read chat much today, sorry ;w;\n\n#art #vtuber",
          ["drawing", "art", "commissions"], _utc(2024, 6, 16, 11, 30, 0), SOLO_002, 2, DEMO_DIR),
    Video("mikaKaraok3", "【歌枠】karaoke night", "singing my favorite songs!! requests in chat 🎤", ["karaoke", "singing", "utawaku"],
          _utc(2024, 6, 22, 12, 0, 0), KARAOKE_3, 3, DEMO_DIR, categories=["Music"]),
    Video("mikaBroken4", "【雑談】morning chat before work", "quick morning chat!!", ["zatsu", "morning"],
          _utc(2024, 6, 25, 23, 0, 0), BROKEN_CHAT, 4, DEMO_DIR, broken=True, listed_duration_s=1834),
    Video("mikaZatsu05", "【雑談】sunday morning Q&A + chill chat", "ask me anything!! sunday morning edition ☀\n\n#zatsudan #qna",
          ["zatsu", "q&a", "vtuber"], _utc(2024, 7, 7, 1, 0, 0), ZATSU_05, 5, TEST_DIR, truth=True),
]


# --- the script parsed ----------------------------------------------------------------------


@dataclass(frozen=True)
class Chat:
    """One chat message: `offset_s` from the start of the line it is written under."""

    key: str | None
    offset_s: float
    author: str
    text: str
    flag: str | None  # "$5.00", "member", "owner", "mod" or None


@dataclass
class Line:
    kind: str  # talk, read, answer, hive, pause
    text: str = ""
    keys: list[str] = field(default_factory=list)
    chats: list[Chat] = field(default_factory=list)
    pause_s: float | None = None


_SPOKEN = re.compile(r"^(talk|read|answer|hive)((?:\s+\w+)*):\s+(.+)$")
_CHAT = re.compile(r"^\s+([+-]?\d+(?:\.\d+)?)\s+(?:\[(\w+)\]\s+)?(@\S+?)(?:\s+\(([^)]*)\))?:(?:\s+(.*))?$")


def parse_script(script: str) -> list[Line]:
    """The lines of a script, chat messages attached to the line above them. Raises ValueError on a line it cannot read."""
    lines: list[Line] = []
    for raw in script.strip("\n").splitlines():
        if m := _CHAT.match(raw):
            if not lines:
                raise ValueError(f"chat line {raw!r} before any line of Mika's")
            lines[-1].chats.append(Chat(m[2], float(m[1]), m[3], (m[5] or "").strip(), m[4]))
        elif m := _SPOKEN.match(raw):
            lines.append(Line(m[1], m[3].strip(), m[2].split()))
        elif raw.startswith("pause "):
            lines.append(Line("pause", pause_s=float(raw.split()[1])))
        elif raw.strip():
            raise ValueError(f"cannot read script line {raw!r}")
    return lines


# --- audio ----------------------------------------------------------------------------------


def speak(text: str, tmp: Path) -> np.ndarray:
    """espeak-ng's samples (int16, RATE Hz) for `text`, leading and trailing silence trimmed."""
    wav = tmp / "line.wav"
    subprocess.run(["espeak-ng", "-v", VOICE, "-s", str(WORDS_PER_MINUTE), "-w", str(wav), text], check=True)
    with wave.open(str(wav)) as w:
        assert w.getframerate() == RATE and w.getnchannels() == 1 and w.getsampwidth() == 2
        samples = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > SILENCE)
    return samples[loud[0] : loud[-1] + 1]


@dataclass(frozen=True)
class Utterance:
    start_s: float
    end_s: float
    text: str
    kind: str  # the script line's kind: talk, read, answer, hive
    keys: tuple[str, ...]


def render(lines: list[Line], seed: int, tmp: Path) -> tuple[np.ndarray, list[Utterance], list[tuple[float, Chat]]]:
    """The stream's audio, Mika's utterances timed on it, and each chat message with its time (seconds)."""
    rng = random.Random(seed)
    pieces: list[np.ndarray] = []
    at, previous, pause = 0, None, LEAD_IN_S  # at: samples so far
    utterances: list[Utterance] = []
    chats: list[tuple[float, Chat]] = []
    anchor_s = 0.0
    for line in lines:
        if line.kind == "pause":
            pause = line.pause_s
        else:
            if pause is None:
                low, high = PAUSES.get((previous, line.kind), PAUSE_BY_KIND[line.kind])
                pause = rng.uniform(low, high)
            gap = round(pause * RATE)
            pieces.append(np.zeros(gap, dtype="<i2"))
            speech = speak(line.text, tmp)
            pieces.append(speech)
            start, end = at + gap, at + gap + len(speech)
            at, previous, pause = end, line.kind, None
            utterances.append(Utterance(start / RATE, end / RATE, line.text, line.kind, tuple(line.keys)))
            anchor_s = start / RATE
        chats += [(anchor_s + c.offset_s, c) for c in line.chats]
    pieces.append(np.zeros(round(TAIL_S * RATE), dtype="<i2"))
    return np.concatenate(pieces), utterances, chats


def encode_opus(samples: np.ndarray, path: Path, tmp: Path) -> None:
    """Write `samples` as Ogg Opus, 16 kbit/s mono 16 kHz, bit-exact (same bytes on every run)."""
    wav = tmp / "stream.wav"
    with wave.open(str(wav), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(samples.tobytes())
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(wav), "-map_metadata", "-1", "-fflags", "+bitexact",
                    "-c:a", "libopus", "-b:a", "16k", "-ac", "1", "-ar", "16000", "-flags:a", "+bitexact", str(path)], check=True)


# --- auto-captions --------------------------------------------------------------------------


def caption_words(text: str, rng: random.Random) -> list[str]:
    """What YouTube's recognizer writes for `text`: lower case, no punctuation, a few words misheard or lost."""
    words = []
    for word in re.sub(r"[^a-z0-9' ]+", " ", text.lower()).split():
        word = word.strip("'")
        if word in MISHEARD and rng.random() < 0.5:
            words += MISHEARD[word].split()
        elif len(word) <= 3 and rng.random() < DROP_P:
            continue
        elif word:
            words.append(word)
    return words


def timed_words(u: Utterance, words: list[str]) -> list[tuple[float, str]]:
    """(start, word) for each word, spread over the utterance in proportion to the word's length."""
    weights = [len(w) + 1 for w in words]
    total, done, out = sum(weights), 0, []
    for w, weight in zip(words, weights):
        out.append((u.start_s + (u.end_s - u.start_s) * done / total, w))
        done += weight
    return out


def caption_lines(utterances: list[Utterance], rng: random.Random, max_chars: int = 38) -> list[tuple[list[tuple[float, str]], float]]:
    """The caption's lines: (timed words, end of speech), a line never spanning two utterances."""
    lines = []
    for u in utterances:
        words = timed_words(u, caption_words(u.text, rng))
        line: list[tuple[float, str]] = []
        for t, w in words:
            if line and len(" ".join(x for _, x in line + [(t, w)])) > max_chars:
                lines.append((line, t))
                line = []
            line.append((t, w))
        if line:
            lines.append((line, u.end_s))
    return lines


def _ts(seconds: float) -> str:
    ms = round(seconds * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def auto_vtt(utterances: list[Utterance], seed: int) -> str:
    """YouTube auto-captions as WebVTT: each line's word-timed cue (under the line before), then a 10 ms cue showing it done."""
    rng = random.Random(seed)
    out = ["WEBVTT\nKind: captions\nLanguage: en\n"]
    previous = " "
    lines = caption_lines(utterances, rng)
    for i, (words, speech_end) in enumerate(lines):
        start = words[0][0]
        next_start = lines[i + 1][0][0][0] if i + 1 < len(lines) else speech_end + 0.5
        end = max(min(next_start, speech_end + 0.3) - 0.01, start + 0.02)  # a gap ends the cue shortly after the speech
        timed = words[0][1] + "".join(f"<{_ts(t)}><c> {w}</c>" for t, w in words[1:])
        shown = " ".join(w for _, w in words)
        out.append(f"{_ts(start)} --> {_ts(end)} align:start position:0%\n{previous}\n{timed}\n")
        out.append(f"{_ts(end)} --> {_ts(end + 0.01)} align:start position:0%\n{shown}\n \n")
        previous = shown
    return "\n".join(out)


# --- live chat ------------------------------------------------------------------------------


def _b64(*parts: object, n: int) -> str:
    digest = hashlib.sha256("\0".join(map(str, parts)).encode()).digest()
    return "".join(B64[b % 64] for b in digest)[:n]


def message_id(video_id: str, index: int) -> str:
    """A chat message id shaped as YouTube's: base64 of a protobuf wrapping a 26-character key."""
    key = ("C" + _b64(video_id, index, n=25)).encode()
    return base64.b64encode(b"\n\x1c\n\x1a" + key).decode()


def channel_of(author: str) -> str:
    return "UC" + _b64("channel", author, n=22)


def _photo(author: str) -> dict:
    url = f"https://yt4.ggpht.com/ytc/{_b64('photo', author, n=40)}"
    return {"thumbnails": [{"url": f"{url}=s32-c-k-c0x00ffffff-no-rj", "width": 32, "height": 32},
                           {"url": f"{url}=s64-c-k-c0x00ffffff-no-rj", "width": 64, "height": 64}]}


def _runs(text: str) -> dict:
    """A message as YouTube's runs: text, custom emotes (:_name:) and emoji as emoji runs."""
    runs: list[dict] = []
    for part in re.split(r"(:_\w+:|[😂❤🌙])", text):
        if part in EMOTES:
            runs.append({"emoji": {"emojiId": EMOTES[part], "shortcuts": [part], "searchTerms": [part.strip(":_")],
                                   "image": {"thumbnails": [{"url": f"https://yt3.ggpht.com/{_b64('emote', part, n=32)}=w24-h24-c-k-nd",
                                                             "width": 24, "height": 24}],
                                             "accessibility": {"accessibilityData": {"label": part.strip(":")}}},
                                   "isCustomEmoji": True}})
        elif part in UNICODE_EMOJI:
            names = UNICODE_EMOJI[part]
            runs.append({"emoji": {"emojiId": part, "shortcuts": [f":{n}:" for n in names], "searchTerms": names,
                                   "image": {"thumbnails": [{"url": f"https://www.youtube.com/s/gaming/emoji/7ff574f2/emoji_u{ord(part):x}.svg"}],
                                             "accessibility": {"accessibilityData": {"label": names[0].replace("_", " ")}}}}})
        elif part:
            runs.append({"text": part})
    return {"runs": runs}


def _badge(flag: str | None) -> list[dict]:
    if flag not in ("owner", "mod"):
        return []
    icon, tip = ("OWNER", "Owner") if flag == "owner" else ("MODERATOR", "Moderator")
    return [{"liveChatAuthorBadgeRenderer": {"icon": {"iconType": icon}, "tooltip": tip,
                                             "accessibility": {"accessibilityData": {"label": tip}}}}]


def _clock(offset_ms: int) -> str:
    s = offset_ms // 1000
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


def chat_item(video: Video, index: int, chat: Chat, offset_ms: int, rng: random.Random) -> dict:
    """One message as yt-dlp's replay holds it: the renderer YouTube sent (text, super chat or membership)."""
    usec = int(video.started.timestamp()) * 1_000_000 + offset_ms * 1000 + rng.randrange(1000) + 1_500_000  # ~1.5 s stream delay
    common = {
        "id": message_id(video.video_id, index),
        "timestampUsec": str(usec),
        "authorName": {"simpleText": chat.author},
        "authorPhoto": _photo(chat.author),
        "authorExternalChannelId": CHANNEL_ID if chat.flag == "owner" else channel_of(chat.author),
        "timestampText": {"simpleText": _clock(offset_ms)},
        "contextMenuEndpoint": {"commandMetadata": {"webCommandMetadata": {"ignoreNavigation": True}},
                                "liveChatItemContextMenuEndpoint": {"params": _b64("menu", video.video_id, index, n=43)}},
        "contextMenuAccessibility": {"accessibilityData": {"label": "Chat actions"}},
        "trackingParams": "CAEQl98BIhMI" + _b64("tracking", video.video_id, index, n=24),
    }
    if chat.flag and chat.flag.startswith("$"):
        return {"liveChatPaidMessageRenderer": {
            **common, "purchaseAmountText": {"simpleText": chat.flag}, "message": _runs(chat.text),
            "headerBackgroundColor": 4278239141, "headerTextColor": 4278190080, "bodyBackgroundColor": 4280150454,
            "bodyTextColor": 4278190080, "authorNameTextColor": 2315255808, "timestampColor": 2147483648, "isV2Style": True}}
    if chat.flag == "member":
        return {"liveChatMembershipItemRenderer": {
            **common, "headerSubtext": {"runs": [{"text": "Welcome to "}, {"text": CHANNEL}, {"text": "!"}]},
            "authorBadges": [{"liveChatAuthorBadgeRenderer": {
                "customThumbnail": {"thumbnails": [{"url": f"https://yt3.ggpht.com/{_b64('badge', n=40)}=s16-c-k"},
                                                   {"url": f"https://yt3.ggpht.com/{_b64('badge', n=40)}=s32-c-k"}]},
                "tooltip": "New member", "accessibility": {"accessibilityData": {"label": "New member"}}}}]}}
    renderer = {**common, "message": _runs(chat.text)}
    if badges := _badge(chat.flag):
        renderer["authorBadges"] = badges
    return {"liveChatTextMessageRenderer": renderer}


def chat_lines(video: Video, chats: list[tuple[float, Chat]], duration_s: float) -> tuple[list[str], dict[str, str]]:
    """The live_chat.json lines (replay actions, time order) and each script key's message id."""
    rng = random.Random(video.seed * 7919)
    ordered = sorted(((min(max(t, 0.3), duration_s - 0.3), i, c) for i, (t, c) in enumerate(chats)), key=lambda x: (x[0], x[1]))
    engagement = {"liveChatViewerEngagementMessageRenderer": {
        "id": "ChwKGlJFUExBWV9WRU0" + _b64("engagement", video.video_id, n=20), "timestampUsec": str(int(video.started.timestamp()) * 1_000_000),
        "icon": {"iconType": "YOUTUBE_ROUND"},
        "message": {"runs": [{"text": "Chat replay is on. Messages that appeared when the stream was live will show up here."}]}}}
    lines = [_replay_line(video, "engagement", engagement, 0)]
    ids = {}
    for t, i, chat in ordered:
        offset_ms = round(t * 1000)
        lines.append(_replay_line(video, i, chat_item(video, i, chat, offset_ms, rng), offset_ms))
        if chat.key:
            ids[chat.key] = message_id(video.video_id, i)
    return lines, ids


def _replay_line(video: Video, index: object, item: dict, offset_ms: int) -> str:
    # yt-dlp writes each replay action as YouTube sent it, one per line (downloader/youtube_live_chat.py).
    action = {"clickTrackingParams": "CAEQl98BIhMI" + _b64("click", video.video_id, index, n=24),
              "replayChatItemAction": {"actions": [{"addChatItemAction": {"item": item}}], "videoOffsetTimeMsec": str(offset_ms)}}
    return json.dumps(action, ensure_ascii=False)


# --- info.json and truth --------------------------------------------------------------------


def info_json(video: Video, duration_s: float) -> dict:
    """yt-dlp's metadata of a finished live stream, with the auto-caption and live-chat entries it lists."""
    vid, url = video.video_id, f"https://www.youtube.com/watch?v={video.video_id}"
    start = int(video.started.timestamp())
    duration = round(duration_s)
    timedtext = f"https://www.youtube.com/api/timedtext?v={vid}&ei={_b64('ei', vid, n=22)}&caps=asr&opi=112496729&xoaf=5&hl=en&ip=0.0.0.0&ipbits=0&expire={EPOCH + 21600}&sparams=ip%2Cipbits%2Cexpire%2Cv%2Cei%2Ccaps%2Copi%2Cxoaf&signature={_b64('sig', vid, n=40)}&key=yt8&kind=asr&lang=en"
    auto = [{"ext": ext, "url": f"{timedtext}&fmt={ext}", "name": "English"} for ext in ("json3", "srv1", "srv2", "srv3", "ttml", "vtt")]
    live_chat = [{"url": f"https://www.youtube.com/live_chat_replay?continuation={_b64('continuation', vid, n=64)}", "video_id": vid,
                  "ext": "json", "protocol": "youtube_live_chat_replay"}]
    return {
        "id": vid, "title": video.title, "description": video.description,
        "channel": CHANNEL, "channel_id": CHANNEL_ID, "channel_url": f"https://www.youtube.com/channel/{CHANNEL_ID}",
        "channel_follower_count": 1240, "uploader": CHANNEL, "uploader_id": HANDLE, "uploader_url": f"https://www.youtube.com/{HANDLE}",
        "upload_date": video.started.strftime("%Y%m%d"), "timestamp": start + duration,
        "release_timestamp": start, "release_date": video.started.strftime("%Y%m%d"),
        "duration": duration, "duration_string": f"{duration // 60}:{duration % 60:02d}",
        "live_status": "was_live", "is_live": False, "was_live": True,
        "tags": video.tags, "categories": video.categories, "availability": "public", "age_limit": 0,
        "view_count": 180 + video.seed * 37, "like_count": 40 + video.seed * 5, "comment_count": None,
        "webpage_url": url, "original_url": url, "webpage_url_basename": "watch", "webpage_url_domain": "youtube.com",
        "thumbnail": f"https://i.ytimg.com/vi/{vid}/maxresdefault.jpg", "language": "en",
        "automatic_captions": {"en": auto}, "subtitles": {"live_chat": live_chat},
        "requested_subtitles": {"en": {"ext": "vtt", "url": f"{timedtext}&fmt=vtt", "name": "English"}, "live_chat": live_chat[0]},
        "extractor": "youtube", "extractor_key": "Youtube", "_type": "video", "playlist": None, "playlist_index": None,
        "display_id": vid, "fulltitle": video.title, "format_id": "251", "format": "251 - audio only (medium)",
        "ext": "opus", "acodec": "opus", "vcodec": "none",
        "epoch": EPOCH, "_version": {"version": "2024.05.27", "release_git_head": "12b248ce60be1aa1362edd839d915bba70dbee4b",
                                     "repository": "yt-dlp/yt-dlp"},
    }


def truth_json(utterances: list[Utterance], ids: dict[str, str]) -> dict:
    """The ground truth: each read with its answer, each hive answer with its messages, every utterance."""
    reads, hive = [], []
    for i, u in enumerate(utterances):
        if u.kind not in ("read", "hive"):
            continue
        answer = [u] if u.kind == "hive" else []
        for v in utterances[i + 1 :]:
            if v.kind != "answer":
                break
            answer.append(v)
        span = {"answer_start_s": round(answer[0].start_s, 3), "answer_end_s": round(answer[-1].end_s, 3),
                "answer_text": " ".join(a.text for a in answer)}
        if u.kind == "read":
            reads.append({"message_id": ids[u.keys[0]], "read_start_s": round(u.start_s, 3), "read_end_s": round(u.end_s, 3), **span})
        else:
            hive.append({"message_ids": [ids[k] for k in u.keys], **span})
    spoken = [{"start_s": round(u.start_s, 3), "end_s": round(u.end_s, 3), "text": u.text,
               "kind": "answer" if u.kind == "hive" else u.kind} for u in utterances]
    return {"reads": reads, "hive": hive, "utterances": spoken}


# --- writing --------------------------------------------------------------------------------


def write_video(video: Video, tmp: Path) -> dict:
    """Write one video's folder; return what was written: {path: bytes} and the script's counts."""
    folder = video.out / video.video_id
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    lines = parse_script(video.script)
    samples, utterances, chats = render(lines, video.seed, tmp)
    duration_s = len(samples) / RATE
    listed_s = video.listed_duration_s or duration_s
    files = {folder / f"{video.video_id}.info.json": json.dumps(info_json(video, listed_s), indent=2, ensure_ascii=False) + "\n"}
    chat, ids = chat_lines(video, chats, duration_s)
    if video.broken:
        cut = chat[-1][: len(chat[-1]) * 3 // 5]  # the download stopped mid-line
        files[folder / f"{video.video_id}.live_chat.json"] = "\n".join(chat[:-1] + [cut])
    else:
        files[folder / f"{video.video_id}.live_chat.json"] = "\n".join(chat) + "\n"
        files[folder / f"{video.video_id}.en.vtt"] = auto_vtt(utterances, video.seed)
        encode_opus(samples, folder / f"{video.video_id}.opus", tmp)
    if video.truth:
        files[folder / f"{video.video_id}.truth.json"] = json.dumps(truth_json(utterances, ids), indent=2, ensure_ascii=False) + "\n"
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
    keys = {k for u in utterances for k in u.keys}
    read = sum(u.kind == "read" for u in utterances)
    return {"video": video, "duration_s": duration_s, "chat": len(chats), "reads": read, "hive": sum(u.kind == "hive" for u in utterances),
            "hive_messages": len(keys) - read, "distractors": len(chats) - len(keys), "folder": folder}


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="chatclone-demo-channel-") as tmp:
        results = [write_video(v, Path(tmp)) for v in VIDEOS]
    for r in results:
        print(f"{r['folder'].relative_to(REPO)}  {r['duration_s']:6.1f} s  {r['chat']:3d} chat messages: {r['reads']} read, "
              f"{r['hive']} hive answers to {r['hive_messages']} messages, {r['distractors']} others")
        for path in sorted(r["folder"].iterdir()):
            print(f"    {path.stat().st_size:8,d}  {path.name}")


if __name__ == "__main__":
    main()
