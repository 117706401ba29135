import json
import shutil
from pathlib import Path

import pytest

from chatclone.warehouse import Warehouse
from chatclone.workspace import init_workspace
from flows.build_dataset import build_dataset
from flows.import_chats import import_chats

pytestmark = pytest.mark.integration


def dce_export(path: Path, channel_id: str, lines: list[tuple[str, str, str]]) -> Path:
    """A DiscordChatExporter-shaped file from (iso timestamp, author, content)."""
    ids = {"Mika": "m", "Yuki": "y", "Ren": "r"}
    messages = [
        {"id": f"{channel_id}{i:04d}", "type": "Default", "timestamp": ts, "timestampEdited": None, "isPinned": False,
         "content": text, "author": {"id": ids[a], "name": a.lower(), "nickname": a, "isBot": False},
         "attachments": [], "embeds": [], "stickers": [], "reactions": [], "mentions": []}
        for i, (ts, a, text) in enumerate(lines)
    ]
    doc = {"guild": {"id": "1", "name": "Friends"}, "channel": {"id": channel_id, "type": "GuildTextChat", "name": "general"},
           "messages": messages, "messageCount": len(messages)}
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return path


def chatty_day(day: int) -> list[tuple[str, str, str]]:
    base = f"2024-05-{day:02d}T18:"
    return [
        (base + "00:00+00:00", "Yuki", f"mika are you streaming the new game on day {day}?"),
        (base + "01:00+00:00", "Mika", "yesss starting at eight, i have been practicing all week lmao"),
        (base + "02:00+00:00", "Ren", "i will bring popcorn and scream at the jump scares"),
        (base + "03:00+00:00", "Mika", "please do, i need moral support for the spooky parts"),
        (base + "04:00+00:00", "Yuki", "lol"),
        (base + "05:00+00:00", "Yuki", "contact me at yuki@example.com for the collab details ok"),
        (base + "06:00+00:00", "Mika", "gtg"),
    ]


@pytest.fixture
def workspace(tmp_path):
    ws = init_workspace(tmp_path / "ws", "mika", ["Mika"])
    exports = tmp_path / "exports"
    exports.mkdir()
    for day in range(1, 21):
        dce_export(exports / f"day{day}.json", f"9{day:02d}", chatty_day(day))
    return ws, exports


def test_import_flow_loads_files_and_quarantines_the_broken_one(workspace):
    ws, exports = workspace
    good = (exports / "day1.json").read_text()
    (exports / "broken.json").write_text(good[: len(good) // 2])
    results = import_chats(str(ws.root), [("discord", [str(exports)])])
    by_status = {}
    for r in results:
        by_status.setdefault(r["status"], []).append(r)
    assert len(by_status["ok"]) == 20 and len(by_status["quarantined"]) == 1
    assert "broken.json" in by_status["quarantined"][0]["error"]
    assert len(list(ws.quarantine.glob("*broken.json"))) == 1
    with Warehouse(ws.warehouse_path) as wh:
        assert wh.execute("SELECT count(*) FROM messages").fetchall()[0][0] == 20 * 7
        assert wh.execute("SELECT count(*) FROM quarantine").fetchall()[0][0] == 1


def test_rerunning_the_import_flow_adds_nothing(workspace):
    ws, exports = workspace
    import_chats(str(ws.root), [("discord", [str(exports)])])
    again = import_chats(str(ws.root), [("discord", [str(exports)])])
    assert {r["status"] for r in again} == {"unchanged"}
    assert sum(r["rows_added"] for r in again) == 0


def test_build_flow_writes_datasets_and_report(workspace):
    ws, exports = workspace
    import_chats(str(ws.root), [("discord", [str(exports)])])
    result = build_dataset(str(ws.root))
    assert sum(v for k, v in result["examples"].items() if k.endswith("_examples")) == 20
    assert result["message_filters"]["non_response"] == 20 and result["message_filters"]["ender"] == 20
    assert result["pii_scrubbed"]["email"] == 20
    report = json.loads(Path(result["report_json"]).read_text())
    assert report["examples"] == result["examples"]
    html = Path(result["report_html"]).read_text()
    assert "data:image/png;base64," in html and "yuki@example.com" not in html
    assert "yuki@example.com" not in (ws.datasets / "sft.jsonl").read_text()
