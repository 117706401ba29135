"""text.py: PII scrubbing, link and attachment placeholders, mention stripping."""

from __future__ import annotations

from collections import Counter

import pytest

from chatclone.text import attachment_placeholders, clean_message, scrub, strip_mentions

# Credentials are assembled at run time so that no scanner mistakes this file for a leak.
_B64 = "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0"
OPENAI_KEY = "sk-" + "proj-" + _B64[:32]
GITHUB_TOKEN = "ghp" + "_" + _B64[:36]
AWS_KEY = "AKIA" + "IOSFODNN7EXAMPLE"  # AWS's documented example key id
DISCORD_BOT_TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4OQ" + "." + "GAbcde" + "." + _B64[:38]
JWT = "eyJ" + "hbGciOiJIUzI1NiJ9" + "." + "eyJ" + "zdWIiOiIxMjM0NTY3ODkwIn0" + "." + _B64[:43]
WEBHOOK = "https://discord.com/api/" + "webhooks/123456789012345678/" + _B64


# --- PII: each kind is replaced by its placeholder and counted ------------------------------

PII_CASES = [
    ("john.doe+chat@example.co.uk", "email"),
    ("x@mail.example.org", "email"),
    ("+1 (555) 123-4567", "phone"),
    ("555-123-4567", "phone"),
    ("555.123.4567", "phone"),
    ("06 12 34 56 78", "phone"),
    ("+44 20 7946 0958", "phone"),
    ("+33612345678", "phone"),
    ("+33 6 12 34 56 78", "phone"),
    ("555.123.4567", "phone"),
    ("0612345678", "phone"),
    ("192.168.1.20", "ip"),
    ("8.8.8.8", "ip"),
    ("2001:0db8:85a3:0000:0000:8a2e:0370:7334", "ip"),
    ("fe80::1ff:fe23:4567:890a", "ip"),
    ("2001:db8::1", "ip"),
    (OPENAI_KEY, "secret"),
    (GITHUB_TOKEN, "secret"),
    (AWS_KEY, "secret"),
    (DISCORD_BOT_TOKEN, "secret"),
    (JWT, "secret"),
    ("password=hunter2", "secret"),
    ("Password: hunter2", "secret"),
    ("api_key=abc123", "secret"),
    (WEBHOOK, "secret"),
    ("discord.gg/abc123", "invite"),
    ("https://discord.gg/abc123", "invite"),
    ("https://discord.com/invite/abc123", "invite"),
    ("https://chat.whatsapp.com/AbCdEf123456", "invite"),
    ("t.me/+AbCdEf123", "invite"),
    ("https://t.me/joinchat/AbCdEf123", "invite"),
]


@pytest.mark.parametrize(("value", "kind"), PII_CASES, ids=[f"{k}-{i}" for i, (_, k) in enumerate(PII_CASES)])
def test_pii_is_replaced_by_its_placeholder_and_counted(value, kind):
    text, counts = scrub(f"see {value} now")

    assert text == f"see <{kind}> now"
    assert counts == Counter({kind: 1})


def test_each_occurrence_is_counted():
    text, counts = scrub("mail a@example.com or b@example.org, call 555-123-4567, host 10.0.0.1")

    assert text == "mail <email> or <email>, call <phone>, host <ip>"
    assert counts == Counter({"email": 2, "phone": 1, "ip": 1})


def test_pii_is_kept_when_pii_is_off():
    text = "mail a@example.com from 10.0.0.1 with password=hunter2"

    assert scrub(text, pii=False, links=False) == (text, Counter())


@pytest.mark.parametrize(
    "text",
    [
        "on 2023-01-17 at 10:30",
        "2023-01-17 10:30",
        "17.01.2023 10:30",
        "17/01/2023",
        "from 2023-01-17 to 2023-01-18",
        "2023-01-17 2023-01-18",
        "2023-01-17T19:33:07.489+00:00",
        "from 10:30 to 11:45",
        "my id is 123456789012345678",
        "1064990824305274930 and 1064990824305274931",
        "I have 3 cats and 42 dogs",
        "1000000 or 1,000,000 or $1,234.56",
        "version 1.2.3",
        "python 3.11.4 and v2.10.15",
        "<@123456789012345678> look",
        "::1 is localhost",
        "pi is 3.14159265358",
        "windows 10.0.19045.2965",
        "count with me 1 2 3 4 5 6 7 8 9 10",
    ],
)
def test_things_that_look_like_numbers_are_not_pii(text):
    assert scrub(text) == (text, Counter())


def test_ip_after_a_small_number_is_still_scrubbed():
    assert scrub("port 8 10.0.0.1") == ("port 8 <ip>", Counter({"ip": 1}))


def test_two_ips_after_small_numbers_are_both_scrubbed():
    assert scrub("hosts 1 10.0.0.1 2 10.0.0.2") == ("hosts 1 <ip> 2 <ip>", Counter({"ip": 2}))


