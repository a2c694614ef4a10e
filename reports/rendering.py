"""What a report or a share shows, as one HTML page (the share page) or a PDF of it.

The PDF is WeasyPrint rendering the same HTML template and the same SVG charts as the page
(``reports.charts``): one template for both, CSS paged media for page numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from checkins.insights import build_insights
from checkins.models import CheckIn
from checkins.strategy_catalogue import NOT_MEDICAL_ADVICE
from core.timeutils import family_days_bounds, family_local
from families.models import Child, Family

from . import charts
from .models import SECTIONS

SECTION_TITLES = {
    "feelings": gettext_lazy("Feelings per day"),
    "mood_meter": gettext_lazy("Mood meter"),
    "hard_moments": gettext_lazy("Hard moments"),
    "what_helps": gettext_lazy("What helps with what"),
    "routines_and_feelings": gettext_lazy("Routines and feelings"),
    "coregulation": gettext_lazy("Coregulation"),
}

Progress = Callable[[int], None]


def _percent(share: float) -> str:
    return _("%(n)s%%") % {"n": round(share * 100)}


def _share_words(helped: int, tried: int, share: float | None) -> str:
    if share is None:
        return ngettext("%(n)s try: too few to tell", "%(n)s tries: too few to tell", tried) % {
            "n": tried
        }
    return _("better %(helped)s of %(tried)s (%(share)s)") % {
        "helped": helped,
        "tried": tried,
        "share": _percent(share),
    }


def _per_day_words(bucket: dict[str, Any]) -> str:
    values = {
        "feelings": ngettext("%(n)s big feeling", "%(n)s big feelings", bucket["checkins"])
        % {"n": bucket["checkins"]},
        "days": ngettext("%(n)s day", "%(n)s days", bucket["days"]) % {"n": bucket["days"]},
        "per_day": bucket["per_day"],
    }
    if bucket["per_day"] is None:
        return _("%(feelings)s on %(days)s: too few to tell") % values
    return _("%(feelings)s on %(days)s (%(per_day)s a day)") % values


def _figures(data: dict[str, Any], sections: Sequence[str]) -> list[dict[str, Any]]:  # noqa: C901
    """Each chosen section: its title, its SVG chart and its figures as a table."""
    out: list[dict[str, Any]] = []
    for key in [s for s in SECTIONS if s in sections]:
        figure: dict[str, Any] = {"key": key, "title": SECTION_TITLES[key], "parts": []}
        if key == "feelings":
            figure["svg"] = charts.feelings_per_day(data["days"], data["quadrants"])
            figure["head"] = [_("Feeling area"), _("Check-ins")]
            figure["rows"] = [
                [q["label"], sum(d["quadrants"][q["key"]] for d in data["days"])]
                for q in data["quadrants"]
            ]
        elif key == "mood_meter":
            meter = data["mood_meter"]
            figure["svg"] = charts.mood_meter(meter)
            figure["head"] = [_("Feeling"), _("Intensity"), _("Check-ins")]
            figure["rows"] = [[p["label"], p["intensity"], p["count"]] for p in meter["points"]]
        elif key == "hard_moments":
            hard = data["hard_moments"]
            counts = {(c["weekday"], c["time"]): c["count"] for c in hard["cells"]}
            figure["svg"] = charts.hard_moments(hard)
            figure["head"] = [_("Day"), *(t["label"] for t in hard["times"])]
            figure["rows"] = [
                [w["label"], *(counts[(w["key"], t["key"])] for t in hard["times"])]
                for w in hard["weekdays"]
            ]
        elif key == "what_helps":
            figure["head"] = [_("Strategy"), _("Tries"), _("Better"), _("Share")]
            figure["rows"] = []
            for quadrant in data["what_helps"]:
                if not quadrant["strategies"]:
                    continue
                rows = [
                    (s["title"], _share_words(s["helped"], s["tried"], s["helped_share"]),
                     s["helped_share"])
                    for s in quadrant["strategies"]
                ]  # fmt: skip
                figure["parts"].append(
                    {"label": quadrant["label"], "svg": charts.bars(quadrant["label"], rows)}
                )
                figure["rows"] += [
                    [f"{s['title']} ({quadrant['label'].lower()})", s["tried"], s["helped"],
                     _("too few to tell") if s["helped_share"] is None
                     else _percent(s["helped_share"])]
                    for s in quadrant["strategies"]
                ]  # fmt: skip
        elif key == "routines_and_feelings":
            rf = data["routines_and_feelings"]
            if rf["routine"] is None:
                figure["empty"] = _("No routine for this child.")
            else:
                name = rf["routine"]["name"]
                buckets = [
                    (_("After %(routine)s done") % {"routine": name}, rf["after_completed"]),
                    (
                        _("After %(routine)s not done") % {"routine": name},
                        rf["after_not_completed"],
                    ),
                ]
                top = max([0.01, *(b["per_day"] or 0 for _, b in buckets)])
                figure["svg"] = charts.bars(
                    _("Big unpleasant feelings after %(routine)s") % {"routine": name},
                    [
                        (
                            label,
                            _per_day_words(b),
                            None if b["per_day"] is None else b["per_day"] / top,
                        )
                        for label, b in buckets
                    ],
                )
                figure["head"] = [_("Days after"), _("Days"), _("Big feelings"), _("A day")]
                figure["rows"] = [
                    [label, b["days"], b["checkins"],
                     _("too few to tell") if b["per_day"] is None else b["per_day"]]
                    for label, b in buckets
                ]  # fmt: skip
        elif key == "coregulation":
            co = data["coregulation"]
            groups = [(_("Caregiver calm"), co["calm"]), (_("Caregiver not calm"), co["not_calm"])]
            figure["svg"] = charts.bars(
                _("The child's follow-up by the caregiver's calm"),
                [
                    (label, _share_words(g["better"], g["answered"], g["better_share"]),
                     g["better_share"])
                    for label, g in groups
                ],
            )  # fmt: skip
            figure["head"] = [_("Caregiver"), _("Answered"), _("Better"), _("Same"), _("Worse")]
            figure["rows"] = [
                [label, g["answered"], g["better"], g["same"], g["worse"]] for label, g in groups
            ]
        if "svg" in figure:
            figure["svg"] = mark_safe(figure["svg"])  # noqa: S308  (built with escape())
        for part in figure["parts"]:
            part["svg"] = mark_safe(part["svg"])  # noqa: S308  (built with escape())
        out.append(figure)
    return out


def _notes(family: Family, child: Child, first: date, last: date) -> list[dict[str, Any]]:
    start, end = family_days_bounds(family, first, last)
    rows = (
        CheckIn.objects.filter(
            family=family, child=child, occurred_at__gte=start, occurred_at__lt=end
        )
        .exclude(note="")
        .order_by("occurred_at")
        .values_list("occurred_at", "emotion", "note")
    )
    return [
        {"at": family_local(family, at).strftime("%Y-%m-%d %H:%M"), "emotion": e, "note": n}
        for at, e, n in rows
    ]


def page_context(
    *,
    family: Family,
    children: Sequence[Child],
    first: date,
    last: date,
    sections: Sequence[str],
    include_notes: bool,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Everything the template shows: for each child (only the chosen ones), the chosen
    sections for the family-local days ``first`` … ``last``."""
    blocks = []
    for n, child in enumerate(children):
        data = build_insights(family=family, child=child, period="custom", first=first, last=last)
        blocks.append(
            {
                "child": child,
                "total": data["total"],
                "figures": _figures(data, sections),
                "notes": _notes(family, child, first, last) if include_notes else None,
            }
        )
        if progress is not None:
            progress(10 + int(60 * (n + 1) / max(1, len(children))))
    return {
        "family": family,
        "children": blocks,
        "names": ", ".join(c.name for c in children),
        "first": first,
        "last": last,
        "made_on": family_local(family, timezone.now()).date(),
        "not_medical_advice": _(NOT_MEDICAL_ADVICE),
    }


def render_html(context: dict[str, Any], *, pdf: bool = False, **extra: Any) -> str:
    return render_to_string("reports/report.html", {**context, "pdf": pdf, **extra})


def render_pdf(context: dict[str, Any]) -> bytes:
    """The page as a PDF (WeasyPrint: HTML + CSS paged media, SVG drawn as vectors)."""
    from weasyprint import CSS, HTML  # noqa: PLC0415  (heavy: loaded by the worker when used)

    stylesheet = finders.find("reports/report.css")
    assert isinstance(stylesheet, str)
    html = render_html(context, pdf=True)
    pdf: bytes = HTML(string=html, base_url=None).write_pdf(stylesheets=[CSS(filename=stylesheet)])
    return pdf
