"""Policy retrieval: chunking, verbatim quotes, hybrid search, index lifecycle, CLI, rule sources."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from review.config import POLICY_DIR, Settings
from review.errors import IndexError_
from review.retrieval import Passage, PolicyIndex, get_index, warm_up
from review.retrieval.bm25 import char_tokens
from review.retrieval.corpus import (
    HARD_NOISE,
    MAX_CHARS,
    chunk_text,
    find_quote,
    find_quote_all,
    is_whole_sentence,
    load_docs,
    parse_provenance,
    quote_in_corpus,
    split_sentences_doc,
)
from review.retrieval.embed import verify_weights
from review.retrieval.index import rrf
from review.retrieval.rerank import CoverageReranker
from review.textutil import squash

NAT24 = "national-2024-project-requirements.txt"
BJ25 = "bj-2025-application-requirements.txt"
PKU26 = "pku-2026-approved-projects-notice.txt"


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> PolicyIndex:
    """One index over the real corpus, built once for the whole session in a tmp data_dir."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("cme_retrieval"))
    index = get_index(settings)
    index.build()
    return index


@pytest.fixture()
def tiny_settings(tmp_path: Path) -> Settings:
    """A one-notice corpus (fast to embed) in its own data_dir."""
    pdir = tmp_path / "policy"
    pdir.mkdir()
    shutil.copy(POLICY_DIR / PKU26, pdir / PKU26)
    shutil.copy(POLICY_DIR / "README.md", pdir / "README.md")
    return Settings(data_dir=tmp_path / "data", policy_dir=pdir)


# --- corpus -------------------------------------------------------------------------------------


def test_chunks_are_exact_spans_without_slide_noise() -> None:
    for doc in load_docs(POLICY_DIR):
        chunks = chunk_text(doc.name, doc.text)
        assert chunks, doc.name
        for c in chunks:
            assert doc.text[c.start : c.end] == c.text
            assert len(c.clean) <= MAX_CHARS + 40
            lines = {ln.strip().replace("**", "") for ln in c.text.splitlines()}
            assert not lines & HARD_NOISE, (c.chunk_id, lines & HARD_NOISE)
            assert "- 1 -" not in lines


def test_readme_is_provenance_not_a_source() -> None:
    docs = {d.name: d for d in load_docs(POLICY_DIR)}
    assert "README.md" not in docs and len(docs) == 5
    pku = docs[PKU26].meta
    assert pku.doc_number == "北医继教〔2026〕19号" and pku.date == "2026-04-14"
    assert pku.issuer == "北京大学医学部继续教育处"
    assert docs["national-2021-first-batch-notice.txt"].meta.doc_number == "全继委办发〔2020〕24号"
    assert "work-meeting" not in docs[BJ25].meta.title


def test_parse_provenance_row() -> None:
    row = "| a.txt | 标题 (slides; note) | 某委员会, 京继委办发〔2024〕4号 | 2024-11 | Beijing |"
    meta = parse_provenance(row)["a.txt"]
    assert (meta.title, meta.issuer, meta.doc_number, meta.scope) == (
        "标题",
        "某委员会",
        "京继委办发〔2024〕4号",
        "Beijing",
    )


def test_section_path_follows_notice_structure() -> None:
    doc = next(d for d in load_docs(POLICY_DIR) if d.name == NAT24)
    hit = [c for c in chunk_text(doc.name, doc.text) if "理论授课教师应具有副高级" in c.clean]
    assert hit and hit[0].section == "五、项目负责人及授课教师 > 4."


def test_slide_items_are_split_at_markers() -> None:
    doc = next(d for d in load_docs(POLICY_DIR) if d.name == BJ25)
    chunks = chunk_text(doc.name, doc.text)
    credit = [c for c in chunks if "远程项目不超过3学分" in c.clean]
    assert credit and credit[0].section.startswith("PART 3") and "认真核对各项信息" in credit[0].section


# --- verbatim quotes ----------------------------------------------------------------------------


