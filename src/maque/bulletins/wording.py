"""The wording of the daily bulletin: its body as blocks of headings and paragraphs, in the
language the bulletin was issued in. The Word document (`document.py`) and the print page
(`views.py`) both lay out these blocks, so they always say the same thing."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from maque.ledger.definitions import rate_text


def _time_text(value: str | None) -> str:
    if not value:
        return ""
    moment = datetime.fromisoformat(value)
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return _("%(date)s, %(hour)s:%(minute)s") % {
        "date": formats.date_format(local.date(), "DATE_FORMAT"),
        "hour": local.hour,
        "minute": f"{local.minute:02d}",
    }


DIGITS = "零一二三四五六七八九"


def chinese_numeral(n: int) -> str:
    """1 → 一, 12 → 十二, 40 → 四十, 105 → 一百零五, 300 → 三百 (for headings such as （十二）)."""
    if n < 10:
        return DIGITS[n]
    if n < 20:
        return "十" + (DIGITS[n - 10] if n % 10 else "")
    if n < 100:
        tens, ones = divmod(n, 10)
        return DIGITS[tens] + "十" + (DIGITS[ones] if ones else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        if rest == 0:
            return DIGITS[hundreds] + "百"
        if rest < 10:
            return DIGITS[hundreds] + "百零" + DIGITS[rest]
        tens, ones = divmod(rest, 10)
        return DIGITS[hundreds] + "百" + DIGITS[tens] + "十" + (DIGITS[ones] if ones else "")
    return str(n)


# A block of the bulletin's text: ("heading1" | "heading2" | "body", text).
Block = tuple[str, str]


def _add_heading(out: list[Block], text: str, level: int) -> None:
    out.append((f"heading{level}", text))


def _add_body(out: list[Block], text: str) -> None:
    out.append(("body", text))


def bulletin_language(snapshot: dict[str, Any]) -> str:
    """The language the bulletin was issued in (bulletins issued before it was recorded are Chinese)."""
    return snapshot.get("language") or settings.LANGUAGE_CODE


def bulletin_text(snapshot: dict[str, Any]) -> list[Block]:
    """The body of the bulletin, between the addressee and the signature, in the active language:
    the Word document and the print page both lay out these blocks."""
    out: list[Block] = []
    for write in (
        _write_overall,
        _write_untimely,
        _write_inadequate,
        _write_ranking,
        _write_requirements,
    ):
        write(out, snapshot)
    return out


def _outline_number(n: int) -> str:
    """Chinese documents number their sub-headings 一、二、三; other languages use digits."""
    return chinese_numeral(n) if (translation.get_language() or "").startswith("zh") else str(n)


def _write_overall(out: list[Block], s: dict[str, Any]) -> None:
    totals = s["totals"]
    # The town's first bulletin has nothing to count "new" from: it gives running totals since
    # records began and says so, rather than calling all history new.
    first = not s.get("previous") and not s.get("since")
    if s.get("corrects"):
        _add_body(
            out,
            _("This bulletin corrects %(code)s; that bulletin is void and this one stands.")
            % {"code": s["corrects"]},
        )
    values = {
        "time": _time_text(s["as_of"]),
        "total": totals["total"],
        "closed": totals["closed"],
        "rate": rate_text(totals["closure_rate"]),
        "overdue": totals["overdue"],
    }
    if first:
        _add_body(
            out,
            _(
                "As of %(time)s the town has registered %(total)s problems in all since records began, %(closed)s of "
                "them closed out, a closure rate of %(rate)s; %(overdue)s overdue and not rectified. This is the "
                "first bulletin: every figure is a running total."
            )
            % values,
        )
    else:
        since = (
            _("since the last bulletin (%(code)s)") % {"code": s["previous"]}
            if s.get("previous")
            else pgettext("bulletin", "in this period")
        )
        _add_body(
            out,
            _(
                "As of %(time)s the town has registered %(total)s problems, %(closed)s of them closed out, a closure "
                "rate of %(rate)s; %(since)s, %(new)s new and %(closed_new)s closed out; %(overdue)s overdue and "
                "not rectified."
            )
            % {**values, "since": since, "new": totals["new"], "closed_new": totals["closed_new"]},
        )
    parts = []
    for row in s["campaigns"]:
        row_values = {
            "campaign": row["campaign"],
            "total": row["total"],
            "closed": row["closed"],
            "rate": rate_text(row["closure_rate"]),
            "new": row["new"],
            "closed_new": row["closed_new"],
            "overdue": row["overdue"],
        }
        if first:
            parts.append(
                _(
                    "%(campaign)s: %(total)s in all, %(closed)s closed out, a closure rate of %(rate)s, %(overdue)s overdue"
                )
                % row_values
            )
        else:
            parts.append(
                _(
                    "%(campaign)s: %(total)s in all, %(closed)s closed out, a closure rate of %(rate)s, %(new)s new and "
                    "%(closed_new)s closed out, %(overdue)s overdue"
                )
                % row_values
            )
    if parts:
        _add_body(
            out,
            _("Of these, %(parts)s. The details follow:")
            % {"parts": pgettext("clauses", "; ").join(parts)},
        )


def _write_untimely(out: list[Block], s: dict[str, Any]) -> None:
    _add_heading(out, _("1. Late rectification"), 1)
    groups = s["overdue_groups"]
    if not groups:
        _add_body(out, _("No problem is overdue."))
        return
    villages: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in groups:
        villages[row["village"]].append(row)
    details: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in s["overdue_items"]:
        details[row["village"]].append(row)
    total = sum(row["count"] for row in groups)
    _add_body(
        out,
        _(
            "%(total)s problems in the town are overdue and not rectified, in %(villages)s villages (communities):"
        )
        % {"total": total, "villages": len(villages)},
    )
    for position, (village, rows) in enumerate(villages.items(), start=1):
        count = sum(row["count"] for row in rows)
        _add_heading(
            out,
            _("(%(number)s) %(village)s: %(count)s overdue")
            % {"number": _outline_number(position), "village": village, "count": count},
            2,
        )
        for number, row in enumerate(rows, start=1):
            _add_body(
                out,
                _(
                    "%(number)s. Owner %(owner)s: %(count)s overdue, the longest by %(max_days)s days, "
                    "%(total_days)s days in all."
                )
                % {
                    "number": number,
                    "owner": row["owner"],
                    "count": row["count"],
                    "max_days": row["max_days"],
                    "total_days": row["total_days"],
                },
            )
        for number, item in enumerate(details.get(village, []), start=1):
            _add_body(
                out,
                _(
                    "(%(number)s) %(code)s %(title)s, owner %(owner)s, deadline %(deadline)s, %(days)s days overdue."
                )
                % {
                    "number": number,
                    "code": item["code"],
                    "title": item["title"],
                    "owner": item["owner"],
                    "deadline": _date_text(item["deadline"]),
                    "days": item["days_overdue"],
                },
            )


def _date_text(iso: str) -> str:
    return formats.date_format(date.fromisoformat(iso), "DATE_FORMAT")


def _write_inadequate(out: list[Block], s: dict[str, Any]) -> None:
    _add_heading(out, _("2. Inadequate rectification"), 1)
    rows = s["returned"]
    if not rows:
        _add_body(out, _("No problem has been returned for rectification since the last bulletin."))
        return
    total = s.get("returned_total", len(rows))
    if total > len(rows):
        _add_body(
            out,
            _(
                "Since the last bulletin, %(total)s problems were returned at verification or inspection; "
                "%(listed)s of them are listed:"
            )
            % {"total": total, "listed": len(rows)},
        )
    else:
        _add_body(
            out,
            _(
                "Since the last bulletin, %(total)s problems were returned at verification or inspection:"
            )
            % {"total": total},
        )
    for number, row in enumerate(rows, start=1):
        what = (
            pgettext("bulletin", "returned at verification")
            if row["action"] == "return"
            else pgettext("bulletin", "reopened")
        )
        _add_body(
            out,
            _(
                "%(number)s. %(village)s %(code)s %(title)s (owner %(owner)s), %(what)s, reason: %(reason)s"
            )
            % {
                "number": number,
                "village": row["village"],
                "code": row["code"],
                "title": row["title"],
                "owner": row["owner"],
                "what": what,
                "reason": row["reason"],
            },
        )


def _write_ranking(out: list[Block], s: dict[str, Any]) -> None:
    _add_heading(out, _("3. Ranking"), 1)
    _add_body(
        out,
        _("By closure rate, highest first (at an equal rate, the fewer overdue problems first):"),
    )
    for row in s["ranking"]:
        _add_body(
            out,
            _(
                "%(rank)s. %(village)s: %(total)s in all, %(closed)s closed out, a closure rate of %(rate)s, "
                "%(overdue)s overdue."
            )
            % {
                "rank": row["rank"],
                "village": row["village"],
                "total": row["total"],
                "closed": row["closed"],
                "rate": rate_text(row["closure_rate"]),
                "overdue": row["overdue"],
            },
        )
    named = s["named_villages"]
    if named:
        _add_body(
            out,
            _(
                "%(villages)s, with the most overdue problems, are named in this bulletin (at an equal number of "
                "overdue problems, the village with the lower closure rate is named first)."
            )
            % {"villages": pgettext("enumeration", ", ").join(named)},
        )


def _write_requirements(out: list[Block], s: dict[str, Any]) -> None:
    _add_heading(out, _("4. Requirements"), 1)
    _add_heading(out, _("(1) Rectify at once."), 2)
    _add_body(
        out,
        _(
            "The villages (communities) and owners named must analyse the cause of each delay, set the measures "
            "and the date of completion, and finish the rectification soon."
        ),
    )
    _add_heading(out, _("(2) Hold everyone to their responsibility."), 2)
    _add_body(
        out,
        _(
            "Village-contact leaders and contact cadres must supervise more closely, follow every returned "
            "problem to the end, and guard against false close-outs."
        ),
    )
    _add_heading(out, _("(3) Hold to account strictly."), 2)
    _add_body(
        out,
        _(
            "Late or inadequate rectification that persists despite repeated supervision is referred, by the "
            "procedure, to the town discipline commission to start accountability."
        ),
    )
