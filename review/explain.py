"""Explain findings: a deterministic offline explanation per finding, optionally replaced by a verified model one.

The model gets ONE batched call per draft. Its answer is checked before it is shown: the same findings
(keys) as given, quotes verbatim in the passages it was given (and the corpus), every number traceable to
the form, the finding or a cited passage, and Chinese text. Whatever fails keeps the offline explanation.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from pydantic import BaseModel

from review.config import POLICY_DIR
from review.errors import LLMError
from review.form import Form
from review.grounding import denies_finding, in_corpus, is_chinese, numbers, quote_in_text
from review.privacy import mask_form, mask_text
from review.prompts import render_messages
from review.rules import get_rule
from review.rules.base import SEVERITY_ZH, Citation, Finding, Source
from review.textutil import norm_ws, squash

if TYPE_CHECKING:  # review.retrieval and review.llm load the index / langchain stacks (4-7 s): types only here
    from review.llm.protocol import ChatModelProtocol
    from review.retrieval import Passage
    from review.retrieval.protocol import PolicyIndexProtocol

log = logging.getLogger(__name__)

SEARCH_K = 3  # passages searched per finding
PASSAGES_PER_FINDING = 2  # searched passages kept per finding (besides the rule's own clause)
MAX_PASSAGE_CHARS = 240  # passages are cut to this before they go into the prompt
MAX_PASSAGES = 30
PASSAGE_BUDGET = 2400  # passage characters per prompt; searched ones stop here (rule clauses always go in)
MAX_FACT_CHARS = 120  # long narratives go to the model as a head and their length
WHY: dict[str, str] = {
    "error": "这是硬性要求：不符合时北京市继续医学教育管理系统将无法提交，或形式审查不通过。",
    "warning": "不符合时申报书可能被退回或被质询。",
    "advice": "按此修改可提高申报书质量。",
}
BASE_FACTS = ("title", "level", "subject", "category", "mode")


# --- model answer schema -------------------------------------------------------------------------


class CitationOut(BaseModel):
    """A clause the model quotes."""

    doc: str
    section: str
    quote: str


class ExplainedOut(BaseModel):
    """The model's explanation of one finding."""

    key: str
    explanation: str
    citations: list[CitationOut]
    fix: str


class ExplainBatch(BaseModel):
    """The model's answer for every finding of one draft."""

    findings: list[ExplainedOut]


@dataclass
class Ctx:
    """A numbered passage given to the model."""

    n: int
    doc: str
    title: str
    section: str
    text: str


# --- corpus helpers --------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def doc_titles(policy_dir: Optional[str] = None) -> dict[str, str]:
    """Document titles by file name, from policy_docs/README.md (review.retrieval.corpus reads it)."""
    from review.retrieval.corpus import load_provenance  # the review.retrieval package loads the index stack

    return {name: meta.title for name, meta in load_provenance(Path(policy_dir or POLICY_DIR)).items()}


def policy_dir_of(index: Optional[PolicyIndexProtocol]) -> Optional[Path]:
    """The notices folder the index was built from (settings.policy_dir); None means the configured notices
    (also for a stand-in index that names no folder)."""
    found = None if index is None else getattr(index, "policy_dir", None)
    return Path(found) if found else None


def titles_for(policy_dir: Optional[Path]) -> dict[str, str]:
    """Document titles of that notices folder."""
    return doc_titles(str(policy_dir) if policy_dir else None)


def rule_source(finding: Finding) -> Optional[Source]:
    """The finding's source clause, else its rule's first one."""
    if finding.source is not None:
        return finding.source
    try:
        rule = get_rule(finding.rule)
    except Exception:  # noqa: BLE001 - unknown rule id
        return None
    return rule.sources[0] if rule and rule.sources else None


def search(index: Optional[PolicyIndexProtocol], finding: Finding, k: int = SEARCH_K) -> list[Passage]:
    """Passages for a finding (rule title + message); [] without an index or on failure."""
    if index is None:
        return []
    try:
        return list(index.search(f"{finding.title} {finding.message}", k=k))
    except Exception as exc:  # noqa: BLE001 - retrieval trouble must not stop the review
        log.warning("policy search failed for %s: %s", finding.rule, exc)
        return []


