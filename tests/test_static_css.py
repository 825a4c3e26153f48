"""The site's own stylesheets parse as written: no parse error, and no rule swallowed by another (a
missing "}" turns every later rule into a nested one that browsers drop, silently)."""

from pathlib import Path

import pytest
import tinycss2

CSS = sorted((Path(__file__).resolve().parent.parent / "static" / "css").rglob("*.css"))


def _problems(rules, *, nested_ok: bool) -> list[str]:
    found = []
    for rule in rules:
        if rule.type == "error":
            found.append(f"line {rule.source_line}: {rule.message}")
        elif rule.type == "qualified-rule" and not nested_ok:
            if any(token.type == "{} block" for token in rule.content):
                found.append(f"line {rule.source_line}: a rule inside a rule (a missing closing brace?)")
        elif (
            rule.type == "at-rule"
            and rule.content is not None
            and rule.lower_at_keyword in {"media", "supports"}
        ):
            found += _problems(tinycss2.parse_rule_list(rule.content), nested_ok=False)
    return found


@pytest.mark.parametrize("path", CSS, ids=lambda path: path.name)
def test_stylesheet_parses_as_written(path):
    rules = tinycss2.parse_stylesheet(
        path.read_text(encoding="utf-8"), skip_comments=True, skip_whitespace=True
    )

    assert _problems(rules, nested_ok=False) == []
