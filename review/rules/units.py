"""Unit (单位) names: common Beijing abbreviations and a same-unit comparison."""

from __future__ import annotations

from functools import lru_cache
from typing import Optional

from review.rules.helpers import norm

# abbreviation -> standard name (the name on the seal). Matched as the whole name or its start.
ABBREVIATIONS: dict[str, str] = {
    "北医三院": "北京大学第三医院",
    "北大三院": "北京大学第三医院",
    "北医一院": "北京大学第一医院",
    "北大医院": "北京大学第一医院",
    "北大一院": "北京大学第一医院",
    "北大人民医院": "北京大学人民医院",
    "人民医院": "北京大学人民医院",
    "北大六院": "北京大学第六医院",
    "北医六院": "北京大学第六医院",
    "北大口腔": "北京大学口腔医院",
    "北大肿瘤医院": "北京大学肿瘤医院",
    "北京肿瘤医院": "北京大学肿瘤医院",
    "北大国际医院": "北京大学国际医院",
    "协和医院": "北京协和医院",
    "协和": "北京协和医院",
    "301医院": "中国人民解放军总医院",
    "301": "中国人民解放军总医院",
    "解放军总医院": "中国人民解放军总医院",
    "解放军301医院": "中国人民解放军总医院",
    "天坛医院": "首都医科大学附属北京天坛医院",
    "北京天坛医院": "首都医科大学附属北京天坛医院",
    "宣武医院": "首都医科大学宣武医院",
    "北京宣武医院": "首都医科大学宣武医院",
    "友谊医院": "首都医科大学附属北京友谊医院",
    "北京友谊医院": "首都医科大学附属北京友谊医院",
    "朝阳医院": "首都医科大学附属北京朝阳医院",
    "北京朝阳医院": "首都医科大学附属北京朝阳医院",
    "安贞医院": "首都医科大学附属北京安贞医院",
    "北京安贞医院": "首都医科大学附属北京安贞医院",
    "同仁医院": "首都医科大学附属北京同仁医院",
    "北京同仁医院": "首都医科大学附属北京同仁医院",
    "积水潭医院": "北京积水潭医院",
    "儿童医院": "首都医科大学附属北京儿童医院",
    "北京儿童医院": "首都医科大学附属北京儿童医院",
    "儿研所": "首都儿科研究所",
    "世纪坛医院": "首都医科大学附属北京世纪坛医院",
    "北京世纪坛医院": "首都医科大学附属北京世纪坛医院",
    "地坛医院": "首都医科大学附属北京地坛医院",
    "北京地坛医院": "首都医科大学附属北京地坛医院",
    "佑安医院": "首都医科大学附属北京佑安医院",
    "北京佑安医院": "首都医科大学附属北京佑安医院",
    "阜外医院": "中国医学科学院阜外医院",
    "北京阜外医院": "中国医学科学院阜外医院",
    "肿瘤医院": "中国医学科学院肿瘤医院",
    "中日医院": "中日友好医院",
    "北京妇产医院": "首都医科大学附属北京妇产医院",
    "妇产医院": "首都医科大学附属北京妇产医院",
    "北京口腔医院": "首都医科大学附属北京口腔医院",
    "安定医院": "首都医科大学附属北京安定医院",
    "北京安定医院": "首都医科大学附属北京安定医院",
    "首都儿研所": "首都儿科研究所",
    "北医": "北京大学医学部",
    "首医": "首都医科大学",
}
_ABBR_LONGEST_FIRST = tuple(sorted(ABBREVIATIONS, key=len, reverse=True))

# A standard unit name carries one of these words somewhere.
UNIT_WORDS = (
    "医院",
    "大学",
    "学院",
    "学会",
    "协会",
    "中心",
    "研究所",
    "研究院",
    "卫生院",
    "保健院",
    "委员会",
    "科学院",
    "分会",
    "杂志社",
    "出版社",
    "基金会",
    "联合会",
    "研究会",
    "疾病预防控制",
    "卫生健康委",
    "管理局",
    "医学部",
    "服务站",
    "服务中心",
    "卫生所",
    "诊所",
    "门诊部",
    "急救",
    "血站",
    "血液中心",
    "公司",
    "部队",
    "医科院",
)


@lru_cache(maxsize=4096)
def abbreviation_of(name: Optional[str]) -> Optional[tuple[str, str]]:
    """(abbreviation, standard name) when the name is, or starts with, a known abbreviation."""
    n = norm(name)
    if not n:
        return None
    for abbr in _ABBR_LONGEST_FIRST:
        full = ABBREVIATIONS[abbr]
        if n == abbr or (n.startswith(abbr) and not n.startswith(full) and len(abbr) >= 3):
            return abbr, full
    return None


def looks_abbreviated(name: Optional[str]) -> bool:
    """No word a standard unit name carries (医院/大学/学会/中心/研究所 …)."""
    n = norm(name)
    return bool(n) and not any(w in n for w in UNIT_WORDS)


@lru_cache(maxsize=4096)
def canonical(name: Optional[str]) -> str:
    """Normalised name with a known abbreviation expanded."""
    n = norm(name)
    hit = abbreviation_of(n)
    if hit:
        n = hit[1] + n[len(hit[0]) :] if n.startswith(hit[0]) else hit[1]
    return n


def same_unit(member: Optional[str], applicant: Optional[str]) -> bool:
    """True when `member` is the applicant unit (possibly followed by a department: 北京大学第三医院骨科)."""
    a, m = canonical(applicant), canonical(member)
    return bool(a) and bool(m) and (m == a or m.startswith(a))
