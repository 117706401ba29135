import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chatclone.classify import classify, classify_videos, compile_rules, load_overrides
from chatclone.config import CATEGORIES, Classify
from chatclone.errors import ConfigError
from chatclone.warehouse import Warehouse

RULES = compile_rules(Classify())


def video(**fields) -> dict:
    """A videos row that loaded and fetched fine, with subtitles and chat; `fields` replace columns."""
    row = {
        "video_id": "vid00000001", "title": "", "tags": [], "categories": [], "status": "loaded", "attempts": 0,
        "fetch_status": "complete", "fetch_attempts": 0, "fetch_error": None,
        "has_auto_subs": True, "has_manual_subs": False, "has_live_chat": True,
    }
    row.update(fields)
    return row


def category_of(rules=RULES, overrides=None, **fields) -> str:
    return classify(video(**fields), rules, overrides or {})[0]


# --- keywords


@pytest.mark.parametrize("title, expected", [
    ("【歌枠】夜のまったり歌枠 / karaoke", "ignore"),
    ("Karaoke night!!", "ignore"),
    ("【コラボ】先輩と一緒に", "ignore"),
    ("WATCHALONG: the finale", "ignore"),
    ("watch-along with chat", "ignore"),
    ("【雑談】最近あったこと", "zatsu"),
    ("Just Chatting about my week", "zatsu"),
    ("free talk before bed", "zatsu"),
    ("#freetalk ramble", "zatsu"),
    ("【ASMR】ear cleaning", "solo"),
    ("【マイクラ】拠点づくり", "solo"),
])
def test_default_keywords_sort_titles_in_english_and_japanese(title, expected):
    assert category_of(title=title) == expected


def test_a_tag_decides_when_the_title_says_nothing():
    assert classify(video(title="tonight!", tags=["vtuber", "雑談"]), RULES, {}) == ("zatsu", "tag matches '雑談' (zatsu)")


def test_a_youtube_category_decides_when_title_and_tags_say_nothing():
    rules = compile_rules(Classify(ignore=["music"]))
    assert classify(video(title="tonight!", categories=["Music"]), rules, {}) == ("ignore", "category matches 'music' (ignore)")


def test_the_reason_names_the_field_and_keyword():
    assert classify(video(title="KARAOKE 3 hours"), RULES, {}) == ("ignore", "title matches 'karaoke' (ignore)")


def test_full_width_latin_matches_like_ascii():
    assert category_of(title="【ＫＡＲＡＯＫＥ】") == "ignore"


@pytest.mark.parametrize("title", [
    "trip to singapore", "the reactor is melting", "shopping on amazon", "Minecraft hardcore", "my software setup",
    "a coverage report", "feather collecting",
])
def test_latin_keywords_do_not_match_inside_other_words(title):
    assert category_of(title=title) == "solo"


@pytest.mark.parametrize("title, expected", [
    ("Minecraftやる", "solo"),
    ("mario kart w/ friends", "ignore"),
    ("mario kart w/friends", "ignore"),
    ("Q&A: your questions", "zatsu"),
    ("big Ｑ＆Ａ stream", "zatsu"),
    ("new song ft. a friend", "ignore"),
    ("let me sing!", "ignore"),
])
def test_keywords_match_next_to_punctuation_and_other_scripts(title, expected):
    assert category_of(title=title) == expected


def test_the_reason_names_the_longest_keyword_that_matched():
    assert classify(video(title="zatsudan time"), RULES, {})[1] == "title matches 'zatsudan' (zatsu)"
    assert classify(video(title="reacting to clips"), RULES, {})[1] == "title matches 'reacting' (ignore)"


def test_a_keyword_does_not_span_two_tags():
    rules = compile_rules(Classify(ignore=["watch along"]))
    assert category_of(rules, tags=["watch", "along"]) == "solo"


def test_ignore_wins_over_zatsu_and_zatsu_over_solo():
    assert category_of(title="【コラボ雑談】") == "ignore"
    assert category_of(title="zatsu while drawing") == "zatsu"


