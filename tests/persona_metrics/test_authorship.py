import pytest

from chatclone.errors import DatasetError
from chatclone.persona_metrics.authorship import balanced_accuracy, persona_probabilities, persona_share, pieces, train_classifier


@pytest.fixture(scope="module")
def classifier(mika_says, others_say):
    return train_classifier(mika_says[:300], others_say[:40], seed=0)


def test_the_persons_unseen_replies_are_attributed_to_the_persona(classifier, mika_says):
    assert persona_share(classifier, mika_says[300:]) >= 0.9


def test_another_speakers_unseen_lines_are_not(classifier, others_say):
    assert persona_share(classifier, others_say[40:]) <= 0.1


def test_a_reply_identical_to_a_training_reply_is_the_personas(classifier, mika_says):
    assert persona_probabilities(classifier, [mika_says[0]])[0] > 0.5


def test_an_empty_reply_is_attributed_to_no_one(classifier):
    assert persona_probabilities(classifier, ["", "   "]) == [0.0, 0.0]
    assert persona_share(classifier, []) is None


def test_balanced_accuracy_averages_both_recalls(classifier, mika_says, others_say):
    assert balanced_accuracy(classifier, mika_says[300:], others_say[40:]) >= 0.9
    assert balanced_accuracy(classifier, [], others_say) is None


def test_the_classifier_needs_both_sides(mika_says):
    with pytest.raises(DatasetError, match="both sides"):
        train_classifier(mika_says, [])


def test_texts_are_cut_into_short_pieces_at_spaces():
    assert pieces("one two three four five six seven eight", width=10) == ["one two", "three four", "five six", "seven", "eight"]
    assert pieces("a" * 40, width=10) == ["a" * 40] and pieces("   ") == []


def test_a_long_reply_is_scored_as_the_mean_of_its_pieces(classifier, mika_says, others_say):
    long_mix = " ".join([mika_says[300], others_say[40], others_say[41], others_say[42]])
    probabilities = persona_probabilities(classifier, [mika_says[300], others_say[40], long_mix])
    assert probabilities[2] < 0.5 and probabilities[1] < probabilities[2] < probabilities[0]
