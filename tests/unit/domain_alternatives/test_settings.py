import pytest

from app.domain.alternatives import AlternativesSettings
from app.domain.errors import InvalidInput


def test_defaults_are_the_documented_ones():
    settings = AlternativesSettings()
    assert settings.to_dict() == {
        "enabled": True,
        "max_suggestions": 3,
        "price_band_percent": 25,
        "same_type_only": False,
        "excluded_tags": [],
    }


def test_from_dict_reads_every_field_and_round_trips():
    data = {
        "enabled": False,
        "max_suggestions": 10,
        "price_band_percent": 0,
        "same_type_only": True,
        "excluded_tags": [" final-sale ", "Gift Card", "final-sale"],
    }
    settings = AlternativesSettings.from_dict(data)
    assert settings.excluded_tags == ("final-sale", "Gift Card")
    assert settings.excluded_tag_keys == {"final-sale", "gift card"}
    assert AlternativesSettings.from_dict(settings.to_dict()) == settings


def test_a_partial_dict_keeps_the_other_defaults():
    settings = AlternativesSettings.from_dict({"price_band_percent": 100})
    assert settings.price_band_percent == 100
    assert settings.max_suggestions == 3


@pytest.mark.parametrize(
    "field, value",
    [
        ("enabled", "yes"),
        ("enabled", 1),
        ("same_type_only", None),
        ("max_suggestions", 0),
        ("max_suggestions", 11),
        ("max_suggestions", 2.5),
        ("max_suggestions", True),
        ("max_suggestions", "3"),
        ("price_band_percent", -1),
        ("price_band_percent", 101),
        ("price_band_percent", 12.5),
        ("excluded_tags", "sale"),
        ("excluded_tags", ["sale", ""]),
        ("excluded_tags", ["sale", 3]),
        ("excluded_tags", None),
    ],
)
def test_invalid_values_name_the_field(field, value):
    with pytest.raises(InvalidInput) as caught:
        AlternativesSettings.from_dict({field: value})
    assert caught.value.field == field


def test_an_unknown_key_is_rejected_not_ignored():
    with pytest.raises(InvalidInput) as caught:
        AlternativesSettings.from_dict({"price_band": 10})
    assert caught.value.field == "price_band"


def test_settings_must_be_an_object():
    with pytest.raises(InvalidInput):
        AlternativesSettings.from_dict(["enabled"])


def test_direct_construction_is_validated_too():
    with pytest.raises(InvalidInput) as caught:
        AlternativesSettings(max_suggestions=20)
    assert caught.value.field == "max_suggestions"