def test_quote_across_hard_line_breaks() -> None:
    quote = "每位授课教师理论授课内容原则上不超过3学时"  # split over two lines in the national notice
    assert quote_in_corpus(quote, POLICY_DIR)
    doc, start, end = find_quote(quote, POLICY_DIR)  # type: ignore[misc]
    text = (POLICY_DIR / doc).read_text(encoding="utf-8")
    assert doc == NAT24 and "".join(text[start:end].split()) == quote


def test_quote_ignores_bold_markers_but_not_words() -> None:
    assert quote_in_corpus("每个项目不超过10学分，远程项目不超过3学分", POLICY_DIR)
    assert not quote_in_corpus("每个项目不超过12学分", POLICY_DIR)
    assert not quote_in_corpus("   ", POLICY_DIR)
    assert quote_in_corpus("远程项目不超过3学分", POLICY_DIR, doc=BJ25)
    assert not quote_in_corpus("远程项目不超过3学分", POLICY_DIR, doc=NAT24)


def test_find_quote_all_reports_repeats() -> None:
    hits = find_quote_all("累计满3个月 授予25学分", POLICY_DIR)
    assert len(hits) == 3 and {h[0] for h in hits} == {"bj-2024-supervision-and-2025-credit-rules.txt"}


# --- search -------------------------------------------------------------------------------------


def test_search_finds_the_clause(built: PolicyIndex) -> None:
    hits = built.search("远程项目最多给几分？", k=5)
    assert all(isinstance(h, Passage) for h in hits) and len(hits) == 5
    assert any(h.doc == BJ25 and "远程项目" in h.text and "3学分" in h.text for h in hits)
    top = hits[0]
    assert (built.policy_dir / top.doc).read_text(encoding="utf-8")[top.start : top.end] == top.text
    assert top.title and top.issuer and top.chunk_id


@pytest.mark.parametrize("channel", ["bm25", "dense", "hybrid"])
def test_each_channel_and_doc_filter(built: PolicyIndex, channel: str) -> None:
    hits = built.search("项目负责人职称要求", k=4, channel=channel, docs=[NAT24])
    assert hits and {h.doc for h in hits} == {NAT24}
    assert hits[0].score >= hits[-1].score


def test_unknown_channel_is_a_clear_error(built: PolicyIndex) -> None:
    with pytest.raises(IndexError_) as e:
        built.search("学分", channel="magic")
    assert "检索方式" in e.value.zh


def test_rrf_prefers_agreement() -> None:
    fused = rrf([[1, 2, 3], [3, 1, 4]])
    assert [i for i, _ in fused][:2] == [1, 3] and len(fused) == 4


def test_weighted_rrf_follows_the_heavier_channel() -> None:
    assert [i for i, _ in rrf([[1, 2], [2, 1]], weights=[2.0, 1.0])][0] == 1
    assert [i for i, _ in rrf([[1, 2], [2, 1]], weights=[1.0, 2.0])][0] == 2


def test_char_tokens_are_unigrams_and_bigrams_without_function_chars() -> None:
    toks = char_tokens("一天**授予**2学分吗")
    assert {"一", "天", "一天", "授予", "2", "学分"} <= set(toks)
    assert "吗" not in toks and "分吗" not in toks and "**" not in "".join(toks)


def test_coverage_rerank_lifts_the_chunk_holding_the_rare_terms() -> None:
    corpus_toks = [char_tokens(t) for t in ("项目举办通知", "远程项目不超过3学分", "项目学分管理")]
    rr = CoverageReranker(corpus_toks)
    q = char_tokens("远程项目几学分")
    assert rr.coverage(q, 1) == 1.0 and rr.coverage(q, 0) < rr.coverage(q, 2) < 1.0
    ranked = rr.rerank(q, [0, 2, 1])
    assert ranked[0][0] == 1 and [s for _, s in ranked] == sorted((s for _, s in ranked), reverse=True)


def test_eval_split_is_deterministic_and_disjoint() -> None:
    from eval.retrieval_eval import load_qa, split

    qa = load_qa()
    halves = split(qa)
    dev, test = {q["id"] for q in halves["dev"]}, {q["id"] for q in halves["test"]}
    assert dev and test and not dev & test and dev | test == {q["id"] for q in qa}
    assert "q001" in dev and "q002" in test and split(qa)["dev"] == halves["dev"]


