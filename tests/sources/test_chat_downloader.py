"""chat-downloader JSON parsing, on its real output (tests/data/youtube/chatdownloader_*.json) and Twitch items
shaped as chat-downloader 0.2.8's sites/twitch.py writes them."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from chatclone.errors import SourceError
from chatclone.sources.chat_downloader import parse_chat_downloader

SAMPLES = ["chatdownloader_v0.1_output_zVCs9Cug_qM.json", "chatdownloader_modern_output_membership_superchat.json"]
# What viewers said or paid for, in chat-downloader's message_type names (its tickers, banners and
# engagement messages are not).
SPEECH_TYPES = {"text_message", "paid_message", "paid_sticker", "membership_item"}


@pytest.fixture(scope="session")
def modern(test_data):
    return test_data / "youtube" / "chatdownloader_modern_output_membership_superchat.json"


@pytest.fixture(scope="session")
def v01(test_data):
    return test_data / "youtube" / "chatdownloader_v0.1_output_zVCs9Cug_qM.json"


@pytest.fixture
def write_items(write_json):
    """write_items(items) -> Path: a chat.json as chat-downloader writes it (a list, keys sorted, indent 4)."""
    return lambda items: write_json("chat.json", items, indent=4, sort_keys=True)


def _youtube_text(**fields) -> dict:
    item = {"action_type": "add_chat_item", "author": {"id": "UC1", "name": "ann"}, "message": "hi", "message_id": "m1",
            "message_type": "text_message", "time_in_seconds": 1.5, "time_text": "0:01", "timestamp": 1600000001500000}
    return item | fields


def _paid(money) -> dict:
    return _youtube_text(message_type="paid_message", message="gg", money=money)


# Twitch items as chat-downloader 0.2.8 writes them (emote images trimmed): a VOD comment comes from
# `_parse_item` (always "text_message", badges as {name, version}, plus title etc. once badge info loaded);
# subscriptions and cheers only come from a live capture (`_parse_irc_item`), which has no
# time_in_seconds, so the ones here are given one.
TWITCH_VOD = [
    {"author": {"badges": [{"name": "broadcaster", "version": 1}, {"name": "subscriber", "version": 12}], "colour": "#FF0000",
                "display_name": "Streamer", "id": "101", "name": "streamer"},
     "emotes": [{"id": "25", "images": [], "locations": "6-10", "name": "Kappa"}],
     "message": "hello Kappa", "message_id": "c1", "message_type": "text_message", "time_in_seconds": 5, "time_text": "0:05",
     "timestamp": 1619870405123000},
    {"author": {"badges": [{"clickAction": None, "clickURL": None, "icons": [], "name": "moderator", "title": "Moderator", "version": 1}],
                "display_name": "ModKun", "id": "202", "name": "modkun"},
     "message": "no spoilers please", "message_id": "c2", "message_type": "text_message", "time_in_seconds": 7, "time_text": "0:07",
     "timestamp": 1619870407000000},
    {"author": {"display_name": "\u30e6\u30ad", "id": "303", "name": "yuki_jp"},
     "message": "LUL", "message_id": "c3", "message_type": "text_message", "time_in_seconds": 9, "time_text": "0:09",
     "timestamp": 1619870409000000},
]
TWITCH_RESUB = {
    "action_type": "user_notice", "author": {"badges": [{"months": 6, "name": "subscriber", "version": 6}], "display_name": "Ronni",
                                             "id": "87654321", "is_moderator": False, "is_subscriber": True, "is_turbo": True, "name": "ronni"},
    "channel_id": "12345678", "cumulative_months": 6, "message": "Great stream -- keep it up!", "message_id": "db25007f",
    "message_type": "resubscription", "subscription_type": "Prime", "system_message": "ronni has subscribed for 6 months!",
    "timestamp": 1507246572675000,
}
TWITCH_CHEER = {
    "action_type": "text_message", "author": {"badges": [{"name": "moderator", "version": 1}], "display_name": "Cheery", "id": "1337",
                                              "is_moderator": True, "is_subscriber": True, "is_turbo": False, "name": "cheery"},
    "bits": 100, "channel_id": "1337", "message": "cheer100 great stream", "message_id": "b34ccfc7", "message_type": "text_message",
    "timestamp": 1507246572675000,
}


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_yields_one_event_per_viewer_message(test_data, name):
    items = json.loads((test_data / "youtube" / name).read_text(encoding="utf-8"))
    # Independent count: distinct message_ids among items typed as something a viewer said or paid
    # for (a ticker repeats one of them under the same id; none of these is blank).
    expected = len({item["message_id"] for item in items if item["message_type"] in SPEECH_TYPES})

    events = list(parse_chat_downloader(test_data / "youtube" / name, Counter()))

    assert len(events) == expected
    assert len({e.message_id for e in events}) == len(events)


def test_modern_sample_has_memberships_and_a_super_chat_in_yen(modern):
    events = list(parse_chat_downloader(modern, Counter()))

    assert [e.kind for e in events] == ["membership", "membership", "membership", "paid"]
    assert (events[3].author_name, events[3].amount, events[3].currency) == ("@penelope3356", 5000.0, "JPY")
    assert events[3].text.endswith("\u521d\u30b9\u30d1\u3067\u3059:smiling_face_with_smiling_eyes:")
    assert all(e.amount is None for e in events[:3])


def test_a_new_member_without_a_message_has_empty_text(modern):
    welcome = [e for e in parse_chat_downloader(modern, Counter()) if e.author_name == "@choucchi_"]

    assert [(e.kind, e.text) for e in welcome] == [("membership", "")]


def test_tickers_repeating_a_message_are_skipped_and_counted(modern):
    skipped = Counter()
    ids = [e.message_id for e in parse_chat_downloader(modern, skipped)]

    assert ids.count("ChwKGkNQblc4NUdkclpNREZmelB3Z1FkNklZcU9R") == 1  # the super chat and its ticker share this id
    assert skipped == {"ticker_paid_message_item": 1, "ticker_sponsor_item": 1, "banner": 1, "viewer_engagement_message": 1}


def test_pre_stream_chat_keeps_its_negative_time(v01):
    first = next(parse_chat_downloader(v01, Counter()))

    assert (first.t_s, first.ts_usec) == (-5.0, 1598724006851078)
    assert (first.author_id, first.author_name, first.text, first.kind) == ("UCi4wCJwL1elVL5kQFPlMS_w", "Zeze", "Dream", "text")


@pytest.mark.parametrize(
    "badges, owner, moderator",
    [([{"icon_name": "owner", "title": "Owner"}], True, False),
     ([{"icon_name": "moderator", "title": "Moderator"}], False, True),
     ([{"icon_name": "moderator", "title": "Mod\u00e9rateur"}], False, True),  # titles follow the viewer's language
     ([{"title": "Member (6 months)", "icons": []}, {"icon_name": "verified", "title": "Verified"}], False, False)],
)
def test_youtube_badges_set_owner_and_moderator(write_items, badges, owner, moderator):
    [event] = parse_chat_downloader(write_items([_youtube_text(author={"id": "UC1", "name": "ann", "badges": badges})]), Counter())

    assert (event.is_owner, event.is_moderator) == (owner, moderator)


def test_twitch_vod_comments_are_text_with_display_names_and_badge_flags(write_items):
    events = list(parse_chat_downloader(write_items(TWITCH_VOD), Counter()))

    assert [(e.author_name, e.text, e.kind, e.t_s) for e in events] == [
        ("Streamer", "hello Kappa", "text", 5.0), ("ModKun", "no spoilers please", "text", 7.0), ("\u30e6\u30ad", "LUL", "text", 9.0)]
    assert [(e.is_owner, e.is_moderator) for e in events] == [(True, False), (False, True), (False, False)]
    assert (events[0].author_id, events[0].ts_usec) == ("101", 1619870405123000)


def test_twitch_resubscription_is_membership_and_cheer_is_paid_in_bits(write_items):
    resub, cheer = parse_chat_downloader(write_items([TWITCH_RESUB | {"time_in_seconds": 3}, TWITCH_CHEER | {"time_in_seconds": 4}]), Counter())

    assert (resub.kind, resub.text, resub.author_name, resub.amount) == ("membership", "Great stream -- keep it up!", "Ronni", None)
    assert (cheer.kind, cheer.amount, cheer.currency, cheer.text) == ("paid", 100.0, "BITS", "cheer100 great stream")
    assert cheer.is_moderator and not cheer.is_owner


def test_a_live_capture_without_video_times_is_rejected(write_items):
    with pytest.raises(SourceError, match=r"chat\.json: item 0: text_message has no time_in_seconds \(a live capture"):
        list(parse_chat_downloader(write_items([TWITCH_CHEER]), Counter()))


def test_a_comma_decimal_amount_is_read_from_its_text_not_chat_downloaders_number(write_items):
    # chat-downloader drops the comma of "€3,50" and writes amount 350.0.
    money = {"amount": 350.0, "currency": "", "currency_symbol": "\u20ac", "text": "\u20ac3,50"}

    [event] = parse_chat_downloader(write_items([_paid(money)]), Counter())

    assert (event.kind, event.amount, event.currency) == ("paid", 3.5, "EUR")


def test_money_without_readable_text_falls_back_to_its_amount(write_items):
    [event] = parse_chat_downloader(write_items([_paid({"amount": 7.0, "currency": "XYZ", "text": "seven"})]), Counter())

    assert (event.amount, event.currency) == (7.0, "XYZ")


def test_an_early_versions_amount_text_is_parsed(write_items):
    item = _youtube_text(message_type="paid_sticker", message=None, amount="CA$2.00")

    [event] = parse_chat_downloader(write_items([item]), Counter())

    assert (event.kind, event.text, event.amount, event.currency) == ("sticker", "", 2.0, "CAD")


def test_a_blank_text_message_is_skipped_as_empty(write_items):
    skipped = Counter()

    assert list(parse_chat_downloader(write_items([_youtube_text(message=" "), _youtube_text(message=None)]), skipped)) == []
    assert skipped == {"empty": 2}


def test_an_empty_list_yields_nothing(write_items):
    assert list(parse_chat_downloader(write_items([]), Counter())) == []


def test_a_skipped_item_needs_no_time_or_id(write_items):
    skipped = Counter()
    items = [{"action_type": "remove_chat_item", "message": None, "message_type": "ban_user", "target_message_id": "x"}]

    assert list(parse_chat_downloader(write_items(items), skipped)) == []
    assert skipped == {"ban_user": 1}


@pytest.mark.parametrize(
    "items, problem",
    [([_youtube_text(message_id=None)], "item 0: no message_id"),
     ([_youtube_text(), {"message_id": "m2", "message": "x"}], "item 1: no message_type"),
     ([{k: v for k, v in _youtube_text().items() if k != "message"}], "item 0: text_message has no message"),
     ([{k: v for k, v in _youtube_text().items() if k != "time_in_seconds"}], "item 0: text_message has no time_in_seconds"),
     ([_youtube_text(time_in_seconds="1.5")], "item 0: time_in_seconds is str, expected int or float"),
     ([_youtube_text(author="ann")], "item 0: author is str, expected dict"),
     (["hello"], "item 0: item is str, expected dict"),
     ({"messages": []}, "not a chat-downloader JSON list \\(it starts with an object\\)"),
     (42, "not a chat-downloader JSON list \\(it starts with a number\\)")],
)
def test_a_malformed_file_is_rejected_naming_the_file_and_problem(write_items, items, problem):
    with pytest.raises(SourceError, match=rf"chat\.json: {problem}"):
        list(parse_chat_downloader(write_items(items), Counter()))


@pytest.mark.parametrize("data", [b"", b"not json", b"[{\"message_type\": \"text_message\",", b"\xff\xfe[]"])
def test_a_file_that_is_not_json_is_rejected(tmp_path, data):
    path = tmp_path / "chat.json"
    path.write_bytes(data)

    with pytest.raises(SourceError, match=r"chat\.json: (invalid JSON|not UTF-8)"):
        list(parse_chat_downloader(path, Counter()))
