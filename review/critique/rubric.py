"""Deterministic rubric for the three narratives: patterns, per-criterion checks, suggestions.

Every criterion is a small pure function `(text, form) -> Scored` with a fixed maximum; the critique
is the sum. Pattern families are Chinese synonym regexes; nothing here is tuned to single texts.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

import jieba

from review.form import Form
from review.grounding import number_tokens
from review.narratives import MIN_CHARS, UNIT_PROFILE_ASPECTS, pattern
from review.normalize import count_chars, hint_in, nfkc, strip_hint_passages
from review.rules.units import same_unit

NEAR_MIN_RATIO = 1.10  # within 10% above the minimum: counters differ, warn

# criterion maxima (sum = 100)
MAX_CHARS, MAX_ELEMENTS, MAX_SPECIFIC, MAX_STYLE, MAX_CONSIST, MAX_COMMERCIAL = 20, 30, 15, 15, 10, 10


@dataclass
class Scored:
    """One criterion's result: points, a note, issues and suggestions (Chinese)."""

    name: str
    score: float
    max: float
    note: str = ""
    issues: list[str] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)


# required elements: (name, pattern, suggestion when missing)
ELEMENTS: dict[str, list[tuple[str, re.Pattern[str], str]]] = {
    "peer_review": [
        (
            "培训内容",
            pattern(
                r"(培训|授课|课程|教学|讲授)内容|课程(设置|安排|体系)|涵盖|围绕|聚焦|专题|包括.{0,30}(诊断|治疗|技术|管理|规范|护理|评估|操作|进展)"
            ),
            "写明培训内容：列出主要专题（如诊断标准、治疗规范、关键技术），并与本项目课程表对应",
        ),
        (
            "培训形式",
            pattern(
                r"讲座|理论讲授|专题授课|实操|操作培训|工作坊|线上|线下|远程|面授|病例讨论|案例讨论|模拟|演示|示范|手把手|带教|查房|互动|答疑|考核"
            ),
            "写明培训形式：理论讲座、病例讨论、技能实操/工作坊、线上或线下等，以及理论与实践学时安排",
        ),
        (
            "对象与需求",
            pattern(r"学员|基层|需求|对象|面向|社区|乡镇|县级|区县|医务人员|医师|护士|薄弱|短板|亟需|迫切|空白"),
            "说明培训对象及其需求：面向哪些学员（如基层医院医师），目前存在哪些能力短板，本项目如何回应",
        ),
        (
            "师资力量",
            pattern(r"师资|授课(专家|教师|老师)|讲者|讲师|教授|主任医师|专家团队|教学团队|学科带头人|项目负责人"),
            "评价师资力量：授课专家的职称构成、专业背景与教学经验",
        ),
        (
            "推荐意见",
            pattern(r"推荐|同意(申报|立项)|建议(批准|立项|予以)|予以(支持|立项)|支持(申报|立项)"),
            "结尾给出明确推荐意见，如“同意推荐申报国家级/北京市级继续医学教育项目”",
        ),
    ],
    "achievements": [
        (
            "临床诊疗",
            pattern(r"临床|诊疗|手术|门诊|住院|患者|诊治|救治|病例"),
            "补充临床工作：年门诊量/手术量、开展的新技术及例数",
        ),
        (
            "教学工作",
            pattern(r"教学|带教|授课|研究生|博士生|硕士生|住院医师|规培|规范化培训|进修|继续医学教育|学习班|培训班"),
            "补充教学工作：培养研究生/规培医师人数、承担课程、举办继续医学教育项目的年份与编号",
        ),
        ("科研工作", pattern(r"科研|研究|课题|项目"), "补充科研工作：主要研究方向及代表性成果"),
        (
            "论文",
            pattern(r"论文|SCI|发表|期刊|杂志|影响因子|核心期刊"),
            "补充近五年以第一/通讯作者发表论文数量（其中SCI收录篇数）及1—3篇代表性论文题目",
        ),
        (
            "基金课题",
            pattern(r"基金|课题|专项|重点研发|资助|科研项目"),
            "补充主持的科研基金：名称（如国家自然科学基金）、年份、经费",
        ),
        ("奖励荣誉", pattern(r"奖|荣誉|称号|表彰"), "补充获得的科技奖励或荣誉：奖项名称、等级、年份及本人排名"),
        (
            "学术任职与牵头",
            pattern(r"主持|牵头|主任委员|常委|委员|组长|主编|理事|学科带头人|负责人"),
            "补充学术任职及牵头工作：学会任职、牵头制定的规范或主持的项目",
        ),
        (
            "专利指南专著",
            pattern(r"专利|指南|共识|标准|专著|教材|主编|参编|著作"),
            "补充专利、参与制定的指南/专家共识、主编或参编的专著教材（写明名称与年份）",
        ),
    ],
    "unit_profile": list(UNIT_PROFILE_ASPECTS),
}