def test_reopen_does_not_reembed(built: PolicyIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    again = PolicyIndex(built.settings)

    def boom(texts: list[str]) -> None:
        raise AssertionError("re-embedded on reopen")

    monkeypatch.setattr(again.embedder, "embed_passages", boom)
    stats = again.build()
    assert stats["rebuilt"] is False and stats["chunks"] == len(built.chunks)


def test_as_retriever_returns_documents(built: PolicyIndex) -> None:
    docs = built.as_retriever(k=3).invoke("外地学员要占多少？")
    assert len(docs) == 3
    assert docs[0].page_content and docs[0].metadata["doc"] and "start" in docs[0].metadata


def test_cli_search_and_index_json(built: PolicyIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from review.cli import app

    monkeypatch.setenv("CME_DATA_DIR", str(built.settings.data_dir))
    res = CliRunner().invoke(app, ["search", "同行评议找谁写？", "-k", "3", "--json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)
    assert len(rows) == 3 and set(rows[0]) == {"doc", "title", "section", "text", "score"}
    res = CliRunner().invoke(app, ["index"])
    out = json.loads(res.output)
    assert res.exit_code == 0 and out["rebuilt"] is False and out["scope_examples_ready"] is True


# RULES.md gives percent-valid no source clause ("—"): it is a form-sanity check, cited to the generic accuracy
# pledge only so the explanation has something to quote. tests/test_fixtures.py checks this set against RULES.md.
NO_CLAUSE_IN_RULES_MD = frozenset({"percent-valid"})


def _rule_title_misses(index: PolicyIndex) -> list[str]:
    """Rules none of whose source clauses is among the top 3 passages for the rule's title."""
    from eval.retrieval_eval import first_hit_any
    from review.rules import ALL_RULES

    misses = []
    for rule in ALL_RULES:
        if rule.id in NO_CLAUSE_IN_RULES_MD:
            continue
        assert rule.sources, f"{rule.id} has no source clause"
        spans = []
        for src in rule.sources:
            found = find_quote_all(src.quote, index.policy_dir, src.doc)
            assert found, f"{rule.id}: quote not in {src.doc}"
            spans += found
        if first_hit_any(index.search(rule.title, k=3), spans) is None:
            misses.append(rule.id)
    return misses


def test_every_rule_title_finds_its_source(built: PolicyIndex) -> None:
    misses = _rule_title_misses(built)
    assert not misses, f"rule sources not in top 3: {misses}"


@pytest.mark.parametrize("name", ["main", "blind"])
def test_eval_sets_are_well_formed(name: str) -> None:
    from eval.retrieval_eval import BLIND_FILE, load_qa

    qa = load_qa() if name == "main" else load_qa(BLIND_FILE, None)
    assert len(qa) >= 48 and len({q["id"] for q in qa}) == len(qa)
    assert {q["gold_doc"] for q in qa} == {d.name for d in load_docs(POLICY_DIR)}
    for q in qa:
        assert find_quote(q["gold_passage"], POLICY_DIR, q["gold_doc"]), q["id"]
        assert "".join(q["gold_passage"].split()) not in "".join(q["question"].split())
        for alt in q["alt"]:  # an accepted alternate is a different, verbatim passage
            assert find_quote(alt["passage"], POLICY_DIR, alt["doc"]), (q["id"], alt)
            assert (alt["doc"], squash(alt["passage"])) != (q["gold_doc"], squash(q["gold_passage"]))


def test_blind_set_shares_no_question_or_passage_with_the_main_set() -> None:
    from eval.retrieval_eval import BLIND_FILE, load_qa

    main, blind = load_qa(), load_qa(BLIND_FILE, None)
    assert not {q["question"] for q in main} & {q["question"] for q in blind}
    assert not {squash(q["gold_passage"]) for q in main} & {squash(q["gold_passage"]) for q in blind}


def test_accepted_alternates_count_only_as_accepted() -> None:
    from eval.retrieval_eval import first_hit, first_hit_any

    hits = [Passage(doc="a.txt", text="x", start=0, end=10), Passage(doc="b.txt", text="y", start=50, end=60)]
    assert first_hit(hits, "b.txt", [(55, 58)]) == 2
    assert first_hit(hits, "b.txt", [(5, 8)]) is None  # right span, wrong file
    assert first_hit_any(hits, [("b.txt", 100, 120), ("a.txt", 9, 12)]) == 1


# --- lifecycle ----------------------------------------------------------------------------------


def test_rebuilds_when_a_notice_changes_is_added_or_removed(tiny_settings: Settings) -> None:
    index = PolicyIndex(tiny_settings)
    assert index.build()["rebuilt"] is True
    assert index.build()["rebuilt"] is False
    pdir = Path(tiny_settings.policy_dir)
    (pdir / "extra.md").write_text("一、新规定\n\n每个项目须配备专职联络员，负责与学员沟通。\n", encoding="utf-8")
    index.ensure()
    assert any(c["doc"] == "extra.md" for c in index.chunks)
    assert index.search("专职联络员", k=1)[0].doc == "extra.md"
    (pdir / "extra.md").write_text("一、新规定\n\n每个项目须配备专职安全员。\n", encoding="utf-8")
    assert "安全员" in index.search("专职安全员", k=1, channel="bm25")[0].text
    (pdir / "extra.md").unlink()
    index.ensure()
    assert {c["doc"] for c in index.chunks} == {PKU26}


def test_corrupt_chroma_is_rebuilt(tiny_settings: Settings) -> None:
    PolicyIndex(tiny_settings).build()
    for f in (Path(tiny_settings.data_dir) / "chroma").rglob("*.sqlite3"):
        f.write_bytes(b"this is not a database")
    stats = PolicyIndex(tiny_settings).build()
    assert stats["rebuilt"] is True and stats["chunks"] > 0


def test_weight_hash_mismatch_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "e5-small-q4.bin"
    fake.write_bytes(b"not the model")
    with pytest.raises(IndexError_) as e:
        verify_weights(fake)
    assert "校验失败" in e.value.zh
    assert len(verify_weights()) == 64  # the bundled file matches the pinned hash


def test_rules_without_a_clause_match_rules_md() -> None:
    """The exemption above is exactly the rules RULES.md lists with no source ("—")."""
    rules_md = Path(__file__).resolve().parents[2] / "shared" / "RULES.md"
    if not rules_md.exists():
        pytest.skip("RULES.md not found beside the repo")
    rows = [line.split("|") for line in rules_md.read_text(encoding="utf-8").splitlines() if line.startswith("| ")]
    no_clause = {r[1].strip() for r in rows if len(r) > 2 and r[-2].strip() in {"—", "-", ""}}
    assert no_clause == NO_CLAUSE_IN_RULES_MD


# --- whole sentences ----------------------------------------------------------------------------


def test_sentences_are_rebuilt_across_slide_line_breaks() -> None:
    """Slide lines wrap mid-sentence; the corpus step joins them and keeps exact source offsets."""
    for doc in load_docs(POLICY_DIR):
        for s in split_sentences_doc(doc.name, doc.text):
            assert squash(doc.text[s.start : s.end]) == squash(s.text), (doc.name, s.start)
            assert "\n" not in s.text
    bj = next(d for d in load_docs(POLICY_DIR) if d.name == BJ25)
    texts = [s.text for s in split_sentences_doc(bj.name, bj.text)]
    peer = [t for t in texts if t.startswith("同行评议意见由1名外单位同")]
    assert peer and "专家填写" in peer[0] and peer[0].endswith("不少于200字。")
    assert "负责的项目内容须是其所从事的主要专业或其研究方向" in texts  # four slide lines, one item


def test_slide_labels_and_headings_are_not_sentences() -> None:
    bj = next(d for d in load_docs(POLICY_DIR) if d.name == BJ25)
    sents = split_sentences_doc(bj.name, bj.text)
    assert {s.kind for s in sents if s.text in ("国家级", "北京市级")} == {"head"}
    nursing = next(s for s in sents if s.text.startswith("护理专业可为中级"))
    assert nursing.kind == "sent" and nursing.level == "beijing"  # the 北京市级 badge above the item


def test_passages_carry_whole_sentences(built: PolicyIndex) -> None:
    for p in built.search("同行评议意见找谁写？", k=5):
        for start, end, text, _kind, _level in p.sentences:
            assert start < p.end and end > p.start
            assert is_whole_sentence(text, p.doc)


def test_a_fragment_is_not_a_whole_sentence() -> None:
    assert not is_whole_sentence("同行评议意见由1名外单位同", BJ25, POLICY_DIR)
    assert is_whole_sentence("同行评议意见由1名外单位同学科副高级及以上职称专家填写,推荐理由字数不少于200字。", BJ25)


# --- incremental re-indexing --------------------------------------------------------------------


def test_adding_a_notice_embeds_only_that_notice(tiny_settings: Settings, tmp_path: Path) -> None:
    index = PolicyIndex(tiny_settings)
    index.build()
    before = len(index.chunks)
    embedded: list[str] = []
    real = index.embedder.embed_passages

    def counting(texts: list[str]):  # noqa: ANN202
        embedded.extend(texts)
        return real(texts)

    index.embedder.embed_passages = counting  # type: ignore[method-assign]
    new = tmp_path / "extra-notice.md"
    new.write_text("一、新规定\n\n每个项目须配备专职联络员，\n负责与学员沟通。\n", encoding="utf-8")
    progress: list[float] = []
    stats = index.add_notice(new, progress=lambda _msg, frac: progress.append(frac))
    assert stats["updated"] is True and stats["added"] == "extra-notice.md"
    assert embedded and all("联络员" in t or "新规定" in t for t in embedded)  # the old notice was not re-embedded
    assert len(index.chunks) > before and progress[-1] == 1.0 and index.is_ready()
    hit = index.search("专职联络员负责什么", k=1)[0]
    assert hit.doc == "extra-notice.md" and any("负责与学员沟通" in s[2] for s in hit.sentences)
    # a fresh process reopens the updated index without embedding anything
    again = PolicyIndex(tiny_settings)

    def boom(texts: list[str]) -> None:
        raise AssertionError("re-embedded on reopen")

    again.embedder.embed_passages = boom  # type: ignore[method-assign,assignment]
    assert again.build()["rebuilt"] is False and len(again.chunks) == len(index.chunks)
    (Path(tiny_settings.policy_dir) / "extra-notice.md").unlink()
    assert index.refresh()["updated"] is True and {c["doc"] for c in index.chunks} == {PKU26}


def test_add_notice_refuses_a_bad_file(tiny_settings: Settings, tmp_path: Path) -> None:
    index = PolicyIndex(tiny_settings)
    bad = tmp_path / "notes.docx"
    bad.write_bytes(b"PK")
    with pytest.raises(IndexError_) as e:
        index.add_notice(bad)
    assert "无法添加政策文件" in e.value.zh
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n", encoding="utf-8")
    with pytest.raises(IndexError_):
        index.add_notice(empty)


def test_warm_up_reports_loading_then_ready(tiny_settings: Settings) -> None:
    index = get_index(tiny_settings)
    thread = warm_up(tiny_settings)
    assert index.is_loading() or index.is_ready()
    thread.join(timeout=300)
    assert index.is_ready() and not index.is_loading() and index.last_error is None


def test_sentence_vectors_are_cached_by_content(built: PolicyIndex) -> None:
    """Passages carry an e5 similarity per sentence; reopening embeds no sentence again (content-hash cache)."""
    from review.retrieval.index import SENTENCE_FILE

    idx = built
    ps = idx.search("面授项目最多几个学分？", k=3)
    assert ps and all(len(p.sentence_sims) == len(p.sentences) for p in ps)
    assert any(s > 0 for p in ps for s in p.sentence_sims)
    assert (idx.dir / SENTENCE_FILE).is_file()

    class NoEmbed:
        model_id = idx.embedder.model_id

        def embed_passages(self, texts: list[str]) -> object:
            raise AssertionError(f"re-embedded {len(texts)} sentences")

    real, idx.embedder = idx.embedder, NoEmbed()  # type: ignore[assignment]
    try:
        assert len(idx._sentence_vectors()) == len(idx._sent_vecs)
    finally:
        idx.embedder = real
