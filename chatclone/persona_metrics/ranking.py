"""Reply ranking: does the model prefer what the person really said over plausible alternatives?

For each held-out prompt the model scores the person's real reply and k distractors as its next
turn. Distractors are other speakers' lines and/or the person's replies to other prompts of the
same held-out split (never text equal to the real reply), matched in length and drawn with a
seed: the same data and seed give the same candidates, for the base model and the tuned one.

A candidate's log-likelihood is its mean log-probability per token (the reply's tokens and the
end-of-turn token, as training labels them), so long and short replies compete fairly. The
score ([eval] ranking_score) is either that log-likelihood given the context ("likelihood"), or
its pointwise mutual information with the context ("pmi", the default): the log-likelihood given
the context minus the log-likelihood after an empty user turn. Plain likelihood rewards replies
that are likely anywhere (fluent, generic lines beat the person's quirky real one); PMI asks how
much this context makes the reply likelier, which is the question "would they say this here?".
On the demo persona, likelihood put both models at chance; see docs/benchmarks.md.

The real reply's rank is 1 + the number of distractors scoring at least as high (ties count
against it). Accuracy at 1 is the share ranked first; MRR is the mean of 1/rank. Chance is
1/(k+1) and H(k+1)/(k+1).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence

from chatclone.persona_metrics.heldout import Prompt

# Distractors are drawn from the candidates nearest in length: this many times k of them.
NEAREST_FACTOR = 3
# The context of a reply's prior likelihood, for PMI: the system prompt and an empty user turn.
NO_CONTEXT = [{"role": "user", "content": ""}]


def _length_gap(a: str, b: str) -> float:
    return abs(math.log1p(len(a)) - math.log1p(len(b)))


def pick_distractors(real: str, pool: Sequence[str], k: int, rng: random.Random) -> list[str]:
    """Up to k texts of `pool` near `real` in length: k drawn with `rng` from the NEAREST_FACTOR*k nearest (log characters).

    Texts equal to `real` (ignoring case and outer space) and repeats are left out.
    """
    key = real.strip().casefold()
    unique = sorted({t for t in pool if t.strip().casefold() != key})  # sorted: the same pool gives the same draw
    nearest = sorted(unique, key=lambda t: (_length_gap(t, real), t))[: NEAREST_FACTOR * k]
    return rng.sample(nearest, min(k, len(nearest)))


def distractors_for(real: str, persona_pool: Sequence[str], others_pool: Sequence[str], k: int, source: str, rng: random.Random) -> list[str]:
    """k distractors for `real`: from other speakers' lines ("others"), the person's other replies ("persona"),
    or half of each ("mixed", the person's share rounded down); a short pool is topped up from the other one."""
    wanted = {"others": 0, "persona": k, "mixed": k // 2}[source]
    first = pick_distractors(real, persona_pool, wanted, rng)
    second = pick_distractors(real, [t for t in others_pool if t not in first], k - len(first), rng)
    if len(first) + len(second) < k:
        first += pick_distractors(real, [t for t in persona_pool if t not in first and t not in second], k - len(first) - len(second), rng)
    return first + second


def candidate_scores(persona, context: list[dict], candidates: list[str]) -> list[float]:
    """Mean log-probability per token of each candidate as the persona's next turn after `context` (higher: likelier).

    The prompt is the one `persona.complete` would build (system prompt, the recent turns that fit).
    It goes through the model once; its cached keys and values are shared by the candidates, which
    then go through in one batch, padded on the right.
    """
    import torch

    tokenizer, model = persona.tokenizer, persona.model
    completions = [tokenizer(_completion_text(tokenizer, [*context, {"role": "assistant", "content": c}]), add_special_tokens=False)["input_ids"]
                   for c in candidates]
    longest = max(len(c) for c in completions)
    prompt = persona.prompt(context, reply_tokens=longest)
    prompt_text = tokenizer.apply_chat_template(prompt, tokenize=False, add_generation_prompt=True)
    prompt_ids = tokenizer(prompt_text, add_special_tokens=False)["input_ids"]
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    ids = torch.full((len(candidates), longest), pad, dtype=torch.long)
    mask = torch.zeros((len(candidates), len(prompt_ids) + longest), dtype=torch.long)
    mask[:, : len(prompt_ids)] = 1
    for row, completion in enumerate(completions):
        ids[row, : len(completion)] = torch.tensor(completion)
        mask[row, len(prompt_ids) : len(prompt_ids) + len(completion)] = 1
    device = model.device
    with torch.inference_mode():
        head = model(input_ids=torch.tensor([prompt_ids], device=device), use_cache=True, logits_to_keep=1)
        cache = head.past_key_values
        cache.batch_repeat_interleave(len(candidates))
        tail = model(input_ids=ids.to(device), attention_mask=mask.to(device), past_key_values=cache, use_cache=True).logits
        # The logits that predict each completion token: the prompt's last one, then the completion's own but the last.
        logits = torch.cat([head.logits[:, -1:].expand(len(candidates), 1, -1), tail[:, :-1]], dim=1).float()
        targets = ids.to(device)
        logprobs = (logits.gather(-1, targets.unsqueeze(-1)).squeeze(-1) - torch.logsumexp(logits, dim=-1)).cpu()
    return [float(logprobs[row, : len(completion)].mean()) for row, completion in enumerate(completions)]


def _completion_text(tokenizer, turns: list[dict]) -> str:
    """The text the chat template adds for the last (assistant) turn: its content and end-of-turn tokens."""
    head = tokenizer.apply_chat_template(turns[:-1], tokenize=False, add_generation_prompt=True)
    full = tokenizer.apply_chat_template(turns, tokenize=False)
    return full[len(head) :] if full.startswith(head) else turns[-1]["content"]


def rank_of(scores: Sequence[float]) -> int:
    """The rank of candidate 0 (the real reply) among `scores`: 1 + how many others score at least as high."""
    return 1 + sum(s >= scores[0] for s in scores[1:])


def rank_replies(persona, prompts: Sequence[Prompt], persona_pool: Sequence[str], others_pool: Sequence[str],
                 k: int, source: str, seed: int, score: str = "pmi", on_prompt: Callable[[int], None] | None = None) -> dict:
    """Reply ranking of `persona` on `prompts`: {"acc_at_1", "mrr", "acc_at_1_chance", "mrr_chance", "prompts", "ranks", "candidates"}.

    Distractors come from `persona_pool` (the person's held-out replies) and `others_pool` (other
    speakers' held-out lines) as `distractors_for` picks them, with one generator seeded by `seed`,
    so a second model sees exactly the same candidates. `score` is "pmi" or "likelihood" (see the
    module docstring). Prompts without any distractor are skipped. `on_prompt(1)` is called after each prompt.
    """
    rng = random.Random(seed)
    priors: dict[str, float] = {}  # a reply's likelihood without context is the same for every prompt
    ranks, sizes = [], []
    for prompt in prompts:
        if on_prompt:
            on_prompt(1)
        distractors = distractors_for(prompt.real, persona_pool, others_pool, k, source, rng)
        if not distractors:
            continue
        candidates = [prompt.real, *distractors]
        scores = candidate_scores(persona, prompt.context, candidates)
        if score == "pmi":
            missing = [c for c in dict.fromkeys(candidates) if c not in priors]
            if missing:
                priors.update(zip(missing, candidate_scores(persona, NO_CONTEXT, missing)))
            scores = [s - priors[c] for s, c in zip(scores, candidates)]
        ranks.append(rank_of(scores))
        sizes.append(len(candidates))
    return summarize_ranks(ranks, sizes)


def summarize_ranks(ranks: Sequence[int], sizes: Sequence[int]) -> dict:
    """Accuracy at 1 and MRR of `ranks` (each among `sizes` candidates), with what chance would score."""
    n = len(ranks)
    if n == 0:
        return {"acc_at_1": None, "mrr": None, "acc_at_1_chance": None, "mrr_chance": None, "prompts": 0, "ranks": [], "candidates": []}
    return {
        "acc_at_1": sum(r == 1 for r in ranks) / n,
        "mrr": sum(1 / r for r in ranks) / n,
        "acc_at_1_chance": sum(1 / s for s in sizes) / n,
        "mrr_chance": sum(sum(1 / r for r in range(1, s + 1)) / s for s in sizes) / n,
        "prompts": n,
        "ranks": list(ranks),
        "candidates": list(sizes),
    }
