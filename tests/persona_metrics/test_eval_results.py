import json
import re

import pytest

from chatclone.errors import ChatcloneError
from chatclone.persona_metrics import compare, results
from chatclone.persona_metrics.report import write_compare_report, write_eval_report


def test_replies_file_has_exactly_the_blind_test_schema(tmp_path, make_result):
    paths = results.save(make_result("run-1"), tmp_path / "eval" / "run-1")
    rows = [json.loads(line) for line in paths["replies"].read_text().splitlines()]
    assert len(rows) == 2 and all(list(r) == ["id", "messages", "real", "tuned", "base"] for r in rows)
    assert rows[0]["messages"][-1] == {"role": "user", "content": "Ren: you up?"}


def test_the_blind_test_reads_the_replies_file(tmp_path, make_result):
    blindtest = pytest.importorskip("chatclone.blindtest", reason="chatclone/blindtest.py is not in this checkout")
    results.save(make_result("run-1"), results.eval_dir(tmp_path / "reports", "run-1"))
    items = blindtest.load_items(tmp_path, "run-1")
    assert [i.id for i in items] == ["test-0-2", "test-1-2"]


def test_saved_results_load_back_without_the_replies(tmp_path, make_result):
    result = make_result("run-1")
    results.save(result, results.eval_dir(tmp_path, "run-1"))
    loaded = results.load(tmp_path, "run-1")
    assert loaded["metrics"] == result["metrics"] and "replies" not in loaded
    assert (results.eval_dir(tmp_path, "run-1") / "scenarios.md").exists()


def test_a_run_never_evaluated_is_a_one_line_error_saying_what_to_run(tmp_path):
    with pytest.raises(ChatcloneError) as caught:
        results.load(tmp_path, "run-9")
    assert "chatclone eval --run run-9" in str(caught.value) and "\n" not in str(caught.value)


def test_the_eval_report_is_one_self_contained_file(tmp_path, make_result):
    html = write_eval_report(make_result("run-1"), tmp_path / "eval.html").read_text()
    sources = re.findall(r'src="([^"]*)"', html)
    assert len(sources) == 4 and all(s.startswith("data:image/png;base64,") for s in sources)
    assert "<script" not in html and 'href="http' not in html
    assert "rude much :3" in html and "Yes, I am awake." in html
    assert "lunch &lt;b&gt;tomorrow&lt;/b&gt;?" in html  # chat text is escaped, never markup


def test_the_eval_report_leaves_out_what_was_skipped(tmp_path, make_result):
    result = make_result("run-1")
    result.update(style={}, authorship={}, skipped={"style": "the training split has 2 persona replies"})
    html = write_eval_report(result, tmp_path / "eval.html").read_text()
    assert "style left out: the training split has 2 persona replies" in html
    assert len(re.findall(r'src="data:image/png', html)) == 2


def test_compare_rows_say_which_run_is_better_each_way(make_result):
    a, b = make_result("a")["metrics"], make_result("b", perplexity_tuned=50.0, style_score_tuned=60.0)["metrics"]
    rows = {r["key"]: r for r in compare.rows(a, b)}
    assert rows["perplexity_tuned"]["verdict"] == "better" and rows["perplexity_tuned"]["delta"] == -10
    assert rows["style_score_tuned"]["verdict"] == "worse"
    assert rows["reply_rank_acc1_tuned"]["verdict"] == "" and rows["reply_rank_acc1_chance"]["verdict"] == ""
    assert [r["key"] for r in compare.rows(a, b)][:3] == ["perplexity_tuned", "perplexity_base", "reply_rank_acc1_tuned"]


def test_a_metric_only_one_run_has_is_still_a_row(make_result):
    a, b = make_result("a")["metrics"], make_result("b", blindtest_share_correct=0.55, style_length_tuned=80.0)["metrics"]
    rows = {r["key"]: r for r in compare.rows(a, b)}
    assert rows["blindtest_share_correct"]["a"] is None and rows["blindtest_share_correct"]["delta"] is None
    assert rows["style_length_tuned"]["label"] == "style: length, tuned"


def test_the_comparison_report_shows_both_runs_scenarios_side_by_side(tmp_path, make_result):
    results.save(make_result("run-a", tuned_reply="first double says hi"), results.eval_dir(tmp_path, "run-a"))
    results.save(make_result("run-b", tuned_reply="second double says yo", style_score_tuned=80.0), results.eval_dir(tmp_path, "run-b"))
    comparison = compare.compare_runs(tmp_path, "run-a", "run-b")
    html = write_compare_report(comparison, tmp_path / "compare.html").read_text()
    assert "first double says hi" in html and "second double says yo" in html
    assert "run-a vs run-b" in html and 'class="n better">+10' in html