def test_no_keyword_gives_the_configured_default():
    assert classify(video(title="hello"), RULES, {}) == ("solo", "no keyword matched: default solo")
    assert classify(video(title="hello"), compile_rules(Classify(default="zatsu")), {}) == ("zatsu", "no keyword matched: default zatsu")


def test_keyword_lists_are_configurable_and_blank_keywords_match_nothing():
    rules = compile_rules(Classify(ignore=["", "  "], zatsu=["ramble"], solo=[]))
    assert category_of(rules, title="late night ramble") == "zatsu"
    assert category_of(rules, title="karaoke") == "solo"


# --- broken


def test_a_file_that_failed_to_parse_is_broken():
    assert classify(video(status="broken", attempts=1), RULES, {}) == ("broken", "failed to parse (1 failed import)")


def test_an_incomplete_or_failed_fetch_is_broken():
    incomplete = video(fetch_status="incomplete", fetch_attempts=2, fetch_error="live chat missing")
    assert classify(incomplete, RULES, {}) == ("broken", "fetch incomplete: live chat missing (2 failed fetches)")
    assert classify(video(fetch_status="failed", fetch_attempts=3), RULES, {}) == ("broken", "fetch failed (3 failed fetches)")
    assert classify(video(fetch_status="incomplete", fetch_attempts=0), RULES, {}) == ("broken", "fetch incomplete")


def test_a_video_with_no_subtitles_and_no_chat_is_broken():
    bare = video(title="雑談", has_auto_subs=False, has_manual_subs=None, has_live_chat=False)
    assert classify(bare, RULES, {}) == ("broken", "no subtitles or chat")


def test_subtitles_without_chat_are_enough():
    assert category_of(title="雑談", has_auto_subs=False, has_manual_subs=True, has_live_chat=False) == "zatsu"


def test_broken_wins_over_keywords():
    assert category_of(title="karaoke", status="broken") == "broken"


# --- overrides


def test_an_override_beats_keywords_and_broken():
    overrides = {"vid00000001": ("zatsu", "override in video_overrides.toml")}
    assert classify(video(title="karaoke", status="broken"), RULES, overrides) == ("zatsu", "override in video_overrides.toml")


def test_override_file_takes_plain_and_table_values(tmp_path):
    path = tmp_path / "video_overrides.toml"
    path.write_text('dQw4w9WgXcQ = "zatsu"\n"-abc_DEF.1" = { category = "ignore", reason = "guest from 40:00" }\n'
                    'x2 = { category = "broken" }\n', encoding="utf-8")
    assert load_overrides(path) == {
        "dQw4w9WgXcQ": ("zatsu", "override in video_overrides.toml"),
        "-abc_DEF.1": ("ignore", "guest from 40:00"),
        "x2": ("broken", "override in video_overrides.toml"),
    }


def test_an_absent_override_file_is_no_overrides(tmp_path):
    assert load_overrides(tmp_path / "video_overrides.toml") == {}


@pytest.mark.parametrize("text, message", [
    ("abc = ", "not a readable TOML file"),
    ('abc = "karaoke"', "key 'abc': unknown category 'karaoke'"),
    ("abc = 3", "key 'abc': expected a category"),
    ('abc = { reason = "x" }', "key 'abc': expected a category"),
    ('abc = { category = "solo", reason = 1 }', "key 'abc': reason must be a string"),
    ('abc = { category = "solo", why = "x" }', "key 'abc': unknown field 'why'"),
])
def test_a_bad_override_file_is_a_one_line_error_naming_it(tmp_path, text, message):
    path = tmp_path / "video_overrides.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as error:
        load_overrides(path)
    assert str(error.value).startswith(f"{path}: ") and "\n" not in str(error.value)


# --- properties and speed


