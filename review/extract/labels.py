"""Catalogue of form labels: each FORM.md key with the label variants seen on real drafts."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional

from review.normalize import norm_label

# key -> label variants (written as on paper; matched after `label_key`)
LABELS: dict[str, tuple[str, ...]] = {
    "application_code": ("申请代码", "项目编号"),
    "title": ("项目名称",),
    "subject": ("所在学科", "所在学科（二、三级学科）", "学科", "所属学科"),
    "level": ("项目级别",),
    "category": ("项目类别", "项目类型"),
    "jjj": ("京津冀互认项目", "是否京津冀互认项目", "是否确定为京津冀互认项目"),
    "infectious_training": ("传染病防治知识培训类项目", "传染病防治知识类项目", "是否传染病防治知识培训类项目"),
    "mode": ("举办方式", "授课方式", "教学形式", "举办形式", "项目形式"),
    "audience": ("教学对象", "招生对象", "培训对象"),
    "enrollment": ("拟招生人数", "招生人数"),
    "total_hours": ("教学总时长", "学时时长", "总学时"),
    "theory_hours": ("讲授理论时长", "理论时长", "理论学时"),
    "practice_hours": ("实践（技术示范）时长", "实践时长", "实践学时", "技术示范时长"),
    "credits": ("拟授学分", "授予学分", "学分"),
    "sessions": ("举办期数", "期数"),
    "out_of_province_pct": ("拟招收外省学员占比", "外省学员占比"),
    "grassroots_pct": ("拟招收基层单位学员占比", "基层单位学员占比", "基层学员占比"),
    "applicant_unit": ("申报单位", "申办单位", "申报单位（盖章）", "申办单位（盖章）", "申报单位名称"),
    "unit_type": ("申报单位类型", "单位类型"),
    "unit_phone": ("单位联系电话",),
    "unit_contact": ("单位联系人",),
    "lead_address": ("项目负责人通讯地址", "通讯地址"),
    "lead_phone": ("项目负责人联系电话", "负责人联系电话"),
    "peer_review": ("同行评议意见", "推荐理由"),
    "lead.name": ("项目负责人姓名", "负责人姓名"),
    "lead.sex": ("性别",),
    "lead.birth": ("出生年月", "出生日期"),
    "lead.id_number": ("项目负责人身份证号码", "身份证号码", "身份证号"),
    "lead.title": ("职称", "专业技术职称"),
    "lead.post": ("职务",),
    "lead.education": ("最高学历", "学历"),
    "lead.unit": ("工作单位",),
    "lead.employed": ("是否在职（岗）", "是否在职", "是否在岗"),
    "lead.specialty": ("从事专业", "从事专业（二、三级学科）"),
    "peer_reviewer.name": ("评议专家", "评议专家姓名", "专家姓名", "同行评议专家", "同行评议专家姓名", "评议人"),
    "peer_reviewer.title": ("专家职称", "评议专家职称"),
    "peer_reviewer.unit": ("专家单位", "专家工作单位", "评议专家单位", "评议专家工作单位", "专家所在单位"),
    "signed": ("项目负责人签名", "项目负责人签字", "负责人签名", "负责人签字"),
    "event.time": ("举办时间", "举办日期"),
    "event.days": ("举办天数", "天数"),
    "event.venue": ("举办地点", "地点"),
    "event.time_venue": (
        "举办时间及地点",
        "举办时间和地点",
        "举办时间、地点",
        "举办时间与地点",
        "时间及地点",
        "时间地点",
    ),
}

# long labels matched by prefix (the rest of the label cell is a hint)
PREFIX_LABELS: dict[str, tuple[str, ...]] = {
    "achievements": ("项目负责人在临床诊疗", "项目负责人主要成绩", "主要成绩"),
    "unit_profile": ("项目申报单位及项目负责人所在科室基本情况", "项目申报单位及项目负责人所在科室"),
    "history": ("项目负责人近三年继续医学教育项目", "近三年继续医学教育项目申报"),
}

# labels that end a narrative / section without being a field of their own
STOP_LABELS: tuple[str, ...] = (
    "申报单位意见",
    "省级卫生健康行政部门意见",
    "其他需要说明的情况",
    "课程及教师信息",
    "承诺书",
    "多期举办信息",
    "项目负责人信息",
    "项目基本信息",
    "项目其他信息",
    "日期",
    "签字",
    "盖章",
    "申报日期",
    "项目负责人",
    "教师信息",
    "单位意见",
)

# generic labels whose key depends on the section they appear in
CONTEXT_KEYS: dict[str, dict[str, str]] = {
    "peer": {
        "姓名": "peer_reviewer.name",
        "职称": "peer_reviewer.title",
        "工作单位": "peer_reviewer.unit",
        "单位": "peer_reviewer.unit",
        "所在单位": "peer_reviewer.unit",
        "专业技术职称": "peer_reviewer.title",
    },
    "lead": {"姓名": "lead.name"},
}

NARRATIVE_KEYS = ("peer_review", "achievements", "unit_profile")


@lru_cache(maxsize=8192)
def label_key(text: str) -> str:
    """Matching form of a label: norm_label with every bracketed group and hint removed."""
    t = norm_label(text)
    t = re.sub(r"\([^()]*\)", "", t)
    t = re.sub(r"\([^()]{0,8}$", "", t)  # OCR often drops a closing bracket: "是否在职（岗"
    t = re.sub(r"[:：。.,，;；*※]+$", "", t)
    t = re.sub(r"^[\d一二三四五六七八九十]+[、.)]", "", t)
    return t


@lru_cache(maxsize=1)
def _exact() -> dict[str, str]:
    out: dict[str, str] = {}
    for key, variants in LABELS.items():
        for v in variants:
            out.setdefault(label_key(v), key)
    for stop in STOP_LABELS:
        out.setdefault(label_key(stop), "_stop")
    for ctx in CONTEXT_KEYS.values():
        for label in ctx:
            out.setdefault(label_key(label), "_ctx")
    return out


@lru_cache(maxsize=8192)
def match_label(text: str) -> Optional[str]:
    """Key for a label text (exact after label_key, or a long-label prefix); '_stop'/'_ctx' for specials."""
    k = label_key(text)
    if not k:
        return None
    hit = _exact().get(k)
    if hit:
        return hit
    for key, prefixes in PREFIX_LABELS.items():
        for p in prefixes:
            if k.startswith(label_key(p)):
                return key
    return _fuzzy(k)


@lru_cache(maxsize=4096)
def _fuzzy(k: str) -> Optional[str]:
    """A label with one misread character (OCR: 京津翼 for 京津冀), for labels of 5+ characters."""
    if len(k) < 5:
        return None
    for cand, key in _exact().items():
        if len(cand) == len(k) and key not in ("_stop", "_ctx"):
            if sum(1 for a, b in zip(cand, k, strict=True) if a != b) == 1:
                return key
    return None


@lru_cache(maxsize=1)
def inline_pattern() -> re.Pattern[str]:
    """Regex finding 'label：' anywhere in a line (spaces allowed between label characters)."""
    names: set[str] = set()
    for variants in LABELS.values():
        names.update(variants)
    names.update(STOP_LABELS)
    for ctx in CONTEXT_KEYS.values():
        names.update(ctx)
    long_alts: list[str] = []
    short_alts: list[str] = []
    for name in sorted(names, key=len, reverse=True):
        chars = [re.escape(c) if c not in "（）()" else "[（(]" if c in "（(" else "[）)]" for c in name]
        (long_alts if len(name) >= 3 else short_alts).append(r"\s*".join(chars))
    suffix = r"(?:\s*[（(][^（）()]{0,12}[）)])*"
    body = "|".join(long_alts) + "|(?:" + "|".join(short_alts) + ")"  # OCR drops spaces: '孙立新职称：'
    box = r"(?P<box>\s*(?:[□☐☑☒■√✓✔●○]|\[\s*[xX√]?\s*\]))?"  # '京津冀互认项目■：' ticks inside the label
    return re.compile("(" + body + ")" + suffix + box + r"\s*[:：]")


_PREFIX_TAIL = re.compile(r"[^（()）：:。，,；;\n]{0,40}")
_PREFIX_TAIL_LINES = re.compile(r"[^（()）：:。，,；;]{0,60}")
_HINT_WORDS = re.compile(r"不少于|不超过|字[)）]|主要表述|主要包括|包括|填写|如[^)）]{0,40}等")
_PREFIX_BRACKETS = re.compile(r"(?:\s*[（(][^（）()]{0,120}[）)])+")
_PREFIX_COLON = re.compile(r"\s*[:：]")
_NUMBERING = re.compile(r"\s*(?:[\d一二三四五六七八九十]+\s*[、.．)）]\s*|[（(][\d一二三四五六七八九十]+[)）]\s*)?")


@lru_cache(maxsize=1)
def _prefix_patterns() -> list[tuple[str, re.Pattern[str]]]:
    """(key, regex) for every long-label prefix, spaces and line breaks allowed between its characters."""
    out = []
    for key, prefixes in PREFIX_LABELS.items():
        for p in sorted(prefixes, key=len, reverse=True):
            out.append((key, re.compile(r"\s*".join(re.escape(c) for c in p))))
    return out


def prefix_label(raw: str) -> Optional[tuple[str, int]]:
    """(key, end) when raw starts with a long label: the label runs on to its hint brackets or colon.

    "主要成绩（不少于300字）王建国，…" -> ("achievements", index of 王). Without brackets or a colon the label
    ends at its line's end (a cell's wrapped lines are kept as "\n") or right after the prefix.
    """
    lead = _NUMBERING.match(raw)
    start = lead.end() if lead else 0
    hit = next(((key, m) for key, rx in _prefix_patterns() if (m := rx.match(raw, start))), None)
    if hit is None:
        return None
    key, m = hit
    pos = m.end()
    wide = _PREFIX_TAIL_LINES.match(raw, pos)
    hint = _PREFIX_BRACKETS.match(raw, wide.end()) if wide else None
    if hint and _HINT_WORDS.search(hint.group()):  # a label wrapped over lines up to its '（不少于300字）'
        colon = _PREFIX_COLON.match(raw, hint.end())
        return key, colon.end() if colon else hint.end()
    tail = _PREFIX_TAIL.match(raw, pos)
    tail_end = tail.end() if tail else pos
    br = _PREFIX_BRACKETS.match(raw, tail_end)
    end = br.end() if br else tail_end
    colon = _PREFIX_COLON.match(raw, end)
    if colon:
        end = colon.end()
    if not br and not colon:
        nl = raw.find("\n", pos)
        if nl >= 0:
            end = nl if tail_end >= nl else pos
        elif tail_end < len(raw.rstrip()):
            end = pos
    return key, end
