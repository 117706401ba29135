import random

import pytest

from chatclone.persona_metrics.heldout import Prompt
from chatclone.persona_metrics.ranking import candidate_scores, distractors_for, pick_distractors, rank_of, rank_replies, summarize_ranks

CATCHPHRASE = "blue banana forever!! :3"
# The persona has said its catchphrase twice already: copying it again is by far the likeliest next turn.
CONTEXT = [
    {"role": "user", "content": "Ren: what's your catchphrase?"}, {"role": "assistant", "content": CATCHPHRASE},
    {"role": "user", "content": "Ren: say it again"}, {"role": "assistant", "content": CATCHPHRASE},
    {"role": "user", "content": "Ren: one more time"},
]
OTHERS = ["The meeting is scheduled for Tuesday at noon.", "Your report needs a little more work.", "ok", "did you eat yet"]


def test_distractors_are_the_nearest_in_length_and_never_the_real_reply():
    pool = ["x" * n for n in (1, 2, 8, 9, 10, 11, 12, 13, 100, 200)] + ["Same reply", "same reply "]
    picked = pick_distractors("same reply", pool, k=2, rng=random.Random(0))  # drawn from the 3k = 6 nearest
    assert len(picked) == 2 and all(8 <= len(t) <= 13 for t in picked)
    assert all(t.strip().casefold() != "same reply" for t in picked)


def test_distractors_are_the_same_for_the_same_seed():
    pool = [f"line number {i}" for i in range(40)]
    draw = [pick_distractors("line number 7?", pool, 3, random.Random(5)) for _ in range(2)]
    assert draw[0] == draw[1]
    assert pick_distractors("line number 7?", list(reversed(pool)), 3, random.Random(5)) == draw[0]


def test_mixed_distractors_take_half_from_the_person_and_top_up_from_the_other_pool():
    mine, theirs = [f"mine {i}" for i in range(10)], [f"theirs {i}" for i in range(10)]
    picked = distractors_for("mine 99", mine, theirs, k=5, source="mixed", rng=random.Random(0))
    assert sum(t.startswith("mine") for t in picked) == 2 and sum(t.startswith("theirs") for t in picked) == 3
    short = distractors_for("mine 99", mine, theirs[:1], k=5, source="others", rng=random.Random(0))
    assert len(short) == 5 and sum(t.startswith("theirs") for t in short) == 1


def test_rank_counts_ties_against_the_real_reply():
    assert rank_of([0.5, 0.1, 0.2]) == 1
    assert rank_of([0.5, 0.9, 0.5]) == 3


def test_accuracy_and_mrr_of_known_ranks():
    summary = summarize_ranks([1, 2, 4, 1], [4, 4, 4, 4])
    assert summary["acc_at_1"] == 0.5
    assert summary["mrr"] == pytest.approx((1 + 0.5 + 0.25 + 1) / 4)
    assert summary["acc_at_1_chance"] == 0.25 and summary["mrr_chance"] == pytest.approx((1 + 1 / 2 + 1 / 3 + 1 / 4) / 4)


def test_the_reply_the_context_makes_certain_ranks_first(base_persona):
    scores = candidate_scores(base_persona, CONTEXT, [CATCHPHRASE, *OTHERS])
    assert rank_of(scores) == 1


def test_another_speakers_line_does_not_rank_first_against_the_catchphrase(base_persona):
    scores = candidate_scores(base_persona, CONTEXT, [OTHERS[0], CATCHPHRASE, *OTHERS[1:]])
    assert rank_of(scores) > 1


def test_scores_do_not_depend_on_the_other_candidates_in_the_batch(base_persona):
    together = candidate_scores(base_persona, CONTEXT, [CATCHPHRASE, *OTHERS])
    alone = [candidate_scores(base_persona, CONTEXT, [c])[0] for c in [CATCHPHRASE, *OTHERS]]
    assert together == pytest.approx(alone, abs=1e-3)


def test_a_score_is_the_mean_log_probability_of_the_reply_tokens(base_persona):
    import torch

    from chatclone.persona_metrics.ranking import _completion_text

    tokenizer, model = base_persona.tokenizer, base_persona.model
    prompt = tokenizer.apply_chat_template(base_persona.prompt(CONTEXT, reply_tokens=40), tokenize=False, add_generation_prompt=True)
    prompt_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    reply_ids = tokenizer(_completion_text(tokenizer, [*CONTEXT, {"role": "assistant", "content": OTHERS[0]}]), add_special_tokens=False)["input_ids"]
    ids = torch.tensor([prompt_ids + reply_ids])
    with torch.inference_mode():
        logprobs = torch.log_softmax(model(input_ids=ids).logits[0, :-1].float(), dim=-1)
    expected = logprobs[torch.arange(ids.shape[1] - 1), ids[0, 1:]][len(prompt_ids) - 1 :].mean()
    assert candidate_scores(base_persona, CONTEXT, [OTHERS[0]])[0] == pytest.approx(float(expected), abs=1e-3)


@pytest.mark.parametrize("score", ["pmi", "likelihood"])
def test_rank_replies_ranks_each_prompt_against_k_distractors(base_persona, score):
    prompts = [Prompt("t-0-5", CONTEXT, CATCHPHRASE), Prompt("t-1-5", CONTEXT[:1], "pizza, always pizza")]
    result = rank_replies(base_persona, prompts, ["pizza forever", "no idea"], OTHERS, k=3, source="mixed", seed=0, score=score)
    assert result["prompts"] == 2 and result["candidates"] == [4, 4]
    assert result["ranks"][0] == 1 and 0.5 <= result["acc_at_1"] <= 1


def test_pmi_subtracts_how_likely_each_reply_is_without_the_context(base_persona, monkeypatch):
    from chatclone.persona_metrics import ranking

    # A model that finds the catchphrase likely anywhere: without the context it is likelier still.
    fake = {id(CONTEXT): [-1.0, -2.0], id(ranking.NO_CONTEXT): [-0.5, -4.0]}
    monkeypatch.setattr(ranking, "candidate_scores", lambda persona, context, candidates: fake[id(context)][: len(candidates)])
    prompts = [Prompt("t-0-5", CONTEXT, CATCHPHRASE)]
    assert rank_replies(base_persona, prompts, [], [OTHERS[0]], k=1, source="others", seed=0, score="likelihood")["ranks"] == [1]
    assert rank_replies(base_persona, prompts, [], [OTHERS[0]], k=1, source="others", seed=0, score="pmi")["ranks"] == [2]
