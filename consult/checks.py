"""System checks for the handout renderer: HarfBuzz-Subset and a Japanese font (design.md §2)."""

from __future__ import annotations

import logging
import shutil
import subprocess

from django.core.checks import Warning, register

# WeasyPrint reports every rendering step at INFO; keep that out of the logs (see clinic/lib/pdf.py).
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

JAPANESE_FONT = "Noto Sans CJK JP"


def harfbuzz_subset_available() -> bool:
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    return harfbuzz_subset is not None and bool(harfbuzz.hb_version_atleast(4, 1, 0))


def japanese_fonts() -> list[str]:
    """Font families fontconfig offers for Japanese (`fc-list :lang=ja family`)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return []
    try:
        output = subprocess.run(
            [fc_list, ":lang=ja", "family"], capture_output=True, text=True, timeout=20, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted({name.strip() for line in output.splitlines() for name in line.split(",") if name.strip()})


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
                hint=f"Install {JAPANESE_FONT} (Debian: fonts-noto-cjk) and fontconfig.",
                id="consult.W003",
            )
        )
    elif JAPANESE_FONT not in fonts:
        warnings.append(
            Warning(
                f"{JAPANESE_FONT} is not installed; handouts use another Japanese font ({fonts[0]}).",
                hint="Install fonts-noto-cjk for the intended look.",
                id="consult.W004",
            )
        )
    return warnings