def first_sentence(text: str, limit: int = 80) -> str:
    """The first sentence of a passage (a verbatim slice), at most `limit` characters."""
    text = text.strip()
    m = re.search(r"[。；;！？]", text)
    end = m.end() if m and m.end() <= limit else min(len(text), limit)
    return text[:end].strip()


# --- offline ---------------------------------------------------------------------------------------


def fmt_value(value: Any) -> str:
    """The found value as Chinese text (the explanation always states it)."""
    if value is None or value == "" or value == []:
        return "未填写或未能读取"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:g}"
    if isinstance(value, (list, tuple)):
        return "、".join(fmt_value(v) for v in value[:10]) + ("等" if len(value) > 10 else "")
    if isinstance(value, dict):
        return "，".join(f"{k}：{fmt_value(v)}" for k, v in value.items())
    text = str(value)
    return text if len(text) <= 80 else text[:60] + "…"


def offline_citation(finding: Finding, index: Optional[PolicyIndexProtocol] = None) -> list[Citation]:
    """The rule's own clause when it checks out in the corpus, else the best searched passage's first sentence."""
    src = rule_source(finding)
    folder = policy_dir_of(index)
    if src is not None and in_corpus(src.quote, src.doc, folder):
        return [Citation(doc=src.doc, section=src.section, quote=src.quote)]
    for p in search(index, finding, k=1):
        quote = first_sentence(p.text)
        if in_corpus(quote, p.doc, folder):
            return [Citation(doc=p.doc, section=p.section, quote=quote)]
    return []


def offline_text(finding: Finding, citations: list[Citation], policy_dir: Optional[Path] = None) -> str:
    """A deterministic Chinese explanation: found value, rule, clause, why it matters, fix."""
    parts = [f"【{finding.title or finding.rule}】{finding.message}"]
    parts.append(f"申报书中填写的值：{fmt_value(finding.found)}。")
    for c in citations:
        title = titles_for(policy_dir).get(c.doc) or c.doc
        parts.append(f"依据《{title}》{c.section}：“{c.quote}”")
    if finding.not_checked:
        parts.append("相关字段未能读取，本项未能核对，请人工确认。")
    else:
        parts.append(WHY.get(finding.severity, ""))
    if finding.fix:
        parts.append(f"修改建议：{finding.fix}")
    return "\n".join(p for p in parts if p)


def explain_offline(finding: Finding, index: Optional[PolicyIndexProtocol] = None) -> None:
    """Fill the finding's explanation fields offline."""
    citations = offline_citation(finding, index)
    folder = policy_dir_of(index)
    finding.explanation = offline_text(finding, citations, folder)
    finding.citations = citations
    finding.explained_by = "offline"
    finding.verified = all(in_corpus(c.quote, c.doc, folder) for c in citations)


# --- model prompt ----------------------------------------------------------------------------------


def _short(value: Any) -> Any:
    """Long strings shortened to a head plus their length."""
    if isinstance(value, str) and len(value) > MAX_FACT_CHARS:
        return f"{value[:MAX_FACT_CHARS]}…（共{len(squash(value))}字）"
    return value


def facts_for(findings: list[Finding], masked: Form) -> dict[str, Any]:
    """The masked form fields the findings are about, plus the project basics."""
    data = masked.to_json_dict()
    keys = list(BASE_FACTS) + [f.split(".")[0] for x in findings for f in x.fields]
    out: dict[str, Any] = {}
    for key in keys:
        if key in data and key not in out and data[key] is not None:
            value = data[key]
            out[key] = (
                [{k: _short(v) for k, v in r.items()} if isinstance(r, dict) else r for r in value]
                if isinstance(value, list)
                else _short(value)
            )
    return out


