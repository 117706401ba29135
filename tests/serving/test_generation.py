import pytest
import torch

from chatclone.serving import Persona, cut_turn
from chatclone.serving.generation import TurnWatcher, end_of_turn_ids, fit_history, generation_kwargs, prompt_length, speakers_in
from factories import make_config

SYSTEM = "You are Mika. Reply the way Mika does in chat."
HISTORY = [
    {"role": "user", "content": "first question from long ago"},
    {"role": "assistant", "content": "first answer from long ago"},
    {"role": "user", "content": "second question"},
    {"role": "assistant", "content": "second answer"},
    {"role": "user", "content": "newest question"},
]


class ScriptedModel:
    """Stands in for a causal LM: generate() emits the tokens of `text` one by one, asking the stopping criteria after each as transformers does."""

    device = torch.device("cpu")

    def __init__(self, tokenizer, text: str):
        self.tokens = tokenizer(text, add_special_tokens=False)["input_ids"]
        self.emitted = 0

    def generate(self, input_ids, stopping_criteria, max_new_tokens, eos_token_id, **kwargs):
        ids = input_ids
        for token in self.tokens[:max_new_tokens]:
            ids = torch.cat([ids, torch.tensor([[token]])], dim=1)
            self.emitted += 1
            if token in eos_token_id or stopping_criteria(ids, None).all():
                break
        return ids


def test_cut_turn_stops_at_a_new_chatml_turn():
    assert cut_turn("ok see you<|im_end|>\n<|im_start|>user\nbye") == ("ok see you", True)


def test_cut_turn_drops_the_line_where_another_speaker_starts():
    assert cut_turn("on my way\nRen: hurry up\nsure", speakers=["Ren"]) == ("on my way", True)


def test_cut_turn_drops_user_lines_and_bare_role_headers():
    assert cut_turn("sure\nUser: and then?") == ("sure", True)
    assert cut_turn("sure\nuser\nand then?") == ("sure", True)


def test_cut_turn_keeps_lines_that_only_begin_like_a_name():
    text = "Rent is due friday\nrenovation: done\nusers love it"
    assert cut_turn(text, speakers=["Ren"]) == (text, False)


def test_a_reply_that_opens_as_another_speaker_is_empty():
    assert cut_turn("Ren: you coming?", speakers=["Ren"]) == ("", True)


def test_streaming_holds_back_what_may_still_become_a_turn_marker():
    assert cut_turn("on my way\nRe", speakers=["Ren"], final=False) == ("on my way", False)
    assert cut_turn("fine <|im_e", final=False) == ("fine", False)
    assert cut_turn("sure\nuser", final=False) == ("sure", False)


def test_streaming_shows_a_last_line_once_it_cannot_be_a_marker():
    assert cut_turn("on my way\nReally", speakers=["Ren"], final=False) == ("on my way\nReally", False)


def test_speakers_are_the_names_of_user_lines_except_the_persona():
    history = [{"role": "user", "content": "Ren: you coming?\nYuki: tell us\nMika: me?"}, {"role": "assistant", "content": "Note: maybe"}]
    assert speakers_in(history, own_names=["mika"]) == {"Ren", "Yuki"}


def test_generation_stops_at_im_end(tokenizer):
    assert tokenizer.convert_tokens_to_ids("<|im_end|>") in end_of_turn_ids(tokenizer)


def test_temperature_zero_is_greedy_and_above_zero_samples():
    greedy = generation_kwargs(make_config(generation={"temperature": 0}).generation, [2], 2)
    sampled = generation_kwargs(make_config(generation={"temperature": 0.7, "top_p": 0.8, "top_k": 20}).generation, [2], 2)
    assert greedy["do_sample"] is False and "temperature" not in greedy
    assert sampled | {"do_sample": True, "temperature": 0.7, "top_p": 0.8, "top_k": 20} == sampled


def test_history_drops_oldest_turns_first_and_keeps_the_system_prompt(tokenizer):
    budget = prompt_length(tokenizer, [{"role": "system", "content": SYSTEM}, *HISTORY[2:]])
    messages = fit_history(tokenizer, SYSTEM, HISTORY, budget)
    assert messages == [{"role": "system", "content": SYSTEM}, *HISTORY[2:]]


def test_history_keeps_the_newest_turn_even_when_it_alone_is_over_budget(tokenizer):
    assert fit_history(tokenizer, SYSTEM, HISTORY, budget=1) == [{"role": "system", "content": SYSTEM}, HISTORY[-1]]


def test_persona_prompt_fits_max_length_minus_max_new_tokens(tokenizer):
    config = make_config(generation={"max_new_tokens": 16}, train={"max_length": 16 + prompt_length(tokenizer, [{"role": "system", "content": SYSTEM}, *HISTORY[3:]])})
    persona = Persona(None, tokenizer, config)
    persona.history = list(HISTORY)
    assert persona.prompt()[1:] == HISTORY[3:]