CLICHES = pattern(
    r"具有(十分|非常|极其)?重要(的)?(现实|临床|学术)?意义|意义重大|意义深远|非常必要|十分必要|很有必要|水平较高|"
    r"值得推广|内容丰富|形式多样|前景广阔|实用性强|取得了?(良好|显著|丰硕)的?(效果|成效|成果|成绩)|"
    r"做出了?(重要|突出|积极)(的)?贡献|一致好评|广受好评|高度重视|大力支持|积极推动|切实提高|社会效益|"
    r"经济效益|不断提高|全面提升|有力推动"
)
# superlatives that need evidence (a number or a named output) in the same sentence
UNSUPPORTED = pattern(
    r"填补(了)?(国内|国际|省内|市内)?(的)?空白|国内领先|国际领先|国际先进|国内先进|领先水平|一流水平|权威"
)
VAGUE = pattern(r"多项|多篇|大量|若干|一系列|众多|诸多|许多|多次|多名|较多|丰富的|一批")

COMMERCIAL = pattern(
    r"[\u4e00-\u9fa5A-Za-z]{2,12}(有限公司|股份公司|有限责任公司|集团|药业|制药|生物科技|医疗器械公司|医药公司)|"
    r"赞助|冠名|独家支持|协办企业|企业支持|厂家|厂商|[®™]|"
    r"辉瑞|拜耳|罗氏|诺华|阿斯利康|强生|美敦力|雅培|西门子|飞利浦|GE医疗|迈瑞|恒瑞|默沙东|赛诺菲|波士顿科学|奥林巴斯|礼来|诺和诺德"
)
NAMED = pattern(
    r"《[^》]{2,60}》|国家自然科学基金|国家重点研发计划|国家科技(进步|支撑)|中华医学科技奖|北京市自然科学基金|"
    r"首都卫生发展科研专项|科技进步[一二三特]等奖|科学技术奖|省部级|教育部|卫健委|[A-Z]{2,}\d*|\d{4}-\d{2}-\d{2}-\d{3}"
)
_NEGATED = re.compile(r"(无|不|未|没有|不接受|严禁|杜绝|禁止)[^，。；]{0,3}$")
_SENT = re.compile(r"[^。！？；;!?\n]+")
_PUNCT = re.compile(r"[\s\W_]+")

TOPIC_STOP = {
    "培训班",
    "学习班",
    "研讨会",
    "研修班",
    "培训",
    "进展",
    "新进展",
    "最新",
    "规范",
    "规范化",
    "应用",
    "项目",
    "技术",
    "学习",
    "提高",
    "临床",
    "诊疗",
    "管理",
    "基层",
    "高级",
    "推广",
    "继续",
    "教育",
    "医学",
    "相关",
    "及其",
    "实践",
    "能力",
    "提升",
    "理论",
    "新",
    "与",
    "和",
    "及",
    "的",
    "在",
    "中",
    "诊治",
    "治疗",
    "诊断",
    "研究",
    "专题",
    "论坛",
    "会议",
    "北京",
    "国家级",
    "学科",
    "多学科",
    "综合",
    "市级",
    "全国",
    "培训课程",
    "课程",
    "技能",
    "适宜",
    "策略",
    "方法",
    "标准化",
    "建设",
}


