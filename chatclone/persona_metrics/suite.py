"""Every persona metric of one training run, base model against tuned: what `chatclone eval` computes besides perplexity.

Both models are loaded with `load_persona` (the serving core: same system prompt, same context
fitting, same turn cutting), one after the other, and given exactly the same prompts,
distractors and seeds. Only the adapter differs. Weights stay in float even where serving
would use int8 on CPU ([generation] cpu_int8): on the demo persona int8 raised held-out
perplexity about fourfold (base 148 -> 593, tuned 67 -> 273) and erased the tuned model's edge in
reply ranking, so it would measure the quantization, not the fine-tune.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable
from pathlib import Path

from chatclone.config import Eval, PersonaConfig
from chatclone.errors import DatasetError
from chatclone.evaluation import held_out_split, read_conversations, split_path
from chatclone.persona_metrics import authorship, ranking, scenarios, style
from chatclone.persona_metrics.heldout import Prompt, held_out_prompts, other_lines, persona_lines
from chatclone.runs import RunRecord

log = logging.getLogger(__name__)

SIDES = ("base", "tuned")


def _run_side(persona, prompts: list[Prompt], persona_pool: list[str], others_pool: list[str], settings: Eval,
              advance: Callable[[int], None]) -> dict:
    """Ranking, generated replies and scenario transcripts of one model; `advance(1)` after each prompt ranked, reply and scenario."""
    t0 = time.monotonic()
    ranked = ranking.rank_replies(persona, prompts, persona_pool, others_pool, settings.distractors, settings.distractor_source,
                                  settings.seed, settings.ranking_score, on_prompt=advance)
    t1 = time.monotonic()
    sample = {"temperature": settings.temperature, "top_p": settings.top_p, "max_tokens": settings.max_new_tokens}
    replies = []
    for i, p in enumerate(prompts):
        replies.append(persona.complete(p.context, seed=settings.seed + i, **sample).text)
        advance(1)
    t2 = time.monotonic()
    transcripts = scenarios.replay_all(persona, settings.scenarios, seed=settings.seed, on_scenario=advance, **sample)
    seconds = {"ranking": t1 - t0, "replies": t2 - t1, "scenarios": time.monotonic() - t2}
    log.info("ranking %.0f s, %d replies %.0f s, scenarios %.0f s", seconds["ranking"], len(replies), seconds["replies"], seconds["scenarios"])
    return {"ranking": ranked, "replies": replies, "scenarios": transcripts, "seconds": seconds}


def evaluate_persona(run: RunRecord, config: PersonaConfig, datasets_dir: Path, split: str = "test", device: str = "cpu",
                     on_progress: Callable[..., None] | None = None) -> dict:
    """The persona metrics of `run` on a held-out split (test, or val when test is empty), base vs tuned.

    Returns a JSON-ready dict: run, persona, split, seconds, dataset (sizes), settings, metrics
    (flat numbers, as logged to MLflow), ranking, style, authorship (details of each side),
    scenarios (merged transcripts), replies (the rows of replies.jsonl) and skipped: style and
    authorship are left out, with the reason, when the training split is too small to learn the
    person from. Raises DatasetError when the held-out split has no prompt. `on_progress(n, total=...)`
    is called with the total of steps (prompts ranked, replies, scenarios, both models), then after each.
    """
    from chatclone.serving.generation import load_persona

    started = time.monotonic()
    settings = config.eval
    float_weights = config.model_copy(update={"generation": config.generation.model_copy(update={"cpu_int8": False})})
    used = held_out_split(datasets_dir, split)
    held = read_conversations(split_path(datasets_dir, used))
    train = read_conversations(split_path(datasets_dir, "train")) if split_path(datasets_dir, "train").exists() else []
    prompts = held_out_prompts(held, used, settings.prompts, settings.seed)
    if not prompts:
        raise DatasetError(f"{split_path(datasets_dir, used)}: no persona reply follows a user turn; nothing to evaluate")
    persona_pool, others_pool = persona_lines(held), other_lines(held)
    train_persona, train_others = persona_lines(train), other_lines(train)
    skipped: dict[str, str] = {}
    fitted = _or_skip(lambda: style.fit_style(train_persona, train_others), "style", skipped)
    classifier = _or_skip(lambda: authorship.train_classifier(train_persona, train_others, settings.seed), "authorship", skipped)

    advance = on_progress or (lambda n, total=None: None)
    advance(0, total=len(SIDES) * (2 * len(prompts) + len(settings.scenarios)))
    sides, seconds = {}, {}
    for side, weights in (("base", run.base_model_path), ("tuned", run)):
        t0 = time.monotonic()
        log.info("persona metrics: %s model, %d prompts", side, len(prompts))
        persona = load_persona(weights, float_weights, device=device)
        sides[side] = _run_side(persona, prompts, persona_pool, others_pool, settings, advance)
        del persona
        gc.collect()
        seconds[side] = {"total": time.monotonic() - t0, **sides[side]["seconds"]}

    texts = {"real": [p.real for p in prompts], **{side: sides[side]["replies"] for side in SIDES}}
    styles = {name: style.style_score(fitted, t, settings.seed) for name, t in texts.items()} if fitted else {}
    if classifier is not None:
        probabilities = {name: authorship.persona_probabilities(classifier, t) for name, t in texts.items()}
        shares = {name: authorship.persona_share(classifier, t) for name, t in texts.items()}
        accuracy = authorship.balanced_accuracy(classifier, persona_pool, others_pool)
    else:
        probabilities, shares, accuracy = {}, {}, None
    dataset = {
        "train_examples": len(train), "train_persona_replies": len(train_persona), "train_other_lines": len(train_others),
        "held_out_examples": len(held), "held_out_prompts": len(prompts), "held_out_other_lines": len(others_pool),
    }
    result = {
        "run": run.name,
        "persona": config.name,
        "split": used,
        "dataset": dataset,
        "settings": config.eval.model_dump(exclude={"scenarios"}),
        "metrics": flat_metrics(sides, styles, shares, accuracy, dataset),
        "ranking": {side: sides[side]["ranking"] for side in SIDES},
        "style": {**styles, "phrases": list(fitted.phrases)} if fitted else {},
        "authorship": {"probabilities": probabilities, "shares": shares, "accuracy": accuracy} if classifier is not None else {},
        "skipped": skipped,
        "scenarios": scenarios.merge({side: sides[side]["scenarios"] for side in SIDES}),
        "replies": [{"id": p.id, "messages": p.context, "real": p.real, "tuned": sides["tuned"]["replies"][i], "base": sides["base"]["replies"][i]}
                    for i, p in enumerate(prompts)],
        "seconds": {**seconds, "total": time.monotonic() - started},
    }
    return result


def _or_skip(make, metric: str, skipped: dict[str, str]):
    """make(), or None with the reason noted in `skipped` when the data cannot support `metric` (a DatasetError)."""
    try:
        return make()
    except DatasetError as e:
        log.warning("%s score left out: %s", metric, e)
        skipped[metric] = str(e)
        return None


def flat_metrics(sides: dict, styles: dict, shares: dict, accuracy: float | None, dataset: dict) -> dict[str, float]:
    """The numbers logged to MLflow, one flat name each (None values left out)."""
    metrics: dict[str, float | None] = {}
    for side in SIDES:
        ranked = sides[side]["ranking"]
        metrics[f"reply_rank_acc1_{side}"] = ranked["acc_at_1"]
        metrics[f"reply_rank_mrr_{side}"] = ranked["mrr"]
    metrics["reply_rank_acc1_chance"] = sides["base"]["ranking"]["acc_at_1_chance"]
    metrics["reply_rank_mrr_chance"] = sides["base"]["ranking"]["mrr_chance"]
    for name, scored in styles.items():
        metrics[f"style_score_{name}"] = scored["score"]
        for feature, values in scored["features"].items():
            metrics[f"style_{feature}_{name}"] = values["score"]
    for name, share in shares.items():
        metrics[f"authorship_share_{name}"] = share
    metrics["authorship_accuracy"] = accuracy
    metrics["eval_prompts"] = dataset["held_out_prompts"]
    metrics["eval_train_examples"] = dataset["train_examples"]
    return {k: float(v) for k, v in metrics.items() if v is not None}
