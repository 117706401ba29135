"""The persona config: one pydantic model, loaded from persona.toml and validated once.

Every other module takes a `PersonaConfig` (or one of its parts); nothing reads
persona.toml or the environment on its own.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from chatclone.errors import ConfigError

CONFIG_FILE = "persona.toml"
IMPORT_FORMATS = ("discord", "messenger", "telegram", "twitch", "whatsapp", "youtube-dir")
CATEGORIES = ("zatsu", "solo", "ignore", "broken")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Speaker(_Strict):
    """A target speaker: the person being cloned, under every name and id they appear with."""

    name: str = Field(min_length=1)
    ids: list[str] = []
    aliases: list[str] = []

    def names(self) -> list[str]:
        """Lower-cased display names this speaker is matched by (name and aliases)."""
        return [n.casefold() for n in [self.name, *self.aliases]]


class ExportSource(_Strict):
    """A chat export to import when `chatclone import` is given no paths."""

    format: Literal["discord", "messenger", "twitch", "telegram", "whatsapp", "youtube-dir"]
    path: str


class Sources(_Strict):
    youtube_channels: list[str] = Field([], description="channel or playlist URLs (YouTube, Twitch) `ingest youtube` fetches")
    exports: list[ExportSource] = []


class YouTube(_Strict):
    """[youtube]: how `chatclone ingest youtube` fetches the channels' VODs."""

    languages: list[str] = Field(["en"], description="subtitle languages to fetch (yt-dlp codes, e.g. en, ja, en-orig)")
    audio: bool = Field(False, description="also fetch the audio only (bestaudio), for Whisper")
    cookies_file: str = Field("", description="a Netscape cookies.txt for yt-dlp; never logged")
    concurrency: int = Field(2, ge=1, le=16, description="VODs fetched at once")
    sleep_seconds: float = Field(1.0, ge=0, description="pause between requests to the site")
    retries: int = Field(3, ge=0, description="retries of a failed request, with backoff")
    max_failures: int = Field(3, ge=1, description="after this many failed fetches a VOD is no longer retried")
    stop_after_known: int = Field(10, ge=1, description="listing stops after this many complete VODs in a row")
    chat_fallback: bool = Field(True, description="use chat-downloader where yt-dlp has no live-chat replay (and for Twitch)")


class Classify(_Strict):
    """[classify]: which VODs are mined for pairs (zatsu), kept as transcripts (solo) or ignored.

    Keywords are matched case-insensitively in the title, tags and categories; Latin words
    match whole words, other scripts anywhere. The first rule that matches wins, in the order
    override file, ignore, zatsu, solo, then `default`.
    """

    ignore: list[str] = [
        "karaoke", "歌枠", "singing", "sing", "歌ってみた", "うたわく", "collab", "コラボ", "feat", "ft", "w/", "guest",
        "react", "reacts", "reaction", "reacting", "watchalong", "watch along", "同時視聴", "mv", "cover", "concert",
        "story mode", "playthrough", "walkthrough", "visual novel", "ストーリー", "朗読", "読み聞かせ",
    ]
    zatsu: list[str] = [
        "zatsu", "zatsudan", "雑談", "just chatting", "free talk", "フリートーク", "chatting", "chat stream", "q&a",
        "qna", "ask me anything", "ama", "superchat reading", "スパチャ読み", "マシュマロ", "marshmallow", "morning chat", "朝活",
    ]
    solo: list[str] = ["asmr", "study with me", "作業", "drawing", "お絵描き", "minecraft", "マイクラ"]
    default: Literal["solo", "zatsu", "ignore"] = "solo"
    overrides: str = Field("video_overrides.toml", description="per-video categories: `VIDEO_ID = \"zatsu\"` lines")


class Transcribe(_Strict):
    """[transcribe]: re-transcription of VOD audio with faster-whisper (`chatclone transcribe`)."""

    model: str = Field("bundled:tiny.en", description="bundled:tiny.en (offline), a faster-whisper model name, or a local CTranslate2 folder")
    device: Literal["auto", "cpu", "cuda"] = "auto"
    compute_type: str = Field("auto", description="auto: float16 on CUDA, int8 on CPU; or any CTranslate2 compute type")
    language: str = Field("en", description="spoken language code; empty: detected per VOD")
    vad_filter: bool = Field(True, description="skip silence with Silero VAD")
    batched: bool = Field(True, description="BatchedInferencePipeline (faster on long audio; see docs/benchmarks.md)")
    batch_size: int = Field(8, ge=1)
    beam_size: int = Field(5, ge=1)
    cpu_threads: int = Field(0, ge=0, description="0: every core")
    concurrency: int = Field(1, ge=1, le=8, description="VODs transcribed at once (one model, shared)")
    prefer: list[Literal["whisper", "manual", "auto"]] = Field(
        ["whisper", "manual", "auto"], min_length=1, description="which transcript mining uses: the first one a VOD has")


