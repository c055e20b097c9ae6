"""Rules on the project lead (项目负责人): title, employment, unit, teaching, history, specialty, ID number."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Optional

from review.form import Form
from review.rules import sources as S
from review.rules.helpers import Hit, blank, norm, rule, second_level, third_level, unit_kind, unread
from review.rules.units import canonical, same_unit
from review.titles import RANK_ZH, rank_of

CODE_RE = re.compile(r"^(\d{4})-\d{2}-\d{2}-\d{3}$")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


@rule("lead-title", "项目负责人职称须为副高级及以上", "error", "all", (S.NAT_TITLES, S.BJ_LEAD_TITLE))
def lead_title(form: Form) -> Iterator[Hit]:
    """Lead holds a 副高级 or higher title; unrankable titles are left to title-specific."""
    title = form.lead.title if form.lead else None
    if blank(title):
        yield unread("lead.title")
        return
    rank = rank_of(title)
    if rank in ("middle", "junior"):
        yield Hit(
            f"项目负责人职称「{title}」为{RANK_ZH[rank]}，项目负责人须具有副高级及以上专业技术职务",
            ["lead.title"],
            fix="请更换为具有副高级及以上职称（如副主任医师、副教授、副研究员）的项目负责人。",
            found=title,
        )


@rule("lead-employed", "项目负责人须在职（岗）", "error", "all", (S.BJ_NOT_EMPLOYED, S.NAT_LEAD_EMPLOYED))
def lead_employed(form: Form) -> Iterator[Hit]:
    """是否在职（岗） is 是."""
    employed = form.lead.employed if form.lead else None
    if employed is None:
        yield unread("lead.employed")
    elif employed is False:
        yield Hit(
            "项目负责人「是否在职（岗）」填写为「否」，不在职（岗）的项目负责人无法上报",
            ["lead.employed"],
            fix="请由申报单位在职（岗）人员担任项目负责人，并将「是否在职（岗）」填为「是」。",
            found=False,
            fixed_value=True,
        )


@rule(
    "lead-at-unit",
    "项目负责人须为申报单位在职人员",
    "error",
    "all",
    (S.NAT_LEAD_EMPLOYED, S.BJ_LEAD_AT_UNIT),
    applies=lambda f: unit_kind(f) != "association",
)
def lead_at_unit(form: Form) -> Iterator[Hit]:
    """Lead's 工作单位 is the applicant unit (not checked for 学（协）会 applicants)."""
    unit = form.lead.unit if form.lead else None
    if blank(unit):
        yield unread("lead.unit")
    elif blank(form.applicant_unit):
        yield unread("applicant_unit")
    elif not same_unit(unit, form.applicant_unit):
        yield Hit(
            f"项目负责人工作单位「{unit}」与申报单位「{form.applicant_unit}」不一致，项目负责人须为申报单位在职人员",
            ["lead.unit", "applicant_unit"],
            found=unit,
            fixed_value=canonical(form.applicant_unit),
            fix="请由申报单位的在职人员担任项目负责人，或核对两处单位名称是否均为与公章一致的标准名称。",
        )


@rule(
    "lead-teaches", "项目负责人须承担授课任务", "error", "all", (S.NAT_LEAD_LIMIT, S.BJ_LEAD_TEACHES, S.BJS_LEAD_ABSENT)
)
def lead_teaches(form: Form) -> Iterator[Hit]:
    """The lead's name appears in the teacher table."""
    name = form.lead.name if form.lead else None
    if blank(name):
        yield unread("lead.name")
        return
    if not form.teachers:
        yield unread("teachers")
        return
    names = [norm(t.name) for t in form.teachers]
    if norm(name) not in names:
        yield Hit(
            f"项目负责人「{name}」未出现在课程及教师信息中，项目负责人须参与授课",
            ["lead.name", "teachers"],
            found=name,
            fix=f"请在课程及教师信息中为项目负责人「{name}」安排授课内容和学时。",
        )


def _has_led(form: Form) -> Optional[bool]:
    """True when history shows an executed national/provincial project; None when history is unread."""
    if not form.history:
        return None
    return any((h.national or h.provincial) and h.executed for h in form.history)


