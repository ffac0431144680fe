"""The plan's PDFs (`manage.py plan --out-dir`): the estimate, and where the law applies the overview
(概要書面) and contract (契約書面) documents, read back with pdftotext and rendered to PNG."""

from __future__ import annotations

import io
import json
import re
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from PIL import Image

from catalog.models import Clinic

pytestmark = pytest.mark.django_db

PLAN = {
    "clinic": "demo-clinic",
    "today": "2026-12-01",
    "items": [
        {"treatment": "dermapen-4", "sessions": 5, "interval_weeks": 4, "first_session": "2026-12-10"},
        {"treatment": "profhilo", "sessions": 2, "first_session": "2026-12-10"},
    ],
    "contract_document_received": "2026-12-01",
}


def run(tmp_path: Path, plan: dict, language: str = "ja") -> tuple[dict, dict[str, Path]]:
    source = tmp_path / "PLAN.json"
    source.write_text(json.dumps(plan), encoding="utf-8")
    out = io.StringIO()
    call_command("plan", plan=str(source), out_dir=str(tmp_path / "out"), language=language, stdout=out)
    result = json.loads(out.getvalue())
    return result, {Path(p).stem: Path(p) for p in result["documents"]}


def text(path: Path) -> str:
    raw = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True)
    return re.sub(r"\s+", "", raw.stdout)


def yen(amount: int) -> str:
    return f"¥{amount:,}"


def test_without_the_law_only_the_estimate_is_written(tmp_path):
    plan = {**PLAN, "items": [{"treatment": "dermapen-4", "sessions": 1, "first_session": "2026-12-10"}]}
    result, docs = run(tmp_path, plan)
    assert result["specified_continuous_service"]["applies"] is False
    assert list(docs) == ["estimate"]


def test_the_estimate_prints_every_item(tmp_path):
    result, docs = run(tmp_path, PLAN)
    flat = text(docs["estimate"])
    clinic = Clinic.objects.get(slug="demo-clinic")
    assert "お見積書" in flat
    assert re.sub(r"\s+", "", clinic.name) in flat
    assert re.sub(r"\s+", "", clinic.address) in flat and clinic.phone in flat
    assert "ダーマペン4" in flat and "プロファイロ" in flat
    dermapen, profhilo = result["items"]
    assert yen(dermapen["price_yen"]) in flat and yen(profhilo["price_yen"]) in flat
    assert f"5回コース{yen(dermapen['price_yen'])}" in flat  # the course is named
    assert "合計（税込）" in flat and yen(result["total_yen"]) in flat
    assert "有効期限2026年12月31日" in flat
    assert "自由診療" in flat and "公的医療保険が適用されない" in flat
    assert "2026年12月10日から4週間ごと（最終回2027年4月1日）" in flat
    # a command-line preview is not reviewed by a physician, and says so
    assert "医師の確認を受けていない" in flat
    assert "見本価格" in flat


def test_the_estimate_in_english(tmp_path):
    result, docs = run(tmp_path, PLAN, language="en")
    flat = text(docs["estimate"])
    assert "Estimate" in flat and "Total(taxincl.)" in flat and yen(result["total_yen"]) in flat
    assert "Validuntil31December2026" in flat and "self-pay" in flat


@pytest.mark.parametrize("kind", ["scta-overview", "scta-contract"])
def test_the_law_documents_print_every_required_item(tmp_path, kind):
    result, docs = run(tmp_path, PLAN)
    flat = text(docs[kind])
    clinic = Clinic.objects.get(slug="demo-clinic")
    # the business: name, address, phone, representative
    assert re.sub(r"\s+", "", clinic.name) in flat and re.sub(r"\s+", "", clinic.address) in flat
    assert clinic.phone in flat and "代表者の氏名見本太郎（架空）" in flat
    # the services, with the law's purpose and method
    assert "1.役務の内容" in flat and "ダーマペン4" in flat and "機器を用いた刺激" in flat
    assert "しわ・たるみの軽減" in flat
    # related goods, price and payment, period
    assert "2.購入が必要な商品（関連商品）ありません。" in flat
    assert all(yen(i["price_yen"]) in flat for i in result["items"])
    assert yen(result["total_yen"]) in flat and "4.お支払いの時期と方法" in flat
    assert "2026年12月1日（契約日）から2027年4月1日（最終回の予定日）まで（121日間）" in flat
    # cooling-off and mid-term cancellation
    assert "クーリング・オフ" in flat and "8日間" in flat
    assert "7.中途解約について" in flat and "2万円が上限" in flat and "5万円が上限" in flat
    assert "8.前受金の保全措置" in flat and "9.特約" in flat
    assert "この書面の内容を十分にお読みください。" in flat


def test_the_contract_document_names_the_contract_day_and_the_cooling_off_deadline(tmp_path):
    _, docs = run(tmp_path, PLAN)
    flat = text(docs["scta-contract"])
    assert "契約締結の年月日2026年12月1日" in flat
    assert (
        "この契約書面を2026年12月1日に受け取った場合、クーリング・オフができるのは2026年12月8日までです。"
        in flat
    )
    assert "既に" in flat or "すでに施術を受けていても" in flat
    assert "契約者署名" in flat


def test_the_cancellation_example_uses_this_contracts_figures(tmp_path):
    result, docs = run(tmp_path, PLAN)
    flat = text(docs["scta-contract"])
    total = result["total_yen"]
    provided = sum(i["price_yen"] // i["sessions"] for i in result["items"])
    fee = min(50_000, (total - provided) // 5)
    assert f"提供済みの料金{yen(provided)}に{yen(fee)}を加えた{yen(provided + fee)}が上限" in flat
    assert f"{yen(total - provided - fee)}をお返しします" in flat


def test_the_cooling_off_notice_is_red_framed_and_at_least_8_points(tmp_path):
    _, docs = run(tmp_path, PLAN)
    path = docs["scta-contract"]
    bbox = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    # the words of the notice are set at 8 points or more (a word box is at least the font size high)
    heights = [
        float(y1) - float(y0)
        for y0, y1, word in re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]+)</word>', bbox)
        if "クーリング" in word or "無条件" in word
    ]
    assert heights and min(heights) >= 8
    # the page that carries it has a red frame: rows of red pixels as wide as most of the text column
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(path), str(path.with_suffix(""))], check=True)
    widest = 0
    for png in sorted(path.parent.glob(f"{path.stem}-*.png")):
        image = Image.open(png).convert("RGB")
        width, height = image.size
        pixels = image.load()
        for y in range(height):
            red = sum(
                1 for x in range(width) if (lambda p: p[0] > 170 and p[1] < 80 and p[2] < 80)(pixels[x, y])
            )
            widest = max(widest, red / width)
    assert widest > 0.7


def test_without_a_representative_the_law_documents_say_it_is_missing(tmp_path):
    Clinic.objects.filter(slug="demo-clinic").update(representative="")
    _, docs = run(tmp_path, PLAN)
    assert "未登録" in text(docs["scta-contract"])
