"""The reason catalogue: every code the builders can write exists and renders in both locales."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from flask_babel import force_locale

from workbench.suggestions import reasons

BUILDERS = Path(reasons.__file__).parent


def produced_codes() -> set[str]:
    """Codes the builder modules pass to ``reason(…)`` (literal, or the price_response_* family)."""
    codes = set()
    for path in BUILDERS.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        codes |= set(re.findall(r'reason\(\s*"(\w+)"', text))
        if 'f"price_response_{source}"' in text:
            codes |= {"price_response_store", "price_response_brand"}
    return codes


def sample(name: str):
    if name.endswith("_fen"):
        return 12345
    if name.endswith("_pct"):
        return 0.25
    if name.endswith("_x"):
        return 2.4
    if name == "weekday":
        return 0
    if name == "profile":
        return "elderly"
    if name in ("items", "antecedent"):
        return ["草莓", "牛奶"]
    return 3


def test_every_produced_code_is_in_the_catalogue():
    codes = produced_codes()
    assert {"talk_surge", "expires_soon", "low_cover", "bundle_support", "cold_start_store"} <= codes
    assert codes <= set(reasons.CATALOGUE), codes - set(reasons.CATALOGUE)


def test_every_code_renders_in_both_locales(app):
    with app.test_request_context():
        for code, template in sorted(reasons.CATALOGUE.items()):
            names = {f for _, f, _, _ in string.Formatter().parse(str(template)) if f}
            card_reason = reasons.reason(code, **{n: sample(n) for n in names})
            for locale in ("en", "zh_Hans_CN"):
                with force_locale(locale):
                    text = reasons.render_reason(card_reason)
                    assert text and "{" not in text, (code, locale, text)


def test_param_formats(app):
    with app.test_request_context(), force_locale("en"):
        text = reasons.render_reason(reasons.reason("markdown_gain", discount_pct=0.25, units=5, quantity=6,
                                                    revenue_fen=13182, full_fen=5224))
        assert text == "At 25% off, about 5 of 6 sell before expiry for ¥131.82, against ¥52.24 at full price"
        assert reasons.render_reason(reasons.reason("same_weekday", units=31, weekday=0)) == "Sold 31 last Mon"
        assert "+35%" in reasons.render_reason(reasons.reason("hot_day", temp=33, category="水果",
                                                              lift_chg_pct=0.35))
        assert "2.4×" in reasons.render_reason(reasons.reason("talk_surge", topic="低糖", count=18, ratio_x=2.4))
        assert reasons.render_reason({"code": "no_such_code", "params": {}}) == "no_such_code"
    with pytest.raises(KeyError):
        reasons.reason("no_such_code")