class Mining(_Strict):
    """[mining]: turning zatsu streams into (chat -> streamer's answer) pairs."""

    phrase_pause_s: float = Field(0.4, gt=0, description="a pause this long starts a phrase (where a read may start)")
    turn_pause_s: float = Field(1.2, gt=0, description="a pause this long starts a speech turn (where an unread answer may start)")
    read_back_s: float = Field(90.0, ge=0, description="a read message arrived at most this long before the phrase ...")
    read_ahead_s: float = Field(3.0, ge=0, description="... or this long after its start (chat replay timing noise)")
    min_read_words: int = Field(3, ge=1, description="shorter messages are not matched against speech")
    min_read_score: float = Field(0.6, ge=0, le=1.2)
    probe_min_letters: int = Field(5, ge=1, description="a message is scored against a phrase only if two of its words this long "
                                   "(its longest, where it has none) are among the phrase's first probe_span_words words")
    probe_span_words: int = Field(16, ge=1, description="and a read is looked for in these words (plus a lead-in)")
    answer_pause_s: float = Field(1.5, gt=0, description="a pause this long ends an answer")
    answer_max_s: float = Field(45.0, gt=0)
    min_answer_words: int = Field(3, ge=1)
    hive: bool = Field(True, description="merge the chat before unread answers into one prompt")
    hive_window_s: float = Field(25.0, gt=0)
    hive_max_messages: int = Field(4, ge=1)


class Audience(_Strict):
    """[audience]: a model of a stream's chat (chat that talks like chat), trained with `chatclone train --stage audience`."""

    categories: list[Literal["zatsu", "solo", "ignore", "broken"]] = Field(["zatsu"], min_length=1, description="VODs whose chat is learnt")
    context_lines: int = Field(6, ge=0, le=50, description="chat lines before a message given as its context (0: none)")
    context_s: float = Field(30.0, ge=0, description="... sent at most this long before it")
    speech_words: int = Field(24, ge=0, le=200, description="the streamer's last words given as context (0: none)")
    speech_s: float = Field(15.0, ge=0, description="... spoken at most this long before the message")
    emote_min_count: int = Field(5, ge=1, description="an emote used this often becomes one token of its own")
    max_emote_tokens: int = Field(300, ge=0, description="at most this many emotes are added to the tokenizer (0: none)")
    lines: int = Field(5, ge=1, le=50, description="chat lines `chatclone chat --audience` writes for each streamer line")
    system_prompt: str = Field("", description="default: \"You are the live chat of NAME's stream. Write one chat message.\"")


class Segmentation(_Strict):
    gap_minutes: float = Field(10.0, gt=0, description="a silence this long starts a new conversation")
    turn_merge_minutes: float = Field(5.0, ge=0, description="one author's messages this close form one turn")
    reply_join_hours: float = Field(6.0, ge=0, description="a reply to a message this recent continues its conversation")


class Cleaning(_Strict):
    drop_bots: bool = True
    drop_single_pings: bool = True
    drop_non_responses: bool = True
    non_responses: list[str] = Field(
        default=[
            "l+o+l+", "lm+f*a+o+", "rofl+", "g+", "xd+", "k+", "o?k+a*y*",
            "(ha|he|hi|ja|je|ks|rs)+h?", "w+o+w+", "bruh+", "omg+", "ikr", "same", "true",
            "nice+", "ye+s*", "ye+a+h*", "ya+", "yu+p+", "ye+p+", "no+", "nah+", "hm+", "oh+",
            "f", "w", "l", "rip", "wtf+", "lul+", "kek+w*", "pog+(gers)?",
        ],
        description="regexes, each a full match on the message lower-cased with only letters and digits kept",
    )
    drop_enders: bool = True
    enders: list[str] = Field(
        default=[
            "gtg", "g2g", "got+a go", "have to go", "going to (sleep|bed)", "off to (sleep|bed)",
            "cya+", "see (ya|you)( later| tomorrow)?", "good ?night", "gn+", "nighty? ?night",
            "brb", "bye+", "ttyl", "heading out", "i'?m off", "catch (you|ya) later",
        ],
        description="regexes searched (word-bounded) in short messages that end a conversation",
    )
    ender_max_chars: int = Field(40, ge=1)
    drop_low_quality_conversations: bool = True
    min_conversation_messages: int = Field(5, ge=1)
    min_longest_message_chars: int = Field(30, ge=0)
    strip_mentions: bool = True
    placeholders: bool = True
    scrub_pii: bool = True


