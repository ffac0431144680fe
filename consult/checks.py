"""System checks for the handout renderer: HarfBuzz-Subset, the Japanese font and an emoji font (design.md §2)."""

from __future__ import annotations

import logging
import shutil
import subprocess

from django.core.checks import Warning, register

# WeasyPrint reports every rendering step at INFO; keep that out of the logs (see clinic/lib/pdf.py).
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

# The handout's font (static/handout/handout.css): Morisawa's universal-design Gothic, a TrueType font of
# 14,000 glyphs with a real bold. Noto Sans CJK JP, next in the font stack, looks as good but is a
# 65,000-glyph CFF collection that takes WeasyPrint ~0.1 s longer per handout to subset and embed.
JAPANESE_FONT = "BIZ UDPGothic"
JAPANESE_FONT_PACKAGE = "fonts-morisawa-bizud-gothic"
FALLBACK_JAPANESE_FONT = "Noto Sans CJK JP"
# Emoji typed into names or notes print from whichever font fontconfig finds for them (not from the font
# stack: Pango would then take digits and spaces from the emoji font too).
EMOJI_FONT_PACKAGE = "fonts-noto-color-emoji"


def harfbuzz_subset_available() -> bool:
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    return harfbuzz_subset is not None and bool(harfbuzz.hb_version_atleast(4, 1, 0))


def _font_families(pattern: str) -> list[str]:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return []
    try:
        output = subprocess.run(
            [fc_list, pattern, "family"], capture_output=True, text=True, timeout=20, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted({name.strip() for line in output.splitlines() for name in line.split(",") if name.strip()})


def japanese_fonts() -> list[str]:
    """Font families fontconfig offers for Japanese (`fc-list :lang=ja family`)."""
    return _font_families(":lang=ja")


def emoji_fonts() -> list[str]:
    """Font families that have a glyph for 😀 (U+1F600)."""
    return _font_families(":charset=1f600")


@register()
def handout_rendering(app_configs, **kwargs) -> list[Warning]:
    warnings = []
    try:
        subset_ok = harfbuzz_subset_available()
    except (ImportError, OSError) as exc:
        return [
            Warning(
                f"WeasyPrint cannot be loaded ({exc}); handouts cannot be printed.",
                hint="Install Pango (Debian: libpango-1.0-0 libpangoft2-1.0-0).",
                id="consult.W001",
            )
        ]
    if not subset_ok:
        warnings.append(
            Warning(
                "WeasyPrint cannot load HarfBuzz-Subset; it falls back to fontTools, about 25 times slower "
                "on Japanese handouts.",
                hint="Install HarfBuzz-Subset 4.1 or later (Debian: libharfbuzz-subset0).",
                id="consult.W002",
            )
        )
    fonts = japanese_fonts()
    if not fonts:
        warnings.append(
            Warning(
                "No Japanese font found (fc-list :lang=ja): Japanese handouts would print as boxes.",
                hint=f"Install {JAPANESE_FONT} (Debian: {JAPANESE_FONT_PACKAGE}) and fontconfig.",
                id="consult.W003",
            )
        )
    elif JAPANESE_FONT not in fonts:
        fallback = FALLBACK_JAPANESE_FONT if FALLBACK_JAPANESE_FONT in fonts else fonts[0]
        warnings.append(
            Warning(
                f"{JAPANESE_FONT} is not installed; handouts use another Japanese font ({fallback}) and may "
                "take longer to print.",
                hint=f"Install {JAPANESE_FONT_PACKAGE} for the intended look and speed.",
                id="consult.W004",
            )
        )
    if not emoji_fonts():
        warnings.append(
            Warning(
                "No emoji font found (fc-list :charset=1f600): emoji in names and notes would print as boxes.",
                hint=f"Install {EMOJI_FONT_PACKAGE}.",
                id="consult.W005",
            )
        )
    return warnings
