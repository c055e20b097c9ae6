"""Rules on hours, credits, sessions and dates (学时、学分、期数、举办时间)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Optional

from review.form import Event, Form
from review.rules import sources as S
from review.rules.helpers import Hit, floor_half, fmt, rule, teacher_kind, unread

TOL = 0.01
HOURS_PER_CREDIT = 3.0
CREDIT_CAP, REMOTE_CREDIT_CAP = 10.0, 3.0
CREDITS_PER_DAY = 2.0
SESSIONS_CAP = 6
DEADLINE_MONTH_DAY = (12, 25)


def _eq(a: float, b: float) -> bool:
    """Equal within rounding."""
    return abs(a - b) <= TOL


@rule(
    "hours-sum",
    "教学时数须为实际授课时数：理论+实践=教学总时长，教师学时合计=教学总时长",
    "error",
    "all",
    (S.BJ_CREDIT_CAP, S.BJS_HOURS),
)
def hours_sum(form: Form) -> Iterator[Hit]:
    """理论 + 实践 = 总时长; teacher rows add up to the total (and per kind to theory / practice)."""
    total, th, ph = form.total_hours, form.theory_hours, form.practice_hours
    if total is None:
        yield unread("total_hours")
        return
    if th is None or ph is None:
        yield unread("theory_hours" if th is None else "practice_hours")
    elif not _eq(th + ph, total):
        yield Hit(
            f"讲授理论时长 {fmt(th)} 小时 + 实践时长 {fmt(ph)} 小时 = {fmt(th + ph)} 小时，与教学总时长 {fmt(total)} 小时不符",
            ["theory_hours", "practice_hours", "total_hours"],
            found=total,
            fixed_value=th + ph,
            fix=f"请核对学时：教学总时长应为理论与实践时长之和（{fmt(th + ph)} 小时），且为实际授课时数。",
        )
    rows = [t for t in form.teachers or [] if t.hours is not None]
    if not rows:
        yield unread("teachers", "教师学时合计")
        return
    table = sum(t.hours or 0 for t in rows)
    if not _eq(table, total):
        yield Hit(
            f"课程及教师信息中的学时合计 {fmt(table)} 小时，与教学总时长 {fmt(total)} 小时不符",
            ["teachers", "total_hours"],
            found=table,
            fixed_value=total,
            fix="请核对每位教师的学时，使其合计等于教学总时长。",
        )
        return
    for kind, declared, label in (("theory", th, "讲授理论"), ("practice", ph, "实践（技术示范）")):
        part = sum(t.hours or 0 for t in rows if teacher_kind(t) == kind)
        if declared is not None and all(teacher_kind(t) for t in rows) and not _eq(part, declared):
            yield Hit(
                f"课程及教师信息中{label}课学时合计 {fmt(part)} 小时，与所填{label}时长 {fmt(declared)} 小时不符",
                ["teachers", f"{kind}_hours"],
                found=part,
                fixed_value=declared,
                fix=f"请核对各课程的教学方法（理论/实践）与学时，使{label}学时合计与所填时长一致。",
            )


def expected_credits(hours: float) -> float:
    """Credits for hours at 3 小时 = 1 学分, rounded down to 0.5."""
    return floor_half(hours / HOURS_PER_CREDIT)


@rule("credit-rate", "学时学分须匹配：3小时1学分", "error", "all", (S.BJ_CREDIT_RATE, S.BJS_HOURS, S.BJS_REMOTE_RATE))
def credit_rate(form: Form) -> Iterator[Hit]:
    """credits == total_hours / 3 rounded down to 0.5 (the exact quotient is also accepted)."""
    if form.credits is None:
        yield unread("credits")
        return
    if form.total_hours is None:
        yield unread("total_hours")
        return
    exp = expected_credits(form.total_hours)
    exact = form.total_hours / HOURS_PER_CREDIT
    if not (_eq(form.credits, exp) or _eq(form.credits, exact)):
        yield Hit(
            f"拟授学分 {fmt(form.credits)} 与教学总时长 {fmt(form.total_hours)} 小时不符：按 3 小时 1 学分应为 {fmt(exp)} 学分",
            ["credits", "total_hours"],
            found=form.credits,
            fixed_value=exp,
            fix=f"请将拟授学分改为 {fmt(exp)}，或按实际授课时数调整教学总时长（{fmt(form.credits * 3)} 小时对应 {fmt(form.credits)} 学分）。",
        )


@rule("credit-cap", "每个项目不超过10学分，远程项目不超过3学分", "error", "all", (S.BJ_CREDIT_CAP,))
def credit_cap(form: Form) -> Iterator[Hit]:
    """credits ≤ 10; 远程 ≤ 3."""
    if form.credits is None:
        yield unread("credits")
        return
    remote = (form.mode or "").strip() == "远程"
    cap = REMOTE_CREDIT_CAP if remote else CREDIT_CAP
    if form.credits > cap + TOL:
        kind = "远程项目" if remote else "每个项目"
        yield Hit(
            f"拟授学分 {fmt(form.credits)} 超过上限：{kind}不超过 {fmt(cap)} 学分",
            ["credits"],
            found=form.credits,
            fixed_value=cap,
            fix=f"请将拟授学分降至 {fmt(cap)} 学分以内，并相应调整教学时长（3 小时 1 学分）。",
        )


def parse_date(text: Optional[str]) -> Optional[date]:
    """A date from ISO or Chinese text (2026-05-08, 2026年5月8日, 2026.5.8)."""
    m = re.search(r"(\d{4})\s*[-年./]\s*(\d{1,2})\s*[-月./]\s*(\d{1,2})", text or "")
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def event_days(ev: Event) -> Optional[float]:
    """举办天数: the given days, else end - start + 1."""
    if ev.days:
        return ev.days
    start, end = parse_date(ev.start), parse_date(ev.end)
    if start and end and end >= start:
        return float((end - start).days + 1)
    if start and not ev.end:
        return 1.0
    return None


@rule(
    "credit-per-day",
    "每天授予学分不超过2学分",
    "warning",
    "all",
    (S.BJS_PER_DAY, S.BJS_TWO_A_DAY),
    applies=lambda f: (f.mode or "") != "远程",
)
def credit_per_day(form: Form) -> Iterator[Hit]:
    """Credits of one session ≤ 2 × its days (face-to-face projects)."""
    if form.credits is None:
        yield unread("credits")
        return
    if not form.events:
        yield unread("events")
        return
    for i, ev in enumerate(form.events):
        days = event_days(ev)
        if days is None:
            yield unread(f"events.{i}.days")
        elif form.credits > CREDITS_PER_DAY * days + TOL:
            need = -(-form.credits // CREDITS_PER_DAY)
            yield Hit(
                f"第 {i + 1} 期举办 {fmt(days)} 天，拟授 {fmt(form.credits)} 学分，超过每天 2 学分（最多 {fmt(CREDITS_PER_DAY * days)} 学分）",
                [f"events.{i}.days", "credits"],
                found=form.credits,
                fixed_value=CREDITS_PER_DAY * days,
                fix=f"请将举办天数延长至至少 {fmt(need)} 天，或将学分降至 {fmt(CREDITS_PER_DAY * days)} 学分以内。",
            )


@rule("sessions-cap", "每年举办期数不超过6期", "error", "all", (S.BJ_SESSIONS, S.NAT_SESSIONS))
def sessions_cap(form: Form) -> Iterator[Hit]:
    """sessions ≤ 6 (also counts the listed events)."""
    n = form.sessions if form.sessions is not None else (len(form.events) if form.events else None)
    if n is None:
        yield unread("sessions")
    elif n > SESSIONS_CAP:
        yield Hit(
            f"举办期数 {n} 期，每年举办的期（次）数不得超过6期（次）",
            ["sessions"],
            found=n,
            fixed_value=SESSIONS_CAP,
            fix="请将举办期数减至6期以内。",
        )


@rule("sessions-events", "多期举办须逐期填写举办时间与地点", "warning", "all", (S.BJ_EVENTS,))
def sessions_events(form: Form) -> Iterator[Hit]:
    """The number of listed sessions (time + place) equals 举办期数, each with a date and a venue."""
    if form.sessions is None or form.events is None:
        yield unread("sessions" if form.sessions is None else "events")
        return
    if len(form.events) != form.sessions:
        yield Hit(
            f"举办期数为 {form.sessions} 期，但填写了 {len(form.events)} 期的举办时间与地点",
            ["sessions", "events"],
            found=len(form.events),
            fixed_value=form.sessions,
            fix="请为每一期分别填写举办时间与举办地点，并与举办期数一致。",
        )
    for i, ev in enumerate(form.events):
        if not ev.start or not (ev.venue or "").strip():
            what = "举办时间" if not ev.start else "举办地点"
            yield Hit(
                f"第 {i + 1} 期未填写{what}",
                [f"events.{i}.{'start' if not ev.start else 'venue'}"],
                fix=f"请填写第 {i + 1} 期的{what}。",
            )


@rule("deadline", "项目须在当年12月25日前举办完成", "warning", "all", (S.PKU_DEADLINE,))
def deadline(form: Form) -> Iterator[Hit]:
    """Each session ends by 25 December of its year (the day itself allowed: '12 月 25 日前举办完成')."""
    if not form.events:
        yield unread("events")
        return
    for i, ev in enumerate(form.events):
        end = parse_date(ev.end) or parse_date(ev.start)
        if end is None:
            yield unread(f"events.{i}.start", f"第 {i + 1} 期举办时间")
            continue
        limit = date(end.year, *DEADLINE_MONTH_DAY)
        if end > limit:
            yield Hit(
                f"第 {i + 1} 期结束于 {end.isoformat()}，项目应在 {end.year} 年 12 月 25 日前举办完成",
                [f"events.{i}.end"],
                found=end.isoformat(),
                fixed_value=limit.isoformat(),
                fix=f"请将第 {i + 1} 期安排在 {end.year} 年 12 月 25 日前结束。",
            )
