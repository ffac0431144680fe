"""The handout's timeline chart: coordinates for the inline SVG, computed from a snapshot (pure)."""

from __future__ import annotations

import math
import re

from consult.documents.handout_text import TEXT

# SVG units; the chart is drawn 184 mm (521.6 pt) wide, so at a width of 560 one unit is 0.93 pt and
# every text of 10 units or more prints at 9.3 pt or more (issue 16: no text below 9 pt).
TIMELINE = {"width": 560, "label_width": 150, "right": 12, "top": 24, "row": 32, "bottom": 28, "font": 10}
LEAD_FONT = 10  # the preparation band's label


def _char_em(char: str) -> float:
    # Bold Latin letters in BIZ UDPGothic, the handout's font, average ~0.59 em (Noto Sans CJK JP ~0.5).
    return 0.6 if ord(char) < 0x2E80 else 1.0


def _wrap_label(text: str, width_em: float, lines: int = 2) -> list[str]:
    """Break a label into at most `lines` lines of about `width_em` em (CJK 1 em, Latin ~0.6 em).

    Latin text breaks between words, Japanese between any two characters; an overlong label ends in "…".
    """
    tokens = []
    for token in re.findall(r"[\u2e80-\uffff]|[^\u2e80-\uffff\s]+\s*|\s+", text):
        # A word wider than the line is broken anywhere, like overflow-wrap: anywhere.
        tokens.extend(token if sum(map(_char_em, token.rstrip())) > width_em else [token])
    result: list[str] = []
    line = ""
    for token in tokens:
        if line and sum(map(_char_em, (line + token).rstrip())) > width_em:
            result.append(line.rstrip())
            line = ""
        line += token
    result.append(line.rstrip())
    result = [part for part in result if part]
    if len(result) > lines:
        result = result[:lines]
        result[-1] = result[-1][: max(1, len(result[-1]) - 1)] + "…"
    return result


def timeline_geometry(snapshot: dict) -> dict:
    """Coordinates for the timeline SVG, computed from the snapshot's numbers (pure, no database).

    Week 0 is the date of the handout. The first session comes after the option's lead time (a
    dashed "preparation" band, e.g. cell culture; 0 for most options), the next ones every
    `interval_weeks_min` weeks, the typical number (`sessions_min`) drawn solid and the further ones up
    to `sessions_max` hollow: the schedule the engine's event caution assumes (engine.Timing). After
    each session a bar shows the longest downtime; a hatched band shows when a change may show; the
    event is a dashed line (an arrow at the right edge when it lies beyond the chart).
    """
    g = TIMELINE
    event = snapshot.get("event")
    event_week = event["days_from_issue"] / 7 if event else None
    ends = []
    for o in snapshot["options"]:
        lead = _lead(o)
        last = lead + (o["sessions_max"] - 1) * o["interval_weeks_min"]
        ends.append(max(last + o["downtime_days_max"] / 7, lead + o["effect_weeks_max"], last + 1))
    span = min(max([4.0, *ends, (event_week or 0) + 1]), 104.0)
    step = next(s for s in (1, 2, 4, 8, 13, 26) if span / s <= 13)
    weeks = math.ceil(span / step) * step
    x0, x1 = g["label_width"], g["width"] - g["right"]
    scale = (x1 - x0) / weeks

    def x(week: float) -> float:
        return round(x0 + min(week, weeks) * scale, 1)

    band_label = TEXT.get(snapshot.get("language"), TEXT["en"])["lead_band"]
    rows = []
    for i, o in enumerate(snapshot["options"]):
        top = g["top"] + i * g["row"]
        line_y = top + 26
        lead = _lead(o)
        sessions = [
            {"x": x(lead + k * o["interval_weeks_min"]), "extra": k >= o["sessions_min"]}
            for k in range(o["sessions_max"])
            if lead + k * o["interval_weeks_min"] <= weeks
        ]
        downtime = []
        if o["downtime_days_max"] > 0:
            width = max(o["downtime_days_max"] / 7 * scale, 2.5)
            downtime = [
                {"x": s["x"], "w": round(min(width, x1 - s["x"]), 1)} for s in sessions if s["x"] < x1
            ]
        effect_from, effect_to = x(lead + o["effect_weeks_min"]), x(lead + o["effect_weeks_max"])
        lead_geo = None
        if lead:
            width = round(x(lead) - x0, 1)
            fits = sum(map(_char_em, band_label)) * LEAD_FONT + 12 <= width
            lead_geo = {
                "x": x0,
                "w": width,
                "y": line_y - 6,
                "h": 12,
                "label": band_label if fits else "",
                "label_x": round(x0 + width / 2, 1),
                "label_y": line_y + 3,
            }
        label = _wrap_label(f"{o['n']}. {o['name']}", (g["label_width"] - 12) / g["font"])
        rows.append(
            {
                "label": [
                    {"text": text, "y": line_y - 3 + (k - (len(label) - 1) / 2) * 13}
                    for k, text in enumerate(label)
                ],
                "line_y": line_y,
                "lead": lead_geo,
                "sessions": sessions,
                "downtime": downtime,
                "downtime_y": line_y + 7,
                "effect": {
                    "x": effect_from,
                    "w": round(max(effect_to - effect_from, 3), 1),
                    "y": top + 8,
                    "h": 13,
                },
            }
        )
    axis_y = g["top"] + len(rows) * g["row"] + 4
    event_geo = None
    if event_week is not None:
        ex = x(event_week)
        event_geo = {
            "x": ex,
            "beyond": event_week > weeks,
            "label": event["display"],
            "y1": g["top"] - 10,
            "y2": axis_y,
            "label_y": g["top"] - 14,
            "anchor": "end" if ex > x1 - 90 else ("start" if ex < x0 + 90 else "middle"),
        }
    return {
        "width": g["width"],
        "font": g["font"],
        "height": axis_y + g["bottom"],
        "x0": x0,
        "x1": x1,
        "top": g["top"],
        "axis_y": axis_y,
        "tick_label_y": axis_y + 13,
        "axis_label_y": axis_y + 25,
        "rows": rows,
        "ticks": [{"x": x(w), "label": w} for w in range(0, weeks + 1, step)],
        "event": event_geo,
        "weeks": weeks,
        "any_lead": any(row["lead"] for row in rows),
    }


def _lead(option: dict) -> int:
    """Weeks of preparation before the first session; snapshots issued before lead times existed
    lack the key and had none."""
    return option.get("lead_weeks", 0)
