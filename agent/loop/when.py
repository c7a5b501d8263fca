"""Chinese time expressions → an aware datetime, resolved against a base time (the approval).

``resolve(text, base, tz)`` finds the FIRST time expression in ``text`` and returns
``Due(at, span)`` or None. Understood (Simplified; callers convert Traditional first):

- relative days: 今天 / 今晚 / 明天 / 明早 / 后天 / 大后天, with 上午 / 中午 / 下午 / 晚上 and
  N 点(半 / N 分)(前 / 之前) — "明天上午十点前" → tomorrow 10:00; a day without a clock time → 18:00
  that day (the end of a working day);
- durations: N 个工作日内 (Chinese public holidays and adjusted working days from
  ``chinese-calendar``; Mon–Fri outside its years) → the end (18:00) of the Nth working day after
  the base day; N 天 / N 小时 / N 分钟 / 半小时 / 半天 内 → base + duration;
- weekdays: 下周一 … 下周日 (the week after the base's week), 本周五 / 这周五 / 周五 / 星期五 (this
  week; past days roll to next week);
- dates: N 月 N 日/号 (this year, next year when already past), N 号 (this month, or next);
- numbers as digits or Chinese numerals (``cn2an``: 十、二十四、两).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

END_OF_DAY = time(18, 0)
NUM = r"[0-9０-９〇零一二两三四五六七八九十百]+"
_WEEK = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": 5}
_DAY_WORDS = {"今天": 0, "今日": 0, "今晚": 0, "明天": 1, "明日": 1, "明早": 1, "明晚": 1, "后天": 2, "大后天": 3}
_PERIOD = r"(?P<period>凌晨|早上|上午|中午|下午|傍晚|晚上|今晚|明早|明晚)?"
_CLOCK = rf"{_PERIOD}(?:(?P<hour>{NUM})(?:点|时|:|：)(?:(?P<half>半)|(?P<minute>{NUM})分?)?)?"
_BEFORE = r"(?P<before>之?前|以前)?"

PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("workdays", re.compile(rf"(?P<n>{NUM}|半)个?工作日(?:之?内|以内)?")),
    ("duration", re.compile(rf"(?P<n>{NUM}|半)个?(?P<unit>小时|钟头|天|日|分钟)(?:之?内|以内)")),
    ("weekday", re.compile(rf"(?P<which>下下|下个?|本|这个?)?(?:周|星期|礼拜)(?P<wd>[一二三四五六日天末])"
                           rf"{_CLOCK}{_BEFORE}")),
    ("date", re.compile(rf"(?:(?P<month>{NUM})月)(?P<day>{NUM})(?:日|号){_CLOCK}{_BEFORE}")),
    ("day", re.compile(rf"(?P<word>大后天|后天|明天|明日|明早|明晚|今天|今日|今晚){_CLOCK}{_BEFORE}")),
    ("clock", re.compile(rf"(?P<period2>凌晨|早上|上午|中午|下午|傍晚|晚上)(?P<hour>{NUM})(?:点|时)"
                         rf"(?:(?P<half>半)|(?P<minute>{NUM})分?)?{_BEFORE}")),
]


@dataclass(frozen=True)
class Due:
    at: datetime
    start: int
    end: int
    text: str


def number(text: str) -> int:
    """'10' / '十' / '二十四' / '两' → int."""
    import cn2an

    text = text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if text.isdigit():
        return int(text)
    if text == "半":
        return 0
    return int(cn2an.cn2an(text.replace("两", "二"), "smart"))


def is_workday(day: date) -> bool:
    try:
        import chinese_calendar

        return bool(chinese_calendar.is_workday(day))
    except (NotImplementedError, ImportError):  # outside the library's years: Monday to Friday
        return day.weekday() < 5


def add_workdays(day: date, n: int) -> date:
    """The Nth working day after ``day`` (``day`` itself does not count)."""
    current, left = day, max(n, 1)
    while left:
        current += timedelta(days=1)
        if is_workday(current):
            left -= 1
    return current


def _clock(m: re.Match[str], default: time) -> time:
    groups = m.groupdict()
    if not groups.get("hour"):
        period = groups.get("period") or ""
        return {"中午": time(12, 0), "上午": time(12, 0), "早上": time(9, 0), "凌晨": time(6, 0),
                "下午": END_OF_DAY, "傍晚": END_OF_DAY}.get(
            period, time(21, 0) if period in ("晚上", "今晚", "明晚") or groups.get("word") in ("今晚", "明晚")
            else default)
    hour = number(groups["hour"])
    minute = 30 if groups.get("half") else (number(groups["minute"]) if groups.get("minute") else 0)
    period = groups.get("period") or groups.get("period2") or groups.get("word") or ""
    if any(p in period for p in ("下午", "晚上", "傍晚", "晚")) and hour < 12:
        hour += 12
    if period == "中午" and hour < 6:
        hour += 12
    return time(min(hour, 23), min(minute, 59))


def _at(day: date, clock: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=tz)


def resolve(text: str, base: datetime, tz: ZoneInfo | str = "Asia/Shanghai") -> Due | None:
    """The first time expression of ``text`` resolved against ``base`` (aware); None if there is none."""
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    local = base.astimezone(zone)
    found: list[tuple[int, str, re.Match[str]]] = []
    for kind, pattern in PATTERNS:
        m = pattern.search(text)
        if m:
            found.append((m.start(), kind, m))
    if not found:
        return None
    found.sort(key=lambda item: (item[0], -len(item[2].group(0))))
    _, kind, m = found[0]
    try:
        at = _resolve(kind, m, local, zone)
    except (ValueError, OverflowError):
        return None
    return None if at is None else Due(at=at, start=m.start(), end=m.end(), text=m.group(0))


def _resolve(kind: str, m: re.Match[str], local: datetime, zone: ZoneInfo) -> datetime | None:
    g = m.groupdict()
    today = local.date()
    if kind == "workdays":
        n = number(g["n"]) if g["n"] != "半" else 0
        if n == 0:
            return local + timedelta(hours=4)
        return _at(add_workdays(today, n), END_OF_DAY, zone)
    if kind == "duration":
        unit = g["unit"]
        if g["n"] == "半":
            return local + ({"小时": timedelta(minutes=30), "钟头": timedelta(minutes=30)}.get(unit)
                            or timedelta(hours=12))
        n = number(g["n"])
        return local + {"小时": timedelta(hours=n), "钟头": timedelta(hours=n), "天": timedelta(days=n),
                        "日": timedelta(days=n), "分钟": timedelta(minutes=n)}[unit]
    if kind == "weekday":
        which = g.get("which") or ""
        target = _WEEK[g["wd"]]
        monday = today - timedelta(days=today.weekday())
        if which.startswith("下下"):
            day = monday + timedelta(days=14 + target)
        elif which.startswith("下"):
            day = monday + timedelta(days=7 + target)
        else:
            day = monday + timedelta(days=target)
            if day < today:
                day += timedelta(days=7)
        return _at(day, _clock(m, END_OF_DAY), zone)
    if kind == "date":
        month, day_n = number(g["month"]), number(g["day"])
        day = date(today.year, month, day_n)
        if day < today:
            day = date(today.year + 1, month, day_n)
        return _at(day, _clock(m, END_OF_DAY), zone)
    if kind == "day":
        day = today + timedelta(days=_DAY_WORDS[g["word"]])
        default = time(9, 0) if g["word"] == "明早" else END_OF_DAY
        return _at(day, _clock(m, default), zone)
    if kind == "clock":
        at = _at(today, _clock(m, END_OF_DAY), zone)
        return at if at > local else at + timedelta(days=1)
    return None