def gather_passages(
    findings: list[Finding], index: Optional[PolicyIndexProtocol]
) -> tuple[list[Ctx], dict[int, list[int]]]:
    """Numbered passages (each rule's clause first, then searched ones) and the numbers per finding."""
    titles = titles_for(policy_dir_of(index))
    ctxs: list[Ctx] = []
    seen: dict[str, int] = {}
    per: dict[int, list[int]] = {}

    def add(doc: str, section: str, text: str, searched: bool = False) -> Optional[int]:
        text = norm_ws(text.replace("**", ""))[:MAX_PASSAGE_CHARS]  # bold markers are slide markup
        key = squash(text)
        if not key:
            return None
        for known, n in seen.items():
            if key in known:
                return n
        used = sum(len(c.text) for c in ctxs)
        if len(ctxs) >= MAX_PASSAGES or (searched and used + len(text) > PASSAGE_BUDGET):
            return None
        ctx = Ctx(len(ctxs) + 1, doc, titles.get(doc, doc), section, text)
        ctxs.append(ctx)
        seen[key] = ctx.n
        return ctx.n

    for i, f in enumerate(findings):
        nums: list[int] = []
        src = rule_source(f)
        if src is not None:
            nums.append(add(src.doc, src.section, src.quote) or 0)
        for p in search(index, f)[:PASSAGES_PER_FINDING]:
            nums.append(add(p.doc, p.section, p.text, searched=True) or 0)
        per[i] = [n for n in dict.fromkeys(nums) if n]
    return ctxs, per


def build_prompt(
    findings: list[Finding], form: Form, index: Optional[PolicyIndexProtocol], prompts_dir: Optional[Path] = None
) -> tuple[str, str, list[Ctx], dict[int, list[int]]]:
    """(system, user, passages, passage numbers per finding) for the one batched call."""
    masked = mask_form(form)
    ctxs, per = gather_passages(findings, index)
    legend = "".join(f"{doc}：《{title}》\n" for doc, title in dict.fromkeys((c.doc, c.title) for c in ctxs))
    passages = legend + "\n".join(f"[{c.n}] doc={c.doc} section={c.section}\n{c.text}" for c in ctxs)
    lines = []
    for i, f in enumerate(findings):
        refs = "".join(f"[{n}]" for n in per[i]) or "无"
        lines.append(
            f"{key_of(i)} | 规则 {f.rule}（{SEVERITY_ZH[f.severity]}）{f.title} | 问题：{mask_text(f.message)} | "
            f"填写值：{mask_text(fmt_value(f.found))} | 修改：{mask_text(f.fix)} | 相关原文：{refs}"
        )
    system, user = render_messages(
        "explain_findings",
        prompts_dir,
        level=masked.level or "未填写",
        count=len(findings),
        facts=json.dumps(facts_for(findings, masked), ensure_ascii=False),
        passages=passages or "（无）",
        findings="\n".join(lines),
    )
    return system, user, ctxs, per


def key_of(i: int) -> str:
    """The key of the i-th finding in the prompt."""
    return f"F{i + 1}"


# --- verification ----------------------------------------------------------------------------------


def check_citations(
    cites: list[CitationOut], ctxs: list[Ctx], policy_dir: Optional[Path] = None
) -> tuple[list[Citation], bool]:
    """Citations whose quote is verbatim in a given passage of the same document; False if any was dropped."""
    good: list[Citation] = []
    ok = True
    for c in cites:
        hit = next((x for x in ctxs if x.doc == c.doc and quote_in_text(c.quote, x.text)), None)
        if hit is None or not in_corpus(c.quote, c.doc, policy_dir):
            ok = False
            continue
        good.append(Citation(doc=c.doc, section=hit.section, quote=c.quote.strip()))
    return good, ok


def allowed_numbers(finding: Finding, form_text: str, ctxs: list[Ctx]) -> set[float]:
    """Numbers the explanation may use: the form's values, the finding's text and its passages."""
    text = " ".join(
        [
            form_text,
            finding.message,
            finding.title,
            finding.fix,
            fmt_value(finding.found),
            json.dumps(finding.found, ensure_ascii=False, default=str),
        ]
        + [c.text + " " + c.section for c in ctxs]
    )
    return numbers(text)


