"""What a badge is made of (``delegates/badges/content.py``): the colours of the category band, whose
text colour is chosen for contrast with the category's colour."""

import pytest

from delegates.badges.content import band_text_colour, contrast_ratio


@pytest.mark.parametrize(
    ("background", "text"),
    [
        ("#fde047", "#111111"),
        ("#ffffff", "#111111"),
        ("#b91c1c", "#ffffff"),
        ("#1d4ed8", "#ffffff"),
        ("#15803d", "#ffffff"),
    ],
)
def test_band_text_colour_contrasts_with_the_category_colour(background, text):
    assert band_text_colour(background) == text
    assert contrast_ratio(background, text) >= 4.5