class Split(_Strict):
    train: float = Field(0.9, ge=0)
    val: float = Field(0.05, ge=0)
    test: float = Field(0.05, ge=0)

    @model_validator(mode="after")
    def _sums_to_one(self) -> "Split":
        total = self.train + self.val + self.test
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"train + val + test must be 1.0, got {total:g}")
        return self


class Export(_Strict):
    max_turns_per_example: int = Field(24, ge=2)
    min_assistant_turns: int = Field(1, ge=1)
    cpt_document_tokens: int = Field(512, ge=16, description="solo-stream transcripts are cut into documents of about this many tokens")


class Train(_Strict):
    """[train]: the fine-tuning recipe. Every field is logged to MLflow as a parameter."""

    base_model: str = "bundled:smollm2-135m"
    model_cache: str = "~/.cache/chatclone/models"
    stage: Literal["cpt", "sft", "both"] = "sft"
    quantization: Literal["auto", "none", "4bit"] = "auto"  # auto: 4-bit on CUDA, none on CPU
    max_length: int = Field(512, ge=16)
    packing: bool = True
    epochs: float = Field(3.0, gt=0)
    max_steps: int = Field(-1, description="> 0 overrides epochs")
    batch_size: int = Field(4, ge=1)
    gradient_accumulation_steps: int = Field(1, ge=1)
    learning_rate: float = Field(2e-4, gt=0)
    cpt_learning_rate: float = Field(1e-4, gt=0)
    warmup_ratio: float = Field(0.05, ge=0, lt=1)
    weight_decay: float = Field(0.0, ge=0)
    lora_r: int = Field(16, ge=1)
    lora_alpha: int = Field(32, ge=1)
    lora_dropout: float = Field(0.05, ge=0, lt=1)
    target_modules: str | list[str] = "all-linear"
    gradient_checkpointing: bool = True
    logging_steps: int = Field(5, ge=1)
    eval_steps: int = Field(25, ge=1)
    save_steps: int = Field(25, ge=1)
    early_stopping_patience: int = Field(0, ge=0, description="0 = off; else evaluations without improvement")


class Generation(_Strict):
    """[generation]: how the double writes when it talks."""

    temperature: float = Field(0.8, ge=0)
    top_p: float = Field(0.9, gt=0, le=1)
    top_k: int = Field(50, ge=0)
    repetition_penalty: float = Field(1.1, gt=0)
    max_new_tokens: int = Field(160, ge=1)
    cpu_int8: bool = Field(True, description="on CPU, serve with int8 dynamic quantization of the linear layers but down_proj (faster replies)")


class Scenario(_Strict):
    """One [[eval.scenarios]] entry: a short conversation replayed message by message, the double answering each."""

    name: str = Field(min_length=1)
    messages: list[str] = Field(min_length=1)


DEFAULT_SCENARIOS = [
    Scenario(name="introduction", messages=["hi! i don't think we've talked before", "who are you, what do you do?"]),
    Scenario(name="small talk", messages=["morning! how are you today?", "any plans for the weekend?"]),
    Scenario(name="discussion", messages=["hot take: pineapple belongs on pizza", "why do you think so?",
                                          "but what about people who hate sweet and salty together?"]),
    Scenario(name="stream question", messages=["when is your next stream?", "what are you going to play?"]),
    Scenario(name="rude message", messages=["your streams are boring and you're not funny", "why do you even bother"]),
]