@lru_cache(maxsize=256)
def topic_keywords(title: str) -> tuple[str, ...]:
    """Content words of a title or topic (jieba words of 2+ chars, generic words dropped)."""
    jieba.setLogLevel(logging.WARNING)
    words = jieba.lcut(title or "")
    out = []
    for w in words:
        w = w.strip()
        if len(w) >= 2 and w not in TOPIC_STOP and not w.isdigit() and w not in out:
            out.append(w)
    return tuple(out)


# ---------------------------------------------------------------- criteria


def score_chars(kind: str, chars: int) -> Scored:
    """字数: below the minimum is a major issue; within 10% above it warns that counters differ."""
    need = MIN_CHARS[kind]
    if chars < need:
        return Scored(
            "字数",
            round(8 * chars / need, 1),
            MAX_CHARS,
            f"{chars} 字，要求不少于 {need} 字",
            [f"字数不足：{chars} 字（按非空白字符计），要求不少于 {need} 字，系统将无法提交"],
            [f"扩充至 {int(need * 1.2)} 字以上，补充缺少的要素与具体数据"],
        )
    if chars < need * NEAR_MIN_RATIO:
        return Scored(
            "字数",
            15,
            MAX_CHARS,
            f"{chars} 字，仅略高于 {need} 字下限",
            [f"字数 {chars} 字，仅略高于 {need} 字下限；不同系统计数方式不同，可能被判为不足"],
            [f"建议扩充至 {int(need * 1.2)} 字以上，留出余量"],
        )
    return Scored("字数", MAX_CHARS, MAX_CHARS, f"{chars} 字，满足不少于 {need} 字")


def score_elements(kind: str, text: str) -> Scored:
    """要素完整: each required element found by its synonym family scores an equal share."""
    elems = ELEMENTS[kind]
    share = MAX_ELEMENTS / len(elems)
    found: list[str] = []
    missing: list[str] = []
    sugg: list[str] = []
    for name, rx, tip in elems:
        (found if rx.search(text) else missing).append(name)
        if name in missing:
            sugg.append(tip)
    issues = [f"缺少要素：{'、'.join(missing)}"] if missing else []
    note = f"已覆盖 {len(found)}/{len(elems)}：{'、'.join(found) or '无'}"
    return Scored("要素完整", round(share * len(found), 1), MAX_ELEMENTS, note, issues, sugg)


SPECIFIC_TARGET = {"peer_review": 3, "achievements": 12, "unit_profile": 8}


def score_specificity(kind: str, text: str) -> Scored:
    """具体性: numbers, years, named outputs and grants; vague quantifiers cost points."""
    quant = len(number_tokens(text, chinese=True))
    named = len(NAMED.findall(nfkc(text)))
    vague = len(VAGUE.findall(text))
    raw = min(1.0, (quant + 1.5 * named) / SPECIFIC_TARGET[kind]) * MAX_SPECIFIC
    score = max(0.0, raw - min(3, vague))
    note = f"数字/数量 {quant} 处，具名成果/基金 {named} 处，笼统量词 {vague} 处"
    issues, sugg = [], []
    if raw < MAX_SPECIFIC * 0.5:
        issues.append("内容笼统，缺少可核实的数据（数量、年份、具体名称）")
        sugg.append(
            {
                "peer_review": "用具体信息支撑推荐：写明学时安排、授课专家人数与职称、往届举办期数与学员人数",
                "achievements": "用数据说话：近五年论文篇数（SCI篇数）、主持基金名称与年份、获奖名称与等级、年手术/门诊量",
                "unit_profile": "补充量化信息：床位数、年门诊量、高级职称人数、培训场地面积与座位数、年度培训经费（万元）",
            }[kind]
        )
    if vague >= 2:
        issues.append(f"使用“多项、大量、一系列”等笼统量词 {vague} 处")
        sugg.append("将“多项/大量/一系列”改为确切数量")
    return Scored("具体性", round(score, 1), MAX_SPECIFIC, note, issues, sugg)


