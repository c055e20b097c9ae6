"""Rules on the teachers (授课教师): titles, unit shares, per-teacher hours, unit names."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import Optional

from review.form import Form, Teacher
from review.rules import sources as S
from review.rules.helpers import (
    Hit,
    blank,
    fmt,
    is_clinical_skills,
    is_nursing_project,
    norm,
    pct,
    person_key,
    persons,
    rule,
    teacher_kind,
    unit_kind,
    unread,
)
from review.rules.units import abbreviation_of, canonical, looks_abbreviated, same_unit
from review.titles import RANK_ZH, extra_words, is_nursing, rank_of

THEORY_HOURS_CAP = 3.0
GUIDED_WORDS = ("带教", "指导")


def _who(t: Teacher, i: int) -> str:
    """How a teacher row is named in messages."""
    return f"授课教师「{t.name}」" if t.name else f"第 {i + 1} 行授课教师"


@rule("title-specific", "职称须填写具体的专业技术职称", "error", "all", (S.BJ_TITLE_SPECIFIC,))
def title_specific(form: Form) -> Iterator[Hit]:
    """Lead and teacher titles are specific ranks, not 中级/高级, posts or degrees."""
    entries: list[tuple[str, str, Optional[str]]] = []
    if form.lead and not blank(form.lead.title):
        entries.append(("lead.title", "项目负责人", form.lead.title))
    seen: set[str] = set()
    for i, t in enumerate(form.teachers or []):
        key = person_key(t, i)
        if not blank(t.title) and key not in seen:
            seen.add(key)
            entries.append((f"teachers.{i}.title", _who(t, i), t.title))
    for path, who, title in entries:
        if rank_of(title) is None:
            yield Hit(
                f"{who}职称「{title}」不是明确的专业技术职称（不可填中级/高级、职务、学位等）",
                [path],
                found=title,
                fix="请填写具体职称，如“主任医师”“副教授”“副主任护师”“主治医师”。",
            )
        elif extra_words(title):
            extra = "、".join(extra_words(title))
            yield Hit(
                f"{who}职称「{title}」中混有职务或学位（{extra}），职称栏只填专业技术职称",
                [path],
                found=title,
                fixed_value=_rank_words(title),
                fix=f"请删除「{extra}」，只保留专业技术职称。",
            )


def _rank_words(title: Optional[str]) -> str:
    """The title with posts and degrees removed."""
    extras = set(extra_words(title))
    return "、".join(p for p in re.split(r"[、，,/／;；|（）()\s]+", title or "") if p and p not in extras)


def _rows(form: Form, kind: str) -> Iterator[tuple[int, Teacher]]:
    """Teacher rows of one kind, one per person."""
    seen: set[str] = set()
    for i, t in enumerate(form.teachers or []):
        key = person_key(t, i) + kind
        if teacher_kind(t) == kind and key not in seen:
            seen.add(key)
            yield i, t


def _nursing_exception(form: Form, title: Optional[str]) -> bool:
    """北京市级 nursing project: a 中级 nursing teacher may lecture (the 40% cap is nursing-mid-share)."""
    return form.level == "北京市级" and is_nursing_project(form) and is_nursing(title)


def _nursing_undecided(form: Form, title: Optional[str]) -> Optional[str]:
    """The unread field (level or subject) that decides whether a 中级 nursing lecturer is allowed, if any."""
    if not is_nursing(title):
        return None
    if blank(form.level):
        return "level"
    if form.level == "北京市级" and blank(form.subject):
        return "subject"
    return None


@rule("theory-teacher-title", "理论授课教师须为副高级及以上职称", "error", "all", (S.NAT_TITLES, S.BJ_THEORY_TITLE))
def theory_teacher_title(form: Form) -> Iterator[Hit]:
    """Every lecture teacher is 副高级 or higher (北京市级 nursing: 中级 nursing allowed)."""
    if not form.teachers:
        yield unread("teachers")
        return
    undecided: Optional[str] = None
    for i, t in _rows(form, "theory"):
        rank = rank_of(t.title)
        if rank == "middle" and _nursing_exception(form, t.title):
            continue
        if rank == "middle" and (missing := _nursing_undecided(form, t.title)):
            undecided = missing
            continue
        if rank in ("middle", "junior"):
            yield Hit(
                f"{_who(t, i)}讲授理论课，职称「{t.title}」为{RANK_ZH[rank]}，理论授课教师须为副高级及以上",
                [f"teachers.{i}.title"],
                found=t.title,
                fix="请更换为副高级及以上职称的教师讲授该理论课，或将该内容改为实践（技术示范）课。",
            )
    if undecided:
        yield unread(undecided, "中级护理职称教师能否讲授理论课")


@rule(
    "practice-teacher-title",
    "实验（技术示范）教师须为中级及以上职称",
    "error",
    "all",
    (S.BJ_PRACTICE_TITLE, S.NAT_TITLES),
)
def practice_teacher_title(form: Form) -> Iterator[Hit]:
    """Every practice teacher is 中级 or higher."""
    if not form.teachers:
        yield unread("teachers")
        return
    for i, t in _rows(form, "practice"):
        if rank_of(t.title) == "junior":
            yield Hit(
                f"{_who(t, i)}承担实践（技术示范）教学，职称「{t.title}」为初级，实验（技术示范）教师须为中级及以上",
                [f"teachers.{i}.title"],
                found=t.title,
                fix="请更换为中级及以上职称的教师。",
            )


def _share_inputs(form: Form) -> Optional[Hit]:
    """An unread hit when unit shares cannot be computed."""
    if not form.teachers:
        return unread("teachers")
    if blank(form.applicant_unit):
        return unread("applicant_unit")
    return None


@rule(
    "own-unit-share",
    "医疗卫生、教学、科研机构申报：本单位授课教师占比不低于50%",
    "error",
    "all",
    (S.BJ_OWN_UNIT, S.NAT_OWN_UNIT),
    applies=lambda f: unit_kind(f) != "association",
)
def own_unit_share(form: Form) -> Iterator[Hit]:
    """Teachers (distinct persons) from the applicant unit are at least half."""
    missing = _share_inputs(form)
    if missing:
        yield missing
        return
    if unit_kind(form) is None:
        yield unread("unit_type", "本单位授课教师占比")
        return
    people = persons(form.teachers or [])
    own = sum(1 for _, t in people.values() if same_unit(t.unit, form.applicant_unit))
    share = pct(own, len(people))
    if own * 2 < len(people):
        need = (len(people) + 1) // 2
        yield Hit(
            f"本单位（{form.applicant_unit}）授课教师 {own} 人，共 {len(people)} 人，占比 {fmt(share)}%，"
            f"医疗卫生、教学、科研机构申报的项目本单位授课教师占比应不低于50%",
            ["teachers", "applicant_unit"],
            found=share,
            fixed_value=50,
            fix=f"请调整授课教师构成，使本单位教师至少 {need} 人（不低于50%）；并核对教师所在单位是否填写为标准名称。",
        )


@rule(
    "association-share",
    "学（协）会等申报北京市级项目：同一单位授课教师占比不高于50%",
    "error",
    "beijing",
    (S.BJ_ASSOCIATION,),
    applies=lambda f: unit_kind(f) == "association",
)
def association_share(form: Form) -> Iterator[Hit]:
    """No single unit supplies more than half of the teachers."""
    if not form.teachers:
        yield unread("teachers")
        return
    people = persons(form.teachers)
    units = Counter(canonical(t.unit) for _, t in people.values() if not blank(t.unit))
    if not units:
        yield unread("teachers", "同一单位授课教师占比")
        return
    unit, n = units.most_common(1)[0]
    if n * 2 > len(people):
        yield Hit(
            f"来自「{unit}」的授课教师 {n} 人，共 {len(people)} 人，占比 {fmt(pct(n, len(people)))}%，"
            "学（协）会等申报北京市级项目，同一单位授课教师占比不得高于50%",
            ["teachers"],
            found=pct(n, len(people)),
            fixed_value=50,
            fix=f"请调整授课教师构成，使来自「{unit}」的教师不超过 {len(people) // 2} 人。",
        )


def _mid_share(form: Form, nursing_only: bool) -> tuple[int, int, list[str]]:
    """(中级 persons, all persons, their paths), optionally counting only nursing titles."""
    people = persons(form.teachers or [])
    paths = [
        f"teachers.{i}.title"
        for i, t in people.values()
        if rank_of(t.title) == "middle" and (not nursing_only or is_nursing(t.title))
    ]
    return len(paths), len(people), paths


@rule(
    "clinical-mid-share",
    "北京市级临床技能项目：中级职称授课教师不高于30%",
    "error",
    "beijing",
    (S.BJ_THEORY_TITLE,),
    applies=lambda f: is_clinical_skills(f) and not is_nursing_project(f),
)
def clinical_mid_share(form: Form) -> Iterator[Hit]:
    """Clinical-skills projects (skill words in title/subject and practice hours > 0): 中级 teachers ≤ 30%."""
    if not form.teachers:
        yield unread("teachers")
        return
    mid, total, paths = _mid_share(form, nursing_only=False)
    if mid * 10 > total * 3:
        yield Hit(
            f"临床技能项目中级职称授课教师 {mid} 人，共 {total} 人，占比 {fmt(pct(mid, total))}%，应不高于30%",
            paths,
            found=pct(mid, total),
            fixed_value=30,
            fix=f"请将中级职称教师减少到 {total * 3 // 10} 人以内，或增加副高级及以上职称教师。",
        )


@rule(
    "nursing-mid-share",
    "北京市级护理项目：中级护理职称授课教师不高于40%",
    "error",
    "beijing",
    (S.BJ_NURSING,),
    applies=is_nursing_project,
)
def nursing_mid_share(form: Form) -> Iterator[Hit]:
    """Nursing projects (二级学科 护理学): 中级 nursing teachers ≤ 40%."""
    if not form.teachers:
        yield unread("teachers")
        return
    mid, total, paths = _mid_share(form, nursing_only=True)
    if mid * 10 > total * 4:
        yield Hit(
            f"护理项目中级护理职称授课教师 {mid} 人，共 {total} 人，占比 {fmt(pct(mid, total))}%，应不高于40%",
            paths,
            found=pct(mid, total),
            fixed_value=40,
            fix=f"请将主管护师等中级职称教师减少到 {total * 4 // 10} 人以内，或增加副主任护师及以上职称教师。",
        )


@rule("teacher-theory-hours", "每位授课教师理论授课原则上不超过3学时", "warning", "national", (S.NAT_THEORY_HOURS,))
def teacher_theory_hours(form: Form) -> Iterator[Hit]:
    """Per person, theory hours (guided teaching rows excluded) add up to at most 3."""
    if not form.teachers:
        yield unread("teachers")
        return
    hours: dict[str, float] = {}
    first: dict[str, int] = {}
    for i, t in enumerate(form.teachers):
        if teacher_kind(t) != "theory" or t.hours is None or any(w in (t.method or "") for w in GUIDED_WORDS):
            continue
        key = person_key(t, i)
        hours[key] = hours.get(key, 0.0) + t.hours
        first.setdefault(key, i)
    for key, h in hours.items():
        if h > THEORY_HOURS_CAP + 0.01:
            t = form.teachers[first[key]]
            yield Hit(
                f"{_who(t, first[key])}理论授课共 {fmt(h)} 学时，每位教师理论授课原则上不超过3学时",
                [f"teachers.{first[key]}.hours"],
                found=h,
                fixed_value=THEORY_HOURS_CAP,
                fix="请将该教师的理论授课控制在3学时以内，由其他教师分担；如属指导带教，请在教学方法中注明。",
            )


def _unit_fields(form: Form) -> Iterator[tuple[str, str]]:
    """(path, unit name) of every unit on the form, each distinct name once."""
    seen: set[str] = set()
    cands = [("applicant_unit", form.applicant_unit), ("lead.unit", form.lead.unit if form.lead else None)]
    cands += [(f"teachers.{i}.unit", t.unit) for i, t in enumerate(form.teachers or [])]
    cands.append(("peer_reviewer.unit", form.peer_reviewer.unit if form.peer_reviewer else None))
    for path, name in cands:
        if not blank(name) and norm(name) not in seen:
            seen.add(norm(name))
            yield path, name or ""


@rule("unit-full-name", "单位名称须填写与公章一致的标准全称", "warning", "all", (S.BJ_FULL_NAME,))
def unit_full_name(form: Form) -> Iterator[Hit]:
    """Known abbreviations (北医三院) and names without any unit word are flagged."""
    for path, name in _unit_fields(form):
        hit = abbreviation_of(name)
        if hit:
            full = canonical(name)
            yield Hit(
                f"单位名称「{name}」为简称，应填写标准全称「{full}」",
                [path],
                found=name,
                fixed_value=full,
                fix=f"请改为与单位公章一致的标准名称「{full}」。",
            )
        elif looks_abbreviated(name):
            yield Hit(
                f"单位名称「{name}」不像完整的单位标准名称（缺少“医院/大学/学会/中心/研究所”等）",
                [path],
                found=name,
                fix="请填写与单位公章一致的完整标准名称。",
            )
