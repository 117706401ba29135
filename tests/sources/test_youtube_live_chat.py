"""yt-dlp live_chat.json parsing, on tests/data/youtube/live_chat.json (the 19 real actions, one per line)."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from chatclone.errors import SourceError
from chatclone.sources.youtube_live_chat import parse_amount, parse_live_chat


@pytest.fixture(scope="session")
def live_chat(test_data):
    return test_data / "youtube" / "live_chat.json"


@pytest.fixture(scope="session")
def actions(live_chat):
    """The real actions of the sample, in order."""
    return [json.loads(line)["replayChatItemAction"]["actions"][0] for line in live_chat.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def write_chat(tmp_path):
    """write_chat(actions) -> Path: a live_chat.json with one action per line, 1 s apart."""

    def write(actions, name: str = "live_chat.json"):
        path = tmp_path / name
        lines = [json.dumps({"replayChatItemAction": {"actions": [a], "videoOffsetTimeMsec": str(1000 * i)}}) for i, a in enumerate(actions)]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    return write


def _added(renderer_name: str, renderer: dict) -> dict:
    return {"addChatItemAction": {"item": {renderer_name: renderer}}}


def _text_message(**fields) -> dict:
    renderer = {"id": "m1", "timestampUsec": "1608118971079695", "authorExternalChannelId": "UC1", "authorName": {"simpleText": "ann"},
                "message": {"runs": [{"text": "hi"}]}} | fields
    return _added("liveChatTextMessageRenderer", renderer)


def test_sample_yields_only_the_text_message_membership_and_sticker(live_chat):
    events = list(parse_live_chat(live_chat, Counter()))

    assert [e.kind for e in events] == ["text", "membership", "sticker"]


def test_text_message_has_offset_wall_clock_author_and_text(live_chat):
    event = next(parse_live_chat(live_chat, Counter()))

    assert event.t_s == 1.0
    assert event.ts_usec == 1608118971079695
    assert (event.author_id, event.author_name) == ("UCoVFvNv-7cuHNC9v_XKEXhA", "Naruto Uzumaki")
    assert event.text == "Consistency Level ASL ❤️"


def test_super_sticker_has_amount_and_currency(live_chat):
    sticker = [e for e in parse_live_chat(live_chat, Counter()) if e.kind == "sticker"][0]

    assert (sticker.author_name, sticker.amount, sticker.currency) == ("Kenley", 9.99, "USD")


def test_everything_but_chat_is_counted_as_skipped(live_chat):
    skipped = Counter()
    list(parse_live_chat(live_chat, skipped))

    assert sum(skipped.values()) == 16
    assert skipped["addLiveChatTickerItemAction"] == 3
    assert skipped["liveChatPlaceholderItemRenderer"] == 2  # replacements that are placeholders
    assert skipped["updateLiveChatPollAction"] == 1
    assert skipped["liveChatModeChangeMessageRenderer"] == 1


def test_super_chat_is_paid_with_its_message_and_amount(actions, write_chat):
    # The sample's super chat sits inside a ticker; YouTube adds the same renderer to the chat.
    ticker = actions[11]["addLiveChatTickerItemAction"]["item"]["liveChatTickerPaidMessageItemRenderer"]
    renderer = ticker["showItemEndpoint"]["showLiveChatItemEndpoint"]["renderer"]["liveChatPaidMessageRenderer"]

    [event] = parse_live_chat(write_chat([_added("liveChatPaidMessageRenderer", renderer)]), Counter())

    assert (event.kind, event.author_name, event.amount, event.currency) == ("paid", "Kelly McDowell", 10.0, "USD")
    assert "TECHNO SUPPORT" in event.text


def test_owner_badge_sets_is_owner(actions, write_chat):
    banner = actions[14]["addBannerToLiveChatCommand"]["bannerRenderer"]["liveChatBannerRenderer"]["contents"]

    [event] = parse_live_chat(write_chat([_added("liveChatTextMessageRenderer", banner["liveChatTextMessageRenderer"])]), Counter())

    assert event.is_owner and not event.is_moderator


def test_moderator_badge_sets_is_moderator(write_chat):
    badge = {"liveChatAuthorBadgeRenderer": {"icon": {"iconType": "MODERATOR"}, "tooltip": "Moderator"}}

    [event] = parse_live_chat(write_chat([_text_message(authorBadges=[badge])]), Counter())

    assert event.is_moderator and not event.is_owner


def test_emoji_runs_become_shortcuts_or_emoji_ids(write_chat):
    runs = [{"text": "gg "}, {"emoji": {"emojiId": "😀", "shortcuts": [":grinning_face:", ":grinning:"]}},
            {"text": " "}, {"emoji": {"emojiId": "UCx/abc", "isCustomEmoji": True}}]

    [event] = parse_live_chat(write_chat([_text_message(message={"runs": runs})]), Counter())

    assert event.text == "gg :grinning_face: :UCx/abc:"
    assert event.emotes == (":grinning_face:", ":UCx/abc:")


def test_a_message_without_emoji_has_no_emotes(live_chat):
    assert [e.emotes for e in parse_live_chat(live_chat, Counter())] == [(), (), ()]


def test_a_line_with_an_unusable_offset_takes_the_previous_time(tmp_path):
    path = tmp_path / "live_chat.json"
    lines = [{"replayChatItemAction": {"actions": [_text_message(id="a")]}, "videoOffsetTimeMsec": "2500", "isLive": True},
             {"replayChatItemAction": {"actions": [_text_message(id="b")]}, "videoOffsetTimeMsec": "None", "isLive": True}]
    path.write_text("\n".join(map(json.dumps, lines)), encoding="utf-8")

    assert [e.t_s for e in parse_live_chat(path, Counter())] == [2.5, 2.5]


def test_text_message_with_no_text_is_skipped_as_empty(write_chat):
    skipped = Counter()

    assert list(parse_live_chat(write_chat([_text_message(message={"runs": []})]), skipped)) == []
    assert skipped == {"empty": 1}


def test_a_line_that_is_not_json_is_rejected_with_its_number(tmp_path, write_chat):
    path = write_chat([_text_message()])
    path.write_text(path.read_text() + "{not json\n")

    with pytest.raises(SourceError, match=r"live_chat\.json: line 2: not JSON"):
        list(parse_live_chat(path, Counter()))


def test_a_line_without_a_replay_action_is_rejected(tmp_path):
    path = tmp_path / "live_chat.json"
    path.write_text('{"something": "else"}\n')

    with pytest.raises(SourceError, match="line 1: not a yt-dlp live chat line"):
        list(parse_live_chat(path, Counter()))


def test_a_wrong_typed_field_is_rejected_naming_the_line(write_chat):
    with pytest.raises(SourceError, match=r"line 1: malformed chat action \(ValueError: id is int"):
        list(parse_live_chat(write_chat([_text_message(id=5)]), Counter()))


@pytest.mark.parametrize(
    "text, amount, currency",
    [("$5.00", 5.0, "USD"), ("¥1,000", 1000.0, "JPY"), ("CA$2.00", 2.0, "CAD"), ("€3,50", 3.5, "EUR"),
     ("1.234,56 €", 1234.56, "EUR"), ("CHF 5.00", 5.0, "CHF"), ("$1,000.50", 1000.5, "USD")],
)
def test_purchase_amounts_parse_in_any_locale(text, amount, currency):
    assert parse_amount(text) == (amount, currency)


def test_an_unreadable_purchase_amount_gives_no_amount():
    assert parse_amount("Free") == (None, None)


def test_a_released_held_message_is_read_from_its_replacement(tmp_path):
    message = {"liveChatTextMessageRenderer": {
        "id": "held-1", "timestampUsec": "1608118189881016", "authorExternalChannelId": "UCx", "authorName": {"simpleText": "Fan"},
        "message": {"runs": [{"text": "can you say hi to my sister?"}]},
    }}
    line = {"replayChatItemAction": {"actions": [{"replaceChatItemAction": {"targetItemId": "held-1", "replacementItem": message}}],
                                     "videoOffsetTimeMsec": "4200"}}
    path = tmp_path / "live_chat.json"
    path.write_text(json.dumps(line) + "\n")
    skipped = Counter()
    [event] = list(parse_live_chat(path, skipped))
    assert (event.message_id, event.text, event.t_s, event.kind) == ("held-1", "can you say hi to my sister?", 4.2, "text")