def _has_evidence(sentence: str) -> bool:
    """A sentence carries evidence when it holds a number or a named output."""
    return bool(number_tokens(sentence, chinese=True) or NAMED.search(nfkc(sentence)))


def _repeats(text: str) -> tuple[int, int]:
    """(repeated sentences, distinct 8-char runs occurring 3+ times)."""
    sents = [_PUNCT.sub("", s) for s in _SENT.findall(text)]
    sents = [s for s in sents if len(s) >= 6]
    dup_sent = len(sents) - len(set(sents))
    flat = _PUNCT.sub("", text)
    counts: dict[str, int] = {}
    for i in range(len(flat) - 7):
        g = flat[i : i + 8]
        counts[g] = counts.get(g, 0) + 1
    return dup_sent, sum(1 for c in counts.values() if c >= 3)


def score_style(kind: str, text: str) -> Scored:
    """表述质量: clichés, unsupported superlatives, repetition and template hint text cost points."""
    cliches = [m.group() for m in CLICHES.finditer(text)]
    unsupported = [m.group() for s in _SENT.findall(text) if not _has_evidence(s) for m in UNSUPPORTED.finditer(s)]
    dup_sent, dup_grams = _repeats(text)
    hint = hint_in(text)
    loss = 2 * len(cliches) + 3 * len(unsupported) + 4 * dup_sent + min(6, 2 * dup_grams) + (8 if hint else 0)
    issues, sugg = [], []
    if cliches:
        issues.append(f"套话 {len(cliches)} 处：{'、'.join(dict.fromkeys(cliches))}")
        sugg.append("删去套话，用事实替代，例如把“具有重要意义”改为说明解决了哪些学员的什么问题")
    if unsupported:
        issues.append(f"“{'、'.join(dict.fromkeys(unsupported))}”等评价缺少依据")
        sugg.append("“国内领先/填补空白”类表述须附依据（如获奖、查新报告、首例时间），否则删除")
    if dup_sent or dup_grams:
        issues.append(f"内容重复：重复句 {dup_sent} 处，重复片段 {dup_grams} 处")
        sugg.append("删去重复语句，每句只表达一个新信息")
    if hint:
        issues.append(f"残留模板提示文字：“{hint}”")
        sugg.append("删除模板中的提示文字，只保留正文")
    note = (
        f"套话 {len(cliches)}，无依据评价 {len(unsupported)}，重复 {dup_sent + dup_grams}，模板残留 {1 if hint else 0}"
    )
    return Scored("表述质量", max(0, MAX_STYLE - loss), MAX_STYLE, note, issues, sugg)


def score_commercial(text: str) -> Scored:
    """合规: no company or product names, no sponsorship."""
    t = nfkc(text)
    hits = list(
        dict.fromkeys(
            m.group() for m in COMMERCIAL.finditer(t) if not _NEGATED.search(t[max(0, m.start() - 6) : m.start()])
        )
    )
    if not hits:
        return Scored("无商业宣传", MAX_COMMERCIAL, MAX_COMMERCIAL, "未发现企业、产品名称或赞助")
    return Scored(
        "无商业宣传",
        0,
        MAX_COMMERCIAL,
        f"发现 {len(hits)} 处",
        [f"出现企业/产品名称或赞助信息：{'、'.join(hits[:5])}（继续医学教育项目不得含商业宣传）"],
        ["删除企业、产品名称及赞助表述，经费来源写为单位自筹或学员缴费"],
    )


def norm_unit(s: Optional[str]) -> str:
    """Unit name for comparison: NFKC, no whitespace or brackets."""
    return re.sub(r"[\s()（）]", "", nfkc(s or ""))


# ---------------------------------------------------------------- consistency with the form