@rule(
    "lead-prior-project",
    "国家级项目负责人近3年须担任过国家级或省级项目负责人且执行良好",
    "error",
    "national",
    (S.BJ_LEAD_PRIOR, S.NAT_LEAD_PRIOR),
)
def lead_prior_project(form: Form) -> Iterator[Hit]:
    """National projects: the lead led an executed national or provincial project in the last 3 years."""
    led = _has_led(form)
    if led is None:
        yield unread("history")
    elif not led:
        yield Hit(
            "近三年申报、执行情况中没有已执行的国家级或省级继续医学教育项目，"
            "国家级项目负责人须近3年曾担任过国家级或省级项目负责人且执行情况良好",
            ["history"],
            found=[h.model_dump() for h in form.history or []],
            fix="请核对近三年项目申报、执行情况；如确无已执行的国家级或省级项目，建议改报北京市级项目或更换项目负责人。",
        )


def _code_hits(i: int, year: Optional[int], ticked: Optional[bool], code: Optional[str], kind: str) -> Iterator[Hit]:
    """Problems with one project number of one history year."""
    path = f"history.{i}.{'national' if kind == '国家级' else 'provincial'}_code"
    raw = norm(code)
    raw = re.sub(r"\((国|市|省)\)$", "", raw)
    label = f"{year or '（年份未读取）'}年{kind}项目编号"
    if ticked and not raw:
        yield Hit(
            f"{year or ''}年勾选了{kind}项目，但未填写{kind}项目编号",
            [path],
            fix=f"请填写{label}（格式如 2025-03-01-002）。",
        )
    elif raw and not CODE_RE.match(raw):
        yield Hit(
            f"{label}「{code}」格式不正确，应为“年份-二级学科-三级学科-序号”（如 2025-03-01-002）",
            [path],
            found=code,
            fix=f"请按项目公布文件核对并改正{label}。",
        )
    elif raw and not ticked:
        yield Hit(
            f"{label}「{code}」已填写，但未勾选「{kind}」",
            [path],
            found=code,
            fix=f"请勾选{year or ''}年的「{kind}」，或删除不属实的项目编号。",
        )
    elif raw and year and CODE_RE.match(raw) and int(CODE_RE.match(raw).group(1)) != year:  # type: ignore[union-attr]
        yield Hit(
            f"{label}「{code}」的年份与所填年度 {year} 不一致",
            [path],
            found=code,
            fix="请核对项目编号与申报年度是否对应。",
        )


@rule(
    "lead-history-consistent",
    "近三年项目申报、执行情况须如实准确填写",
    "warning",
    "all",
    (S.BJ_HISTORY, S.BJ_NOT_EXECUTED),
)
def lead_history_consistent(form: Form) -> Iterator[Hit]:
    """Each ticked year has a well-formed project number and an answered 是否执行; non-executed projects are flagged."""
    if form.history is None:
        yield unread("history")
        return
    for i, h in enumerate(form.history):
        yield from _code_hits(i, h.year, h.national, h.national_code, "国家级")
        yield from _code_hits(i, h.year, h.provincial, h.provincial_code, "省级")
        if (h.national or h.provincial) and h.executed is None:
            yield Hit(
                f"{h.year or ''}年勾选了已申报项目，但「是否执行」未填写",
                [f"history.{i}.executed"],
                fix="请勾选「是否执行：是/否」。",
            )
        elif (h.national or h.provincial) and h.executed is False:
            yield Hit(
                f"{h.year or ''}年申报的项目填写为未执行；近2年立项后未举办的，不得再次申报",
                [f"history.{i}.executed"],
                found=False,
                fix="请核实该项目是否已举办并完成执行情况汇报；如确未举办，请与继教管理部门确认本次是否可以申报。",
            )


GENERIC_BIGRAMS = frozenset({"临床", "医学", "病学", "科学", "内科", "外科", "学科", "专业", "医师", "学-"})


def _bigrams(text: str) -> set[str]:
    """Two-character pieces of a text, minus generic ones."""
    t = re.sub(r"[学与及和、()（）-]", "", text)
    return {t[i : i + 2] for i in range(len(t) - 1)} - GENERIC_BIGRAMS


