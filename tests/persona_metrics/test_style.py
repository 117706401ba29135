import pytest

from chatclone.errors import DatasetError
from chatclone.persona_metrics.style import FEATURES, feature_score, fit_style, frequent_phrases, measure, style_score


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
    assert result["score"] < 40
    assert result["features"]["casing"]["score"] < 20 and result["features"]["phrases"]["score"] < 20


def test_the_score_is_the_mean_of_the_feature_scores(mika_style, mika_says, others_say):
    result = style_score(mika_style, mika_says[300:320] + others_say[:20], seed=0)
    assert set(result["features"]) == set(FEATURES)
    assert result["score"] == pytest.approx(sum(f["score"] for f in result["features"].values()) / len(FEATURES))


def test_a_feature_scores_100_within_its_noise_and_halves_per_further_noise():
    assert feature_score(0.05, 0.1) == 100
    assert feature_score(0.2, 0.1) == pytest.approx(50)
    assert feature_score(0.3, 0.1) == pytest.approx(25)


def test_frequent_phrases_are_the_persons_habits_not_common_words(mika_says, others_say):
    phrases = frequent_phrases(mika_says[:300], others_say[:40])
    assert {"lmao", ":3", "ngl"} <= set(phrases)
    assert "the" not in phrases


def test_measure_sees_emoticons_laughter_casing_and_punctuation():
    flags = measure("lmao that's so cute :3 !!", phrases=["so cute"]).flags
    emoji, exclaim, question, period, ellipsis, lower_start, caps_word, laughter, filler, phrase = flags
    assert emoji and exclaim and lower_start and laughter and phrase
    assert not (question or period or ellipsis or caps_word or filler)
    assert measure("Meeting at 10:30:45, see https://example.org.", phrases=[]).flags[0] == 0


def test_too_few_persona_replies_cannot_be_calibrated_on():
    with pytest.raises(DatasetError, match="at least 4"):
        fit_style(["hi", "yo"], ["Hello."])
