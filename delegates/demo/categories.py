"""The delegate categories of the demo forums: the same seven every year, with the capacities of each
forum. Lower protocol ranks come first. Every badge colour carries its band text (dark or white,
whichever contrasts more) at 4.5:1 or better, WCAG's level for normal text."""

from .shapes import DemoCategory


def categories(
    *,
    mayors: int,
    national: int,
    vice_mayors: int,
    officials: int,
    partners: int,
    media: int,
) -> list[DemoCategory]:
    return [
        DemoCategory(
            "mayor-governor", "Mayor / Governor", mayors, 10, "#8b1538", heads_of_local_government=True
        ),
        DemoCategory("national-government", "National government", national, 20, "#5b21b6"),
        DemoCategory("vice-mayor", "Vice-mayor / Vice-governor", vice_mayors, 30, "#1e40af"),
        DemoCategory("city-official", "City official", officials, 40, "#166534"),
        DemoCategory("partner", "Partner organisation", partners, 50, "#b45309", requires_approval=True),
        DemoCategory("media", "Media", media, 60, "#0e7490", requires_approval=True),
        # Staff-only: the secretariat's own people, assigned by staff, never on the public form.
        DemoCategory("secretariat", "Secretariat", None, 90, "#374151", is_public=False),
    ]