@given(
    title=st.one_of(st.none(), st.text()),
    tags=st.one_of(st.none(), st.lists(st.one_of(st.none(), st.text()), max_size=5)),
    categories=st.one_of(st.none(), st.lists(st.text(), max_size=3)),
    status=st.sampled_from(["loaded", "broken", None]),
    fetch_status=st.sampled_from(["complete", "incomplete", "failed", None]),
    flags=st.tuples(st.booleans() | st.none(), st.booleans() | st.none(), st.booleans() | st.none()),
)
def test_classify_never_raises_and_returns_a_category(title, tags, categories, status, fetch_status, flags):
    row = video(title=title, tags=tags, categories=categories, status=status, fetch_status=fetch_status,
                has_auto_subs=flags[0], has_manual_subs=flags[1], has_live_chat=flags[2])
    category, reason = classify(row, RULES, {})
    assert category in CATEGORIES and reason


def test_thousands_of_videos_classify_in_well_under_a_second():
    rows = [video(video_id=f"v{i}", title=f"stream {i}: cooking and talking about the week", tags=["vtuber", "live", "jp"])
            for i in range(5000)]
    start = time.perf_counter()
    for row in rows:
        classify(row, RULES, {})
    assert time.perf_counter() - start < 1.0


# --- the warehouse


@pytest.fixture
def wh(tmp_path):
    with Warehouse(tmp_path / "w.duckdb") as wh:
        wh.execute("""
            INSERT INTO videos (video_id, title, tags, categories, status, attempts, fetch_status, fetch_attempts, fetch_error,
                                has_auto_subs, has_manual_subs, has_live_chat) VALUES
            ('z1', '【雑談】おはよう', [], ['Entertainment'], 'loaded', 0, 'complete', 0, NULL, true, false, true),
            ('k1', 'karaoke night', ['music'], [], 'loaded', 0, 'complete', 0, NULL, true, false, true),
            ('s1', 'cooking', NULL, NULL, 'loaded', 0, NULL, 0, NULL, false, true, false),
            ('b1', 'free talk', [], [], 'broken', 2, 'complete', 0, NULL, true, false, true),
            ('b2', 'free talk', [], [], 'loaded', 0, 'incomplete', 1, 'no live chat yet', true, false, false),
            ('o1', 'karaoke', [], [], 'loaded', 0, 'complete', 0, NULL, true, false, true)
        """)
        yield wh


def categories_in(wh) -> dict[str, tuple[str, str]]:
    return {r[0]: (r[1], r[2]) for r in wh.execute("SELECT video_id, category, category_reason FROM videos").fetchall()}


def test_classify_videos_stores_each_category_and_returns_counts(wh, tmp_path):
    overrides = tmp_path / "video_overrides.toml"
    overrides.write_text('o1 = "zatsu"\nnot_in_warehouse = "ignore"\n', encoding="utf-8")
    counts = classify_videos(wh, Classify(), overrides)
    assert counts == {"zatsu": 2, "solo": 1, "ignore": 1, "broken": 2}
    assert categories_in(wh) == {
        "z1": ("zatsu", "title matches '雑談' (zatsu)"),
        "k1": ("ignore", "title matches 'karaoke' (ignore)"),
        "s1": ("solo", "no keyword matched: default solo"),
        "b1": ("broken", "failed to parse (2 failed imports)"),
        "b2": ("broken", "fetch incomplete: no live chat yet (1 failed fetch)"),
        "o1": ("zatsu", "override in video_overrides.toml"),
    }


def test_classifying_twice_gives_the_same_result(wh, tmp_path):
    first = classify_videos(wh, Classify(), tmp_path / "absent.toml")
    stored = categories_in(wh)
    assert classify_videos(wh, Classify(), tmp_path / "absent.toml") == first
    assert categories_in(wh) == stored


def test_a_changed_config_reclassifies_stored_videos(wh, tmp_path):
    classify_videos(wh, Classify(), tmp_path / "absent.toml")
    classify_videos(wh, Classify(default="zatsu"), tmp_path / "absent.toml")
    assert categories_in(wh)["s1"] == ("zatsu", "no keyword matched: default zatsu")


def test_an_empty_warehouse_classifies_nothing(tmp_path):
    with Warehouse(tmp_path / "empty.duckdb") as wh:
        assert classify_videos(wh, Classify(), tmp_path / "absent.toml") == {c: 0 for c in CATEGORIES}