class Eval(_Strict):
    """[eval]: the persona metrics of `chatclone eval`: reply ranking, style score, authorship, scenarios (chatclone/persona_metrics)."""

    prompts: int = Field(60, ge=1, description="held-out persona replies evaluated at most (a seeded sample, in file order)")
    distractors: int = Field(7, ge=1, description="k: other replies the real one is ranked against")
    distractor_source: Literal["mixed", "others", "persona"] = Field(
        "mixed", description="distractors: other speakers' lines, the person's replies to other prompts, or half of each")
    ranking_score: Literal["pmi", "likelihood"] = Field(
        "pmi", description="likelihood: log-probability per token given the context; pmi: minus the same without context")
    seed: int = Field(0, ge=0, description="seeds the prompt sample, the distractors, the sampling and the style calibration")
    temperature: float = Field(0.7, ge=0, description="sampling temperature of the generated replies; 0: greedy")
    top_p: float = Field(0.9, gt=0, le=1)
    max_new_tokens: int = Field(60, ge=1, description="longest generated reply, in tokens")
    after_training: bool = Field(True, description="`chatclone train` runs the persona metrics too (false: perplexity only)")
    scenarios: list[Scenario] = Field(DEFAULT_SCENARIOS, description="conversations replayed with base and tuned; transcripts saved")


class Serve(_Strict):
    """[serve]: the OpenAI-compatible API (`chatclone serve`)."""

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    api_key_env: str = Field("CHATCLONE_API_KEY", description="environment variable holding the bearer key; unset: no key needed")
    max_waiting: int = Field(16, ge=1, description="requests queued or generating at once; more get 429")


class BotSettings(_Strict):
    """[bot]: how `chatclone bot discord` talks in a server."""

    token_env: str = Field("DISCORD_TOKEN", min_length=1, description="environment variable holding the bot token")
    secrets_file: str = Field("", description="a TOML file with discord_token = \"...\" (keep it outside the repository); "
                              "used when the environment variable is unset")
    history_messages: int = Field(20, ge=1, le=100, description="recent channel messages read as the reply's context")
    dms: bool = Field(True, description="answer direct messages")
    rate_limit_messages: int = Field(5, ge=1, description="replies one user may get ...")
    rate_limit_seconds: float = Field(60.0, gt=0, description="... within this many seconds")
    test_max_messages: int = Field(10, ge=1, le=25, description="messages /test replays at most")
    state_dir: str = Field("bot", description="permissions.json and channels.json, relative to the workspace")


class PersonaConfig(_Strict):
    """The whole of persona.toml."""

    name: str = Field(min_length=1)
    speakers: list[Speaker]
    system_prompt: str = ""
    seed: int = 42
    sources: Sources = Sources()
    youtube: YouTube = YouTube()
    classify: Classify = Classify()
    transcribe: Transcribe = Transcribe()
    mining: Mining = Mining()
    audience: Audience = Audience()
    segmentation: Segmentation = Segmentation()
    cleaning: Cleaning = Cleaning()
    split: Split = Split()
    export: Export = Export()
    train: Train = Train()
    generation: Generation = Generation()
    eval: Eval = Eval()
    serve: Serve = Serve()
    bot: BotSettings = BotSettings()

    @field_validator("speakers")
    @classmethod
    def _at_least_one_speaker(cls, speakers: list[Speaker]) -> list[Speaker]:
        if not speakers:
            raise ValueError("at least one target speaker is required ([[speakers]] name = ...)")
        return speakers

    def speaker_ids(self) -> list[str]:
        """Every author id that marks a target speaker."""
        return [i for s in self.speakers for i in s.ids]

    def speaker_names(self) -> list[str]:
        """Every lower-cased display name or alias that marks a target speaker."""
        return [n for s in self.speakers for n in s.names()]

    def resolved_system_prompt(self) -> str:
        """The configured system prompt, or a default one naming the persona."""
        return self.system_prompt or f"You are {self.name}. Reply the way {self.name} does in chat."


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    key = ".".join(str(p) for p in first["loc"]) or "(top level)"
    if first["type"] == "extra_forbidden":
        return f"unknown key '{key}'"
    if first["type"] == "missing":
        return f"missing key '{key}'"
    message = first["msg"].removeprefix("Value error, ")
    return f"key '{key}': {message}"


def parse_config(data: dict, path: Path | str = CONFIG_FILE) -> PersonaConfig:
    """Validate a dict shaped like persona.toml; raise ConfigError naming the file and key."""
    try:
        return PersonaConfig.model_validate(data)
    except ValidationError as e:
        raise ConfigError(f"{path}: {_describe(e)}") from None


def load_config(path: Path) -> PersonaConfig:
    """Read and validate persona.toml at `path`; raise ConfigError if missing or invalid."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: not found; create a workspace with `chatclone init NAME --speaker NAME`") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML: {e}") from None
    return parse_config(data, path)