_PRACTICE_WORDS = pattern(r"实操|操作|示范|演示|模拟|实践|手把手|工作坊|技能|实训|动手")
_ONSITE_WORDS = pattern(r"线下|现场|面授|实操|手把手|工作坊")
_ONLINE_WORDS = pattern(r"线上|远程|网络|直播|在线")
_CN_NUM = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_NAT_STREAK = pattern(r"连续(\d+|[一二两三四五六七八九十])年.{0,20}?(主办|举办|承办|主持|负责|获批).{0,15}?国家级")
_NAT_ANY = pattern(
    r"(主办|举办|承办|主持|负责|获批)[^。；]{0,20}?国家级(继续医学教育|继教|I类|Ⅰ类)?[^。；]{0,6}?(项目|学习班|培训班)"
)
_PROV_ANY = pattern(
    r"(主办|举办|承办|主持|负责|获批)[^。；]{0,20}?(省级|市级|北京市级)(继续医学教育|继教)?[^。；]{0,6}?(项目|学习班|培训班)"
)
_DEPT = pattern(r"[\u4e00-\u9fa5]{1,8}(?<![学本医])(科|中心|病区|护理部|教研室|研究所)|本院|我院|本科室|我科|该科")


def _topic_hits(text: str, form: Form) -> tuple[list[str], list[str]]:
    """(keywords of title/subject/teacher topics, those present in text)."""
    sources = [form.title or ""]
    if form.subject:
        sources.append(form.subject.split("-")[-1])
    sources += [t.topic or "" for t in (form.teachers or [])][:20]
    kws: list[str] = []
    for s in sources:
        kws += [k for k in topic_keywords(s) if k not in kws]
    return kws, [k for k in kws if k in text]


def _topic(text: str, form: Form, pts: float, what: str) -> Scored:
    """Topic overlap: the narrative names the project's subject matter."""
    kws, hits = _topic_hits(text, form)
    if not kws:
        return Scored("topic", pts, pts, "无项目名称，未核对主题")
    if hits:
        return Scored("topic", pts, pts, f"提及项目主题：{'、'.join(hits[:4])}")
    title = form.title or "本项目"
    return Scored(
        "topic",
        0,
        pts,
        "未提及项目主题",
        [f"{what}未提及本项目主题（项目名称：{title}），像是通用模板"],
        [f"围绕“{title}”写明本项目的核心内容（关键词如：{'、'.join(kws[:3])}）"],
    )


def _format(text: str, form: Form, pts: float) -> Scored:
    """Format agreement: practice hours need 实操, 远程 projects cannot promise on-site teaching."""
    issues, sugg = [], []
    ph = form.practice_hours
    if ph is not None and ph > 0 and not _PRACTICE_WORDS.search(text):
        issues.append(f"本项目实践（技术示范）{ph:g} 小时，评议意见未提及实操/技术示范")
        sugg.append("补充对实操/技术示范环节的评价（内容、带教比例、考核方式）")
    if ph == 0 and pattern(r"实操|手把手|工作坊").search(text):
        issues.append("评议意见提及实操，但申报书实践学时为 0，二者不一致")
        sugg.append("核对教学形式：若无实践学时，删去实操表述；若有，补填实践学时")
    if form.mode == "远程" and _ONSITE_WORDS.search(text) and not _ONLINE_WORDS.search(text):
        issues.append("项目为远程教育，评议意见却描述线下/现场培训")
        sugg.append("按远程形式描述培训方式（直播、录播、在线答疑等）")
    score = 0 if issues else pts
    return Scored("format", score, pts, "形式与申报书一致" if not issues else "形式与申报书不一致", issues, sugg)


def _reviewer(form: Form, pts: float) -> Scored:
    """The peer reviewer comes from another unit."""
    unit = form.peer_reviewer.unit if form.peer_reviewer else None
    if not unit or not form.applicant_unit:
        return Scored("reviewer", pts, pts, "评议专家单位未读取，未核对")
    if same_unit(unit, form.applicant_unit):
        return Scored(
            "reviewer",
            0,
            pts,
            "评议专家来自申报单位",
            [f"同行评议专家来自申报单位（{unit}），须由 1 名外单位同学科副高级及以上专家填写"],
            ["另请一位外单位同学科副高级及以上职称专家撰写并签署同行评议意见"],
        )
    return Scored("reviewer", pts, pts, f"评议专家来自外单位（{unit}）")


