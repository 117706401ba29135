from chatclone.chat_tokens import IGNORE, tokenize_conversation, tokenize_texts
from chatclone.models import DEFAULT_CHAT_TEMPLATE, load_tokenizer

CONVERSATION = [
    {"role": "system", "content": "You are Mika."},
    {"role": "user", "content": "Ren: hi who are you?"},
    {"role": "assistant", "content": "mika!! hi :3"},
    {"role": "user", "content": "Yuki: ok\nRen: cool"},
    {"role": "assistant", "content": "lmao"},
]


def trained_text(tokenizer, example) -> str:
    return tokenizer.decode([t for t, label in zip(example["input_ids"], example["labels"]) if label != IGNORE])


def test_every_non_assistant_token_has_label_minus_100(base_path):
    tokenizer = load_tokenizer(base_path)
    example = tokenize_conversation(tokenizer, CONVERSATION)
    assert trained_text(tokenizer, example) == "mika!! hi :3<|im_end|>\nlmao<|im_end|>\n"
    # and the complement: everything else, role headers included, is masked
    masked = tokenizer.decode([t for t, label in zip(example["input_ids"], example["labels"]) if label == IGNORE])
    assert "Ren: hi who are you?" in masked and "You are Mika." in masked and "<|im_start|>assistant" in masked
    assert "mika!!" not in masked


def test_labels_equal_input_ids_where_trained(base_path):
    tokenizer = load_tokenizer(base_path)
    example = tokenize_conversation(tokenizer, CONVERSATION)
    assert len(example["input_ids"]) == len(example["labels"])
    assert all(label in (IGNORE, token) for token, label in zip(example["input_ids"], example["labels"]))


def test_the_rendered_conversation_is_unchanged_by_labelling(base_path):
    tokenizer = load_tokenizer(base_path)
    example = tokenize_conversation(tokenizer, CONVERSATION)
    assert tokenizer.decode(example["input_ids"]) == tokenizer.apply_chat_template(CONVERSATION, tokenize=False)


def test_default_template_masks_the_same_way(base_path):
    tokenizer = load_tokenizer(base_path)
    tokenizer.chat_template = DEFAULT_CHAT_TEMPLATE
    example = tokenize_conversation(tokenizer, CONVERSATION)
    assert trained_text(tokenizer, example) == "mika!! hi :3<|im_end|>\nlmao<|im_end|>\n"


def test_truncation_keeps_the_start(base_path):
    tokenizer = load_tokenizer(base_path)
    example = tokenize_conversation(tokenizer, CONVERSATION, max_length=10)
    assert len(example["input_ids"]) == 10 and all(label == IGNORE for label in example["labels"])


def test_cpt_text_is_cut_into_max_length_pieces_ending_with_eos(base_path):
    tokenizer = load_tokenizer(base_path)
    pieces = list(tokenize_texts(tokenizer, ["word " * 50], max_length=16))
    assert all(len(p["input_ids"]) <= 16 and p["labels"] == p["input_ids"] for p in pieces)
    assert pieces[-1]["input_ids"][-1] == tokenizer.eos_token_id