def apply_model(
    findings: list[Finding],
    batch: ExplainBatch,
    form: Form,
    ctxs: list[Ctx],
    per: dict[int, list[int]],
    model_name: str,
    policy_dir: Optional[Path] = None,
) -> list[str]:
    """Accept what verifies; returns Chinese notices for whatever was rejected."""
    got = [x.key.strip() for x in batch.findings]
    want = [key_of(i) for i in range(len(findings))]
    if sorted(got) != sorted(want):
        extra, missing = sorted(set(got) - set(want)), sorted(set(want) - set(got))
        detail = "；".join(
            filter(
                None,
                [
                    f"多出 {'、'.join(extra)}" if extra else "",
                    f"缺少 {'、'.join(missing)}" if missing else "",
                    "重复" if len(got) != len(set(got)) else "",
                ],
            )
        )
        return [f"模型返回的问题清单与规则检查结果不一致（{detail}），已使用离线解释"]
    by_key = {x.key.strip(): x for x in batch.findings}
    form_text = json.dumps(mask_form(form).to_json_dict(), ensure_ascii=False) + json.dumps(
        form.to_json_dict(), ensure_ascii=False
    )
    rejected: dict[str, list[str]] = {"numbers": [], "language": [], "denial": [], "citations": []}
    for i, f in enumerate(findings):
        out = by_key[key_of(i)]
        text = out.explanation.strip()
        if out.fix.strip() and squash(out.fix) not in squash(text):
            text += f"\n修改建议：{out.fix.strip()}"
        if not is_chinese(text):
            rejected["language"].append(f.rule)
            continue
        if denies_finding(text):
            rejected["denial"].append(f.rule)
            continue
        mine = [c for c in ctxs if c.n in per.get(i, [])] or ctxs
        cites, cites_ok = check_citations(out.citations, mine, policy_dir)
        cited_ctxs = [c for c in ctxs if any(squash(x.quote) in squash(c.text) for x in cites)]
        bad = numbers(text) - allowed_numbers(f, form_text, mine + cited_ctxs)
        if bad:
            rejected["numbers"].append(f.rule)
            continue
        if not cites_ok:
            rejected["citations"].append(f.rule)
        f.explanation = text
        f.citations = cites if cites_ok and cites else f.citations
        f.explained_by = model_name
        f.verified = cites_ok
    return _notices(rejected)


def _notices(rejected: dict[str, list[str]]) -> list[str]:
    """Chinese notices for rejected parts of the model's answer."""
    why = {
        "numbers": "含有无法在申报书或政策原文中核实的数字，已改用离线解释",
        "language": "不是中文，已改用离线解释",
        "denial": "与规则检查结论相矛盾（称无问题或要求忽略规则），已改用离线解释",
        "citations": "引用的原文未能在政策文件中逐字核实，已改用规则自带的出处并标记为未核实",
    }
    return [
        f"模型对 {len(rules)} 项问题（{'、'.join(dict.fromkeys(rules))}）的解释{why[k]}"
        for k, rules in rejected.items()
        if rules
    ]


# --- entry point -----------------------------------------------------------------------------------


def explain_findings(
    findings: list[Finding], form: Form, index: Optional[PolicyIndexProtocol], model: Optional[ChatModelProtocol] = None
) -> list[str]:
    """Fill explanation, citations, explained_by, verified on every finding; returns Chinese notices."""
    for f in findings:
        explain_offline(f, index)
    if model is None or not findings:
        return []
    try:
        system, user, ctxs, per = build_prompt(findings, form, index, model.settings.prompts_dir)
        batch = model.complete_json(system, user, ExplainBatch)
    except LLMError as err:
        reason = getattr(err, "reason", "") or err.zh
        return [f"模型调用失败（{reason}），已使用离线解释"]
    except Exception as exc:  # noqa: BLE001 - a model problem never breaks the review
        log.warning("model explanation failed: %s", exc)
        return ["模型调用失败（内部错误），已使用离线解释"]
    return apply_model(findings, batch, form, ctxs, per, model.name, policy_dir_of(index))
