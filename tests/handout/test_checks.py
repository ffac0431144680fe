"""System checks for the handout renderer (consult/checks.py)."""

from __future__ import annotations

from consult import checks


def test_no_warning_when_harfbuzz_subset_the_japanese_font_and_an_emoji_font_are_installed():
    assert checks.harfbuzz_subset_available()
    assert checks.JAPANESE_FONT in checks.japanese_fonts()
    assert checks.emoji_fonts()
    assert checks.handout_rendering(None) == []


def test_it_warns_when_weasyprint_cannot_load_harfbuzz_subset(monkeypatch):
    monkeypatch.setattr(checks, "harfbuzz_subset_available", lambda: False)
    warnings = checks.handout_rendering(None)
    assert [w.id for w in warnings] == ["consult.W002"]
    assert "HarfBuzz-Subset" in warnings[0].msg and "libharfbuzz-subset0" in warnings[0].hint


def test_it_warns_when_no_japanese_font_is_found(monkeypatch):
    monkeypatch.setattr(checks, "japanese_fonts", lambda: [])
    assert [w.id for w in checks.handout_rendering(None)] == ["consult.W003"]
    monkeypatch.setattr(checks, "japanese_fonts", lambda: ["IPAexGothic", "Noto Sans CJK JP"])
    warnings = checks.handout_rendering(None)
    assert [w.id for w in warnings] == ["consult.W004"]
    assert "Noto Sans CJK JP" in warnings[0].msg and "fonts-morisawa-bizud-gothic" in warnings[0].hint


def test_it_warns_when_no_emoji_font_is_found(monkeypatch):
    monkeypatch.setattr(checks, "emoji_fonts", lambda: [])
    warnings = checks.handout_rendering(None)
    assert [w.id for w in warnings] == ["consult.W005"]
    assert "fonts-noto-color-emoji" in warnings[0].hint


def test_the_check_is_registered():
    from django.core.checks import registry

    assert checks.handout_rendering in registry.registry.get_checks()
