"""Classification bands."""

import numpy as np
import pytest

from scoring import DEFAULT_BANDS, Band, Bands, ScoringError


def test_default_bands_are_the_2022_example():
    # Excellent >= 95; Good 85 to < 95; Fair 75 to < 85; Average 70 to < 75; Weak < 70
    assert [(b.key, b.label, b.lower) for b in DEFAULT_BANDS] == [
        ("excellent", "Xuất sắc", 95.0),
        ("good", "Tốt", 85.0),
        ("fair", "Khá", 75.0),
        ("average", "Trung bình", 70.0),
        ("weak", "Yếu", None),
    ]


def test_a_cli_spec_parses_to_the_default_bands_and_prints_back():
    spec = "excellent:95,good:85,fair:75,average:70,weak"
    assert Bands.parse(spec) == DEFAULT_BANDS
    assert str(Bands.parse(spec)) == spec
    assert Bands.parse(" excellent : 95 , weak ") == Bands([("excellent", "Xuất sắc", 95), ("weak", "Yếu", None)])


def test_unknown_keys_get_their_key_or_a_given_label():
    bands = Bands.parse("top:90,rest", labels={"top": "Nhóm đầu"})
    assert (bands.label("top"), bands.label("rest")) == ("Nhóm đầu", "rest")


def test_classify_uses_inclusive_lower_bounds_and_none_for_missing_values():
    values = [100, 95, 94.999, 85, 84.99, 75, 74.99, 70, 69.99, 0, np.nan]
    expected = ["excellent", "excellent", "good", "good", "fair", "fair", "average", "average", "weak", "weak", None]
    assert DEFAULT_BANDS.classify(values).tolist() == expected


@pytest.mark.parametrize(
    "spec",
    [
        "",
        "good:85,excellent:95,weak",  # bounds must decrease
        "excellent:95,good:85",  # the last band needs no bound
        "excellent:95,good,weak",  # only the last band may lack a bound
        "excellent:95,excellent:85,weak",  # duplicate key
        "excellent:high,weak",  # not a number
        "excellent:,weak",
        "excellent:inf,weak",
    ],
)
def test_malformed_band_specs_are_invalid_bands_errors(spec):
    with pytest.raises(ScoringError) as err:
        Bands.parse(spec)
    assert err.value.code == "invalid_bands"


def test_bands_accept_band_objects_and_reject_bad_tuples():
    assert Bands([Band("a", "A", 50), Band("b", "B", None)]).keys == ("a", "b")
    with pytest.raises(ScoringError) as err:
        Bands([("a", 50)])
    assert err.value.code == "invalid_bands"
    with pytest.raises(ScoringError):
        DEFAULT_BANDS.label("nope")