def test_email_right_after_a_rejected_phone_candidate_is_scrubbed():
    assert scrub("codes 1-2-3-4 5@example.com") == ("codes 1-2-3-4 <email>", Counter({"email": 1}))


@pytest.mark.timeout(10)
def test_long_hex_run_after_double_colon_is_scanned_quickly():
    # An IPv6-looking prefix followed by a long hex run used to backtrack exponentially.
    text = "hash ab::" + "deadbeefcafe" * 6 + "z"

    assert scrub(text) == (text, Counter())


# --- links ----------------------------------------------------------------------------------


def test_invite_becomes_a_plain_link_when_pii_is_off():
    assert scrub("join discord.gg/abc123 now", pii=False) == ("join <link> now", Counter(link=1))


def test_links_become_link_placeholders():
    assert scrub("see https://example.com/a?b=1 and www.example.org/x") == ("see <link> and <link>", Counter({"link": 2}))


def test_links_are_kept_when_placeholders_are_off():
    cleaned = clean_message("see https://example.com/a?b=1", placeholders=False)

    assert cleaned.text == "see https://example.com/a?b=1"
    assert cleaned.counts["link"] == 0


def test_pii_inside_a_kept_link_is_still_scrubbed():
    text, counts = scrub("https://192.168.1.1/admin?password=hunter2 or https://bob@example.com", links=False)

    assert text == "https://<ip>/admin?<secret> or https://<email>"
    assert counts == Counter({"ip": 1, "secret": 1, "email": 1})


def test_invite_link_counts_as_invite_not_link():
    assert scrub("join https://discord.gg/abc123") == ("join <invite>", Counter({"invite": 1}))


# --- mentions -------------------------------------------------------------------------------


def test_at_mention_keeps_the_name():
    assert strip_mentions("hey @mlomb whats up") == ("hey mlomb whats up", 1, False)


def test_mention_of_a_name_with_spaces_keeps_the_whole_name():
    assert strip_mentions("thanks @John Smith for this", ("John Smith",)) == ("thanks John Smith for this", 1, False)


@pytest.mark.parametrize("raw", ["<@123456789012345678>", "<@!123456789012345678>", "<@&987654321098765432>", "<#112233445566778899>"])
def test_raw_mention_is_removed(raw):
    assert strip_mentions(f"{raw} look at this") == ("look at this", 1, False)


@pytest.mark.parametrize(
    ("text", "mentions"),
    [("<@123456789012345678>", ()), ("@bob", ()), ("@bob, @alice!", ()), ("@John Smith", ("John Smith",)), ("<@1> <@2>", ())],
)
def test_message_of_only_mentions_is_ping_only(text, mentions):
    assert strip_mentions(text, mentions)[2] is True


@pytest.mark.parametrize(("text", "mentions"), [("@bob thanks!", ()), ("@John Smith see you", ("John Smith",)), ("no mention here", ())])
def test_message_with_words_besides_mentions_is_not_ping_only(text, mentions):
    assert strip_mentions(text, mentions)[2] is False


def test_email_is_not_taken_for_a_mention():
    assert strip_mentions("write to a@example.com") == ("write to a@example.com", 0, False)


def test_clean_message_strips_mentions_and_counts_them():
    cleaned = clean_message("hey @mlomb whats up, check out https://chatanalytics.app", mentions=("mlomb",))

    assert cleaned.text == "hey mlomb whats up, check out <link>"
    assert (cleaned.counts["mention"], cleaned.counts["link"], cleaned.ping_only) == (1, 1, False)


def test_clean_message_flags_ping_only():
    assert clean_message("<@123456789012345678>").ping_only is True


def test_clean_message_keeps_the_at_sign_when_not_stripping():
    cleaned = clean_message("hey @mlomb", strip_at=False)

    assert cleaned.text == "hey @mlomb"
    assert cleaned.counts["mention"] == 0


# --- attachments ----------------------------------------------------------------------------


def test_attachment_placeholders_follow_the_kinds_in_order():
    assert attachment_placeholders(("image", "image", "gif", "sticker")) == "<image> <image> <gif> <sticker>"


def test_clean_message_appends_attachment_placeholders():
    cleaned = clean_message("look", attachments=("image", "video"))

    assert cleaned.text == "look <image> <video>"
    assert cleaned.counts["attachment"] == 2


def test_attachment_only_message_becomes_its_placeholder():
    assert clean_message("", attachments=("sticker",)).text == "<sticker>"


def test_no_attachment_placeholders_when_placeholders_are_off():
    cleaned = clean_message("look", attachments=("image",), placeholders=False)

    assert cleaned.text == "look"
    assert cleaned.counts["attachment"] == 0


def test_clean_message_scrubs_pii():
    cleaned = clean_message("mail me at bob@example.com")

    assert cleaned.text == "mail me at <email>"
    assert cleaned.counts["email"] == 1