def _claimed_years(m: re.Match[str]) -> int:
    """Years claimed by a 连续N年 phrase."""
    raw = m.group(1)
    return int(raw) if raw.isdigit() else _CN_NUM.get(raw, 1)


def _history(text: str, form: Form, pts: float) -> Scored:
    """Claims about past CME projects agree with the 近三年 history table."""
    if form.history is None:
        return Scored("history", pts, pts, "未读取近三年项目表，未核对")
    nat = sum(1 for h in form.history if h.national)
    prov = sum(1 for h in form.history if h.provincial)
    issues = []
    streak = _NAT_STREAK.search(text)
    if streak and min(3, _claimed_years(streak)) > nat:
        issues.append(f"主要成绩称“{streak.group()}”，但近三年申报执行情况表中国家级项目仅 {nat} 年")
    elif not streak and nat == 0 and (m := _NAT_ANY.search(text)):
        issues.append(f"主要成绩称“{m.group()}”，但近三年申报执行情况表中无国家级项目")
    if prov == 0 and nat == 0 and (m := _PROV_ANY.search(text)) and not _NAT_ANY.search(text):
        issues.append(f"主要成绩称“{m.group()}”，但近三年申报执行情况表中无省级/市级项目")
    if issues:
        return Scored(
            "history",
            0,
            pts,
            "与近三年项目表不一致",
            issues,
            ["核对近三年继续医学教育项目表与主要成绩的表述，二者须一致（写明项目编号）"],
        )
    return Scored("history", pts, pts, f"与近三年项目表一致（国家级 {nat} 年，省/市级 {prov} 年）")


def _unit_cores(form: Form) -> list[str]:
    """Ways a text may name the applicant unit: full name and its hospital core ('天坛医院')."""
    out = []
    for u in (form.applicant_unit, form.lead.unit if form.lead else None):
        n = norm_unit(u)
        if not n:
            continue
        out.append(n)
        tail = re.split(r"附属|大学|学院", n)[-1]
        if len(tail) >= 4:
            out += [tail, re.sub(r"^(北京市|北京)", "", tail)]
    return [c for c in dict.fromkeys(out) if len(c) >= 4]


def _names_unit(text: str, form: Form, pts: float) -> Scored:
    """The unit profile names the applicant unit or the department."""
    t = norm_unit(text)
    cores = _unit_cores(form)
    if any(c in t for c in cores):
        return Scored("unit", pts, pts, "写明了申报单位")
    if _DEPT.search(text):
        return Scored("unit", pts, pts, "写明了科室")
    return Scored(
        "unit",
        0,
        pts,
        "未写明单位或科室",
        ["基本情况未写明申报单位或项目负责人所在科室"],
        [f"开头写明申报单位（{form.applicant_unit or '单位全称'}）及项目负责人所在科室的名称与概况"],
    )


def score_consistency(kind: str, text: str, form: Form) -> Scored:
    """与申报书一致: topic, format, reviewer, history claims, unit named (by kind)."""
    if kind == "peer_review":
        parts = [_topic(text, form, 4, "评议意见"), _format(text, form, 3), _reviewer(form, 3)]
    elif kind == "achievements":
        parts = [_history(text, form, 6), _topic(text, form, 4, "主要成绩")]
    else:
        parts = [_names_unit(text, form, 6), _topic(text, form, 4, "基本情况")]
    return Scored(
        "与申报书一致",
        sum(p.score for p in parts),
        MAX_CONSIST,
        "；".join(p.note for p in parts),
        [i for p in parts for i in p.issues],
        [s for p in parts for s in p.suggestions],
    )


def rubric(kind: str, text: str, form: Form) -> list[Scored]:
    """Every criterion for one non-empty narrative, in display order (hint passages never count as content)."""
    body = strip_hint_passages(text)
    return [
        score_chars(kind, count_chars(text)),
        score_elements(kind, body),
        score_specificity(kind, body),
        score_style(kind, text),
        score_consistency(kind, body, form),
        score_commercial(body),
    ]
