"""Rules on enrollment (招生): size, out-of-province and grassroots shares, 京津冀互认."""

from __future__ import annotations

from collections.abc import Iterator

from review.form import Form
from review.rules import sources as S
from review.rules.helpers import Hit, fmt, is_hands_on, rule, unread

FACE_CAP = 1000
RANGE_MIN = 50
JJJ_MIN = 100
SHARE_MIN = 10.0


def _remote(form: Form) -> bool:
    """Online-only project."""
    return (form.mode or "").strip() == "远程"


@rule(
    "enrollment-cap",
    "面授项目招生人数原则上控制在1000人以内",
    "warning",
    "all",
    (S.BJ_ENROLL_CAP,),
    applies=lambda f: not _remote(f),
)
def enrollment_cap(form: Form) -> Iterator[Hit]:
    """Face-to-face enrollment ≤ 1000."""
    if form.enrollment is None:
        yield unread("enrollment")
    elif form.enrollment > FACE_CAP:
        yield Hit(
            f"拟招生人数 {form.enrollment} 人，面授项目人数原则上控制在1000人以内",
            ["enrollment"],
            found=form.enrollment,
            fixed_value=FACE_CAP,
            fix="请将拟招生人数控制在1000人以内，或分期举办。",
        )


@rule("enrollment-range", "招生人数宜在50至1000人之间（实操训练类项目除外）", "warning", "all", (S.BJ_ENROLL_RANGE,))
def enrollment_range(form: Form) -> Iterator[Hit]:
    """Below 50 (not hands-on) or above 1000 is discouraged (RULES.md; the face-to-face cap is enrollment-cap)."""
    n = form.enrollment
    if n is None:
        yield unread("enrollment")
    elif n < RANGE_MIN and not is_hands_on(form):
        yield Hit(
            f"拟招生人数 {n} 人，少于50人（实操训练类项目除外）的项目不建议申报",
            ["enrollment"],
            found=n,
            fixed_value=RANGE_MIN,
            fix="请扩大招生规模至50人以上；如为实操训练类项目，请在项目名称和课程安排中体现实操内容。",
        )
    elif n > FACE_CAP:
        yield Hit(
            f"拟招生人数 {n} 人，学员人数大于1000人的项目不建议再次申报",
            ["enrollment"],
            found=n,
            fixed_value=FACE_CAP,
            fix="请核实招生规模是否合理，并确保能保证培训质量。",
        )


@rule(
    "out-of-province",
    "外省及基层学员占比不低于10%（国家级：外省学员不低于10%）",
    "error",
    "all",
    (S.BJ_NEW_SHARE, S.PKU_OUT_PROVINCE, S.NAT_OUT_PROVINCE),
)
def out_of_province(form: Form) -> Iterator[Hit]:
    """外省 + 基层 ≥ 10%; 国家级 also 外省 ≥ 10%."""
    op, gr = form.out_of_province_pct, form.grassroots_pct
    if op is None and gr is None:
        yield unread("out_of_province_pct")
        return
    if form.level == "国家级":
        if op is None:
            yield unread("out_of_province_pct")
        elif op < SHARE_MIN:
            yield Hit(
                f"拟招收外省学员占比 {fmt(op)}%，国家级项目面向全国招收的学员占比不低于10%",
                ["out_of_province_pct"],
                found=op,
                fixed_value=SHARE_MIN,
                fix="请将拟招收外省学员占比提高到10%以上，并在招生方案中落实。",
            )
            return
    total = (op or 0) + (gr or 0)
    if total < SHARE_MIN and (op is None or gr is None):
        yield unread("grassroots_pct" if gr is None else "out_of_province_pct")
    elif total < SHARE_MIN:
        yield Hit(
            f"拟招收外省学员占比 {fmt(op)}% 与基层单位学员占比 {fmt(gr)}% 合计 {fmt(total)}%，原则上不低于10%",
            ["out_of_province_pct", "grassroots_pct"],
            found=total,
            fixed_value=SHARE_MIN,
            fix="请提高外省学员和基层单位学员的招收比例，使两者合计不低于10%。",
        )


@rule(
    "jjj-enrollment",
    "京津冀互认项目拟招生人数应为100人以上（实操训练类除外）",
    "error",
    "jjj",
    (S.BJ_JJJ_ENROLL, S.BJ_JJJ_HANDS_ON),
)
def jjj_enrollment(form: Form) -> Iterator[Hit]:
    """京津冀互认: enrollment ≥ 100 unless hands-on."""
    if form.enrollment is None:
        yield unread("enrollment")
    elif form.enrollment < JJJ_MIN and not is_hands_on(form):
        yield Hit(
            f"申请京津冀互认的项目拟招生人数 {form.enrollment} 人，应为100人以上（实操训练类项目除外）",
            ["enrollment", "jjj"],
            found=form.enrollment,
            fixed_value=JJJ_MIN,
            fix="请将拟招生人数提高到100人以上，或取消勾选「京津冀互认项目」。",
        )


@rule("jjj-level", "京津冀互认项目须为北京市级项目", "error", "jjj", (S.BJ_JJJ_BASE,))
def jjj_level(form: Form) -> Iterator[Hit]:
    """京津冀互认 is chosen among 北京市级 projects only."""
    if form.level is None:
        yield unread("level")
    elif form.level != "北京市级":
        yield Hit(
            f"项目级别为「{form.level}」却勾选了京津冀互认项目；互认项目须在确立为北京市级项目的基础上申请",
            ["jjj", "level"],
            found=form.level,
            fixed_value="北京市级",
            fix="请取消勾选「京津冀互认项目」，或改为申报北京市级项目。",
        )


@rule("percent-valid", "占比须为0至100之间的数值", "error", "all", (S.BJ_ACCURATE,))
def percent_valid(form: Form) -> Iterator[Hit]:
    """外省 and 基层 shares lie in [0, 100]."""
    for path, label in (("out_of_province_pct", "拟招收外省学员占比"), ("grassroots_pct", "拟招收基层单位学员占比")):
        v = getattr(form, path)
        if v is not None and not 0 <= v <= 100:
            yield Hit(
                f"{label} {fmt(v)}% 不在 0～100 之间", [path], found=v, fix=f"请填写 0～100 之间的百分数（{label}）。"
            )