ROOT_NOISE = re.compile(r"临床|医学|病学|外科|内科|科学|专业|方向|学|科|与|及|和|[()（）、]")


def _root(text: str) -> str:
    """A field name without generic words (骨外科学 → 骨, 心血管内科 → 心血管)."""
    return ROOT_NOISE.sub("", text)


def specialty_matches(subject: str, specialty: str) -> bool:
    """Loose match of subject and specialty: containment, a shared meaningful bigram, or a shared root."""
    sp = norm(specialty)
    for part in (third_level(subject), second_level(subject)):
        p = part.rstrip("学")
        if not p:
            continue
        if p in sp or sp.rstrip("学") in p or _bigrams(p) & _bigrams(sp):
            return True
        a, b = _root(p), _root(sp)
        if a and b and (a in b or b in a):
            return True
    return False


@rule(
    "lead-specialty-match",
    "项目学科须为项目负责人所从事的主要专业或研究方向",
    "warning",
    "all",
    (S.BJ_LEAD_SPECIALTY, S.NAT_LEAD_LIMIT),
)
def lead_specialty_match(form: Form) -> Iterator[Hit]:
    """The subject shares a meaningful term with the lead's specialty."""
    specialty = form.lead.specialty if form.lead else None
    if blank(specialty):
        yield unread("lead.specialty")
    elif blank(form.subject):
        yield unread("subject")
    elif not specialty_matches(form.subject or "", specialty or ""):
        yield Hit(
            f"项目所在学科「{form.subject}」与项目负责人从事专业「{specialty}」看不出对应关系",
            ["subject", "lead.specialty"],
            found=specialty,
            fix="请核对所在学科与项目负责人从事专业；项目内容须为负责人所从事的主要专业或研究方向。",
        )


def id_problems(id_number: str, birth: Optional[str], sex: Optional[str]) -> list[str]:
    """Chinese descriptions of what is wrong with an 18-digit ID number (empty when valid)."""
    n = id_number.strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", n):
        return [f"身份证号码「{id_number}」不是18位（前17位为数字、末位为数字或X）"]
    out: list[str] = []
    check = ID_CHECK[sum(int(c) * w for c, w in zip(n[:17], ID_WEIGHTS, strict=True)) % 11]
    if n[17] != check:
        out.append(f"身份证号码校验位应为 {check}，实为 {n[17]}")
    try:
        born = date(int(n[6:10]), int(n[10:12]), int(n[12:14]))
    except ValueError:
        return out + [f"身份证号码中的出生日期 {n[6:14]} 不是有效日期"]
    m = re.match(r"^\s*(\d{4})\D*(\d{1,2})?", birth or "")
    if m and (int(m.group(1)) != born.year or (m.group(2) and int(m.group(2)) != born.month)):
        out.append(f"身份证号码中的出生年月 {born.year}-{born.month:02d} 与所填出生年月「{birth}」不一致")
    id_sex = "男" if int(n[16]) % 2 else "女"
    if sex and sex.strip() in ("男", "女") and sex.strip() != id_sex:
        out.append(f"身份证号码显示性别为{id_sex}，与所填性别「{sex}」不一致")
    return out


@rule(
    "id-number",
    "项目负责人身份证号码须有效且与出生年月、性别一致",
    "error",
    "all",
    (S.BJ_ACCURATE, S.BJ_ID_FIELDS),
)
def id_number(form: Form) -> Iterator[Hit]:
    """GB 11643 check digit, valid birth date, and agreement with 出生年月 / 性别."""
    lead = form.lead
    if lead is None or blank(lead.id_number):
        yield unread("lead.id_number")
        return
    if "*" in (lead.id_number or ""):
        yield Hit(
            "身份证号码已脱敏（含 *），无法校验",
            ["lead.id_number"],
            severity="advice",
            not_checked=True,
            fix="如需校验，请使用未脱敏的申报书。",
        )
        return
    problems = id_problems(lead.id_number or "", lead.birth, lead.sex)
    if problems:
        yield Hit(
            "；".join(problems),
            ["lead.id_number", "lead.birth", "lead.sex"],
            found=lead.id_number,
            fix="请对照身份证原件核对身份证号码、出生年月和性别。",
        )
