import pytest

from chatclone.errors import DatasetError
from chatclone.persona_metrics.style import _PER_REPLY, FEATURES, component_score, fit_style, frequent_phrases, measure, style_score


@pytest.fixture(scope="module")
def mika_style(mika_says, others_say):
    return fit_style(mika_says[:300], others_say[:40])


def test_the_persons_own_replies_score_100(mika_style, mika_says):
    assert style_score(mika_style, mika_says[:300], seed=0)["score"] == pytest.approx(100)


def test_held_out_replies_of_the_person_score_near_100(mika_style, mika_says):
    result = style_score(mika_style, mika_says[300:340], seed=0)
    assert result["score"] >= 90 and result["replies"] == 40


def test_another_speakers_replies_score_low(mika_style, others_say):
    result = style_score(mika_style, others_say[:40], seed=0)
    assert result["score"] < 50
    assert result["features"]["casing"]["components"]["starts_lower"]["score"] < 20 and result["features"]["phrases"]["score"] < 20


def test_the_score_is_the_mean_of_the_feature_scores(mika_style, mika_says, others_say):
    result = style_score(mika_style, mika_says[300:320] + others_say[:20], seed=0)
    assert set(result["features"]) == set(FEATURES)
    assert result["score"] == pytest.approx(sum(f["score"] for f in result["features"].values()) / len(FEATURES))


def test_a_component_scores_100_within_its_noise_and_halves_per_further_noise():
    assert component_score(0.05, 0.1) == 100
    assert component_score(0.2, 0.1) == pytest.approx(50)
    assert component_score(0.3, 0.1) == pytest.approx(25)


def test_a_feature_is_the_mean_of_its_components(mika_style, mika_says):
    punctuation = style_score(mika_style, mika_says[300:320], seed=0)["features"]["punctuation"]
    assert set(punctuation["components"]) == {"exclamations", "questions", "ellipses", "ends_with_period"}
    assert punctuation["score"] == pytest.approx(sum(c["score"] for c in punctuation["components"].values()) / 4)


def test_rambling_on_does_not_earn_more_of_the_persons_habits(mika_style, mika_says):
    short = style_score(mika_style, mika_says[300:330], seed=0)["features"]
    padding = " and then the meeting went on for a while about the schedule"
    rambling = style_score(mika_style, [t + padding * 4 for t in mika_says[300:330]], seed=0)["features"]
    assert rambling["phrases"]["score"] < short["phrases"]["score"] and rambling["laughter_filler"]["score"] < short["laughter_filler"]["score"]


def test_frequent_phrases_are_the_persons_habits_not_common_words(mika_says, others_say):
    phrases = frequent_phrases(mika_says[:300], others_say[:40])
    assert {"lmao", ":3", "ngl"} <= set(phrases)
    assert "the" not in phrases


def test_measure_counts_emoticons_laughter_casing_and_punctuation_per_word():
    values = dict(zip(_PER_REPLY, measure("lmao that's so cute :3 !!", phrases=["so cute"]).values))
    assert values["emoji"] == pytest.approx(1 / 5) and values["exclamations"] == pytest.approx(2 / 5)
    assert values["laughter"] == values["phrases"] == pytest.approx(1 / 5) and values["starts_lower"] == 1
    assert values["questions"] == values["ends_with_period"] == values["ellipses"] == values["caps_words"] == values["fillers"] == 0
    assert dict(zip(_PER_REPLY, measure("Meeting at 10:30:45, see https://example.org.", phrases=[]).values))["emoji"] == 0


def test_too_few_persona_replies_cannot_be_calibrated_on():
    with pytest.raises(DatasetError, match="at least 4"):
        fit_style(["hi", "yo"], ["Hello."])
