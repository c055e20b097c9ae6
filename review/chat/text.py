"""Text helpers for policy chat: normalisation, jieba terms, sentence split, numbers, offline rewrite."""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import Optional

from review.normalize import nfkc, squash
from review.textutil import norm_ws

log = logging.getLogger(__name__)

# Domain vocabulary: terms that mark a question as being about CME projects and credits.
DOMAIN_TERMS: tuple[str, ...] = (
    "继续医学教育",
    "继教",
    "学分",
    "学时",
    "小时",
    "项目",
    "申报",
    "申报书",
    "申办",
    "授课",
    "教师",
    "讲师",
    "职称",
    "负责人",
    "同行评议",
    "远程",
    "面授",
    "线上",
    "线下",
    "招生",
    "学员",
    "外省",
    "基层",
    "期",
    "期数",
    "举办",
    "备案",
    "报备",
    "督查",
    "执行情况",
    "证书",
    "承诺书",
    "签字",
    "盖章",
    "公章",
    "学科",
    "京津冀",
    "互认",
    "国家级",
    "市级",
    "北京市级",
    "省级",
    "传染病",
    "感染病",
    "进修",
    "刷卡",
    "审验",
    "主要成绩",
    "基本情况",
    "技术示范",
    "实验",
    "理论",
    "护理",
    "临床技能",
    "学会",
    "协会",
    "申报单位",
    "年会",
    "论坛",
    "风景区",
    "风景名胜区",
    "通讯录",
    "执行率",
    "推荐项目",
    "期（次）",
    "中级",
    "副高级",
    "高级",
    "在职",
    "课件",
    "必修课",
    "社区",
    "备案",
    "督查系统",
    "日程",
    "通知",
)
TOPIC_NOUNS: tuple[str, ...] = tuple(t for t in DOMAIN_TERMS if len(t) >= 2 and t not in ("项目", "小时"))

# Interchangeable terms: an elliptical follow-up swaps one member for another.
SLOT_GROUPS: tuple[tuple[str, ...], ...] = (
    ("面授", "远程"),
    ("北京市级", "国家级", "市级", "京津冀互认"),
    ("理论授课教师", "实验教师", "实验（技术示范）教师", "技术示范教师", "实践教师", "授课教师", "项目负责人"),
    ("护理专业", "护理", "临床技能"),
    ("医疗卫生机构", "学会", "协会", "学（协）会"),
    ("主要成绩", "同行评议意见", "同行评议", "基本情况"),
    ("进修", "医防融合培训", "社区医生临床研修"),
)
ELLIPSIS_PREFIXES: tuple[str, ...] = ("那么", "那如果", "如果是", "如果", "那", "还有", "另外", "那要是", "要是")
NUMERIC_CUES: tuple[str, ...] = (
    "几",
    "多少",
    "多长",
    "多久",
    "比例",
    "不超过",
    "不低于",
    "上限",
    "下限",
    "至少",
    "最多",
    "占比",
)
STOPWORDS: frozenset[str] = frozenset(
    "的 了 吗 呢 吧 啊 是 有 在 和 与 或 及 要 能 可以 可 不 么 什么 怎么 怎样 如何 哪些 哪个 哪天 多少 几 个 一个 我 我们 你 您 这 那 "
    "这个 那个 还 还有 就 都 也 需要 应该 请问 问 一下 时候 吗 么 呀 吧 之前 以后 以上 以下 多 少 最多 最少 对 为 把 被 给 让 "
    "会 没有 没 里 中 上 下 后 前 该 所 等 由 从 到 写 填 办 谁 哪 多长时间 时间 要求 规定 有没有 能不能 可不可以 是不是 之后 "
    "其他 别的 另外 怎么办 为什么 如果 怎么算 一栏 那栏 这栏".split()
)
ITEM_START = re.compile(r"^(?:\d{1,2}$|\d{1,2}\s*[\.．、]|[（(]\d|[-•●※△★]|[一二三四五六七八九十]+、|PART|附件)")
PROVINCES: tuple[str, ...] = (
    "天津",
    "河北",
    "山西",
    "内蒙古",
    "辽宁",
    "吉林",
    "黑龙江",
    "上海",
    "江苏",
    "浙江",
    "安徽",
    "福建",
    "江西",
    "山东",
    "河南",
    "湖北",
    "湖南",
    "广东",
    "广西",
    "海南",
    "重庆",
    "四川",
    "贵州",
    "云南",
    "西藏",
    "陕西",
    "甘肃",
    "青海",
    "宁夏",
    "新疆",
    "香港",
    "澳门",
    "台湾",
)

_SENT_SPLIT = re.compile(r"(?<=[。；！？;!?])|\n")


def norm(text: str) -> str:
    """NFKC (full→half width), drop whitespace and markdown asterisks: the form facts and quotes compare in."""
    return squash(nfkc(text or "")).replace("*", "")