def test_watcher_stops_as_soon_as_another_speaker_starts_and_streams_only_the_reply(tokenizer):
    prompt = tokenizer("<|im_start|>assistant\n", add_special_tokens=False)["input_ids"]
    reply = tokenizer("on my way\nRen: hurry up", add_special_tokens=False)["input_ids"]
    shown: list[str] = []
    watcher = TurnWatcher(tokenizer, len(prompt), speakers=["Ren"], stream=shown.append)
    stops = [bool(watcher(torch.tensor([prompt + reply[:n]]), None)[0]) for n in range(1, len(reply) + 1)]
    decoded = [tokenizer.decode(reply[:n]) for n in range(1, len(reply) + 1)]
    assert stops.index(True) == next(i for i, text in enumerate(decoded) if "Ren:" in text)
    assert "".join(shown) == "on my way"


def test_reply_never_contains_the_users_next_line(tokenizer, persona_config):
    model = ScriptedModel(tokenizer, "on my way\nRen: hurry up\nMika: ok<|im_end|>")
    persona = Persona(model, tokenizer, persona_config)
    assert persona.reply("Ren: you coming?") == "on my way"
    assert model.emitted < len(model.tokens)


def test_a_runaway_run_of_one_punctuation_mark_ends_the_reply():
    assert cut_turn("oh my baby" + "," * 40 + "you can visit me") == ("oh my baby,,,", True)
    kept = "wait WHAT!!!!!!!!!!!! " + "-" * 31
    assert cut_turn(kept) == (kept.rstrip(), False)


def test_a_reply_stuck_on_commas_stops_generating(tokenizer, persona_config):
    model = ScriptedModel(tokenizer, "oh my baby" + ",,,,,,,,,,,,,,,," * 20 + "<|im_end|>")
    persona = Persona(model, tokenizer, persona_config)
    assert persona.reply("hi") == "oh my baby,,,"
    assert model.emitted < len(model.tokens) - 10


def test_reply_adds_both_turns_to_the_history(tokenizer, persona_config):
    persona = Persona(ScriptedModel(tokenizer, "hey<|im_end|>"), tokenizer, persona_config)
    persona.reply("hi")
    assert persona.history == [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hey"}]


def test_reset_clears_the_history(tokenizer, persona_config):
    persona = Persona(ScriptedModel(tokenizer, "hey<|im_end|>"), tokenizer, persona_config)
    persona.reply("hi")
    persona.reset()
    assert persona.history == [] and persona.prompt() == [{"role": "system", "content": persona_config.resolved_system_prompt()}]


@pytest.fixture(scope="module")
def greeting(loaded_persona, persona_config):
    """(reply, streamed pieces) of the real model answering "hi"; the instruct base answers in a dozen tokens."""
    persona = Persona(loaded_persona.model, loaded_persona.tokenizer, persona_config)
    pieces: list[str] = []
    return persona.reply("hi", stream=pieces.append), pieces


def test_the_model_reply_ends_at_its_end_of_turn(greeting, tokenizer, persona_config):
    reply, _ = greeting
    assert reply and "<|im" not in reply
    assert len(tokenizer(reply)["input_ids"]) < persona_config.generation.max_new_tokens


def test_streamed_pieces_add_up_to_the_reply(greeting):
    reply, pieces = greeting
    assert len(pieces) > 1 and "".join(pieces) == reply


def test_on_cpu_the_persona_is_served_with_int8_linear_layers_and_still_answers(tmp_path, base_model_path, untrained_adapter, persona_config):
    import torch

    from chatclone.serving import load_persona
    from factories import make_run

    config = persona_config.model_copy(update={"generation": persona_config.generation.model_copy(update={"cpu_int8": True})})
    persona = load_persona(make_run(tmp_path, base_model_path, untrained_adapter), config)
    float_layers = {name.rsplit(".", 1)[-1] for name, m in persona.model.named_modules() if type(m) is torch.nn.Linear}
    assert any(isinstance(m, torch.ao.nn.quantized.dynamic.Linear) for m in persona.model.modules())
    assert float_layers == {"down_proj"}
    done = persona.complete([{"role": "user", "content": "hi"}])
    assert done.text and "<|im" not in done.text and done.completion_tokens > 0


def test_int8_serving_keeps_the_models_perplexity_close_to_float(base_model_path):
    import torch

    from chatclone.evaluation import assistant_perplexity
    from chatclone.models import load_model, load_tokenizer
    from chatclone.serving.generation import quantize_int8

    tokenizer = load_tokenizer(base_model_path)
    conversations = [[{"role": "user", "content": q}, {"role": "assistant", "content": a}] for q, a in (
        ("what did you have for lunch?", "Just a sandwich and some soup, nothing fancy. How about you?"),
        ("are you coming to the meeting?", "Yes, I will be there at three. Should I bring the slides?"),
        ("how was the weekend?", "It was great, we went hiking and the weather was perfect all day."))]
    with torch.no_grad():
        model = load_model(base_model_path, "none", "cpu").eval()
        full = assistant_perplexity(model, tokenizer, conversations, 256)["perplexity"]
        quantized = assistant_perplexity(quantize_int8(model), tokenizer, conversations, 256)["perplexity"]
    assert quantized < 1.25 * full, (quantized, full)
