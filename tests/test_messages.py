"""The UI speaks Japanese and English completely: no untranslated or fuzzy message."""

from __future__ import annotations

import subprocess

import pytest
from django.conf import settings
from django.utils import translation


@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("flag", ["--untranslated", "--only-fuzzy"])
def test_the_message_catalog_is_complete(language, flag):
    po = settings.BASE_DIR / "locale" / language / "LC_MESSAGES" / "django.po"
    result = subprocess.run(
        ["msgattrib", flag, "--no-obsolete", str(po)], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "", f"{language} {flag}:\n{result.stdout[:2000]}"


def test_japanese_strings_are_used_at_run_time():
    with translation.override("ja"):
        assert translation.gettext("Consultations") != "Consultations"
        assert translation.gettext("Chart number") == "カルテ番号"