def collapse(text: str) -> str:
    """Collapse whitespace runs to one space (a verbatim quote, whitespace-normalised): textutil.norm_ws."""
    return norm_ws(text or "")


def display(text: str) -> str:
    """Readable form of a quote: no markdown asterisks, no spaces between CJK characters."""
    t = collapse(text).replace("**", "")
    return re.sub(r"(?<=[^\x00-\x7f]) (?=[^\x00-\x7f])|(?<=[^\x00-\x7f]) (?=\S)|(?<=\S) (?=[^\x00-\x7f])", "", t)


@lru_cache(maxsize=1)
def _jieba():
    """jieba with the domain terms added (loaded once; quiet)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    for t in DOMAIN_TERMS:
        jieba.add_word(t, freq=200000)
    return jieba


@lru_cache(maxsize=4096)
def terms(text: str) -> tuple[str, ...]:
    """Content terms of a text: jieba search-mode words (parts, then the whole) without stopwords or punctuation."""
    words = _jieba().lcut_for_search(nfkc(text or "").replace("*", ""))
    out: list[str] = []
    for w in words:
        w = w.strip()
        if not w or w in STOPWORDS or not re.search(r"[\w\u4e00-\u9fff]", w):
            continue
        if len(w) == 1 and w not in ("期",) and not w.isdigit():
            continue
        out.append(w)
    return tuple(dict.fromkeys(out))


def split_sentences(text: str) -> list[str]:
    """Sentences of a passage: split on 。；！？ and line breaks, re-joining hard-wrapped lines."""
    lines = [ln for ln in (text or "").split("\n")]
    merged: list[str] = []
    buf = ""
    for ln in lines:
        s = ln.strip()
        if not s:
            continue
        # A long line without closing punctuation is a hard wrap of the same sentence (the national notice).
        last = buf.strip().split("\n")[-1].strip() if buf else ""
        if last and len(last) >= 24 and not re.search(r"[。；！？;!?：:）)]$", last) and not ITEM_START.match(s):
            buf = buf + "\n" + ln
        else:
            if buf:
                merged.append(buf)
            buf = ln
    if buf:
        merged.append(buf)
    out: list[str] = []
    for block in merged:
        for part in re.split(r"(?<=[。；！？;!?])", block):
            p = collapse(part)
            if len(norm(p)) >= 4:
                out.append(p)
    return out


def is_numeric_question(q: str) -> bool:
    """True for how-many / how-long / ratio questions."""
    return any(c in q for c in NUMERIC_CUES)


def other_province(q: str) -> Optional[str]:
    """A province other than Beijing that the question is about (the corpus covers national + Beijing rules)."""
    for p in PROVINCES:
        if p in q and not (p in ("天津", "河北") and "京津冀" in q):
            return p
    return None


def _strip_ellipsis(q: str) -> str:
    """The new fragment of an elliptical follow-up: no 那/那么 prefix, no 的呢/呢 tail."""
    s = q.strip()
    for p in ELLIPSIS_PREFIXES:
        if s.startswith(p):
            s = s[len(p) :]
            break
    s = re.sub(r"(的话|的)?(呢|吗|嘛)?[？?。!！]*$", "", s)
    return s.strip(" ，,")


def is_elliptical(q: str) -> bool:
    """A follow-up that leans on the previous turn: starts with 那/如果是/还有, or is short without a topic noun."""
    s = q.strip()
    if s.startswith(ELLIPSIS_PREFIXES):
        return True
    has_topic = any(t in s for t in TOPIC_NOUNS)
    return len(norm(s)) <= 8 and not has_topic


def _swap(prev: str, frag: str) -> Optional[str]:
    """Replace in prev the slot-mate of a term found in frag (面授→远程, 国家级→北京市级 …)."""
    for group in SLOT_GROUPS:
        new = next((t for t in group if t in frag), None)
        if not new:
            continue
        old = next((t for t in group if t in prev and t != new and t not in new), None)
        if old:
            return prev.replace(old, new, 1)
    return None


def rewrite_offline(question: str, history: list[dict]) -> str:
    """Deterministic standalone rewrite: carry the previous question's topic into an elliptical follow-up."""
    users = [i for i, h in enumerate(history or []) if h.get("role") == "user" and h.get("content")]
    if not users or not is_elliptical(question):
        return question.strip()
    last = users[-1]
    prev = rewrite_offline(history[last]["content"], history[:last])  # a chain of follow-ups resolves in turn
    frag = _strip_ellipsis(question)
    swapped = _swap(prev, frag)
    if swapped:
        return swapped
    topic = [t for t in TOPIC_NOUNS if t in prev]
    topic = [t for t in topic if not any(t != o and t in o for o in topic)]  # keep the longest terms
    if not topic:
        return f"{prev.rstrip('？?。')}，{frag}？" if frag else prev
    rest = question.strip()
    return f"关于{'、'.join(topic)}：{rest}{'' if rest.endswith(('？', '?')) else '？'}"
