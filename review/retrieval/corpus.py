"""Load the policy notices, drop slide artefacts and cut clause-sized chunks that are exact source spans."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from review.textutil import find_all, squash, squash_with_map

if TYPE_CHECKING:
    from review.extract.pdfio import Row

SOURCE_EXTS = (".txt", ".md", ".pdf")
README = "README.md"
MIN_CHARS = 80  # merge blocks shorter than this with their neighbour
MAX_CHARS = 400  # split blocks longer than this
TARGET_CHARS = 320  # aim for this when splitting a long block
CHUNKER_VERSION = "5"  # 5: chunks carry their whole sentences

# Slide furniture repeated on every page: never part of a chunk, and a chunk never spans it.
HARD_NOISE = frozenset({"北京市继续医学教育委员会办公室", "委员会办公室", "办公室", "北京", "谢谢聆听"})
PAGE_NO = re.compile(r"^[-－—–]\s*\d{1,3}\s*[-－—–]$")
# Slide badges and stray list numbers: may sit inside a chunk, never start or end one.
SOFT_NOISE = re.compile(r"^(?:\d|北京市|全年计划|https?://\S+)$")
LABELS = frozenset({"国家级", "北京市级", "北京市", "北京"})

H_PART = re.compile(r"^PART\s*\d+$")
H_ANNEX = re.compile(r"^附件\s*\d+$")
H_CN1 = re.compile(r"^[一二三四五六七八九十]+、")
H_CN2 = re.compile(r"^[（(][一二三四五六七八九十]+[）)]")
H_NUM = re.compile(r"^(?:\d{1,2}[\.．、](?!\d)|\d{2}$|[（(]\d{1,2}[）)]|\d{1,2}\s+(?=[^\d\s年月日号%]|\d{4}-))")
BULLET = re.compile(r"^[-•●※△★]\s*\S")
SENTENCE_PUNCT = set("。，；：、,;:！？!?")
CJK = re.compile(r"[\u4e00-\u9fff]")
WRAP_MIN = 10  # a line at least this long ending without punctuation continues on the next line


@dataclass(frozen=True)
class DocMeta:
    """Provenance of one notice (from policy_docs/README.md)."""

    doc: str
    title: str = ""
    issuer: str = ""
    doc_number: str = ""
    date: str = ""
    scope: str = ""


@dataclass(frozen=True)
class Doc:
    """One source notice: its text and provenance."""

    name: str
    text: str
    sha256: str
    meta: DocMeta


@dataclass
class Line:
    """One stripped line with its offsets in the source text."""

    text: str
    start: int
    end: int
    kind: str = "text"  # text | blank | hard | soft
    level: Optional[int] = None  # heading level, None for body lines
    label: str = ""  # heading label for the section path
    brk: bool = False  # a new block starts here


@dataclass
class Chunk:
    """A clause-sized exact span of a notice."""

    doc: str
    start: int
    end: int
    text: str  # source[start:end], verbatim
    clean: str  # text without slide artefacts, used for indexing
    section: str
    lines: list[int] = field(default_factory=list, repr=False)

    @property
    def chunk_id(self) -> str:
        """Stable id: file name and start offset."""
        return f"{self.doc}#{self.start}"


# --- provenance -------------------------------------------------------------------------------

_DOCNO = re.compile(r"[\u4e00-\u9fff]+〔\d{4}〕\s*\d+\s*号")


def parse_provenance(readme_text: str) -> dict[str, DocMeta]:
    """Parse the README table (file | title | issuer, number | date | scope) into DocMeta by file name."""
    out: dict[str, DocMeta] = {}
    for raw in readme_text.splitlines():
        cells = [c.strip() for c in raw.strip().strip("|").split("|")]
        if len(cells) < 5 or not re.search(r"\.(txt|md|pdf)$", cells[0]):
            continue
        name, title, issuer_cell, date, scope = cells[:5]
        m = _DOCNO.search(issuer_cell)
        doc_number = re.sub(r"\s+", "", m.group(0)) if m else ""
        issuer = issuer_cell.replace(m.group(0), "") if m else issuer_cell
        issuer = issuer.strip(" ,，/")
        title = re.sub(r"\s*\([^()]*[A-Za-z][^()]*\)\s*$", "", title).strip()
        out[name] = DocMeta(name, title, issuer, doc_number, date, scope)
    return out


# --- loading ----------------------------------------------------------------------------------


def pdf_text(path: Path) -> str:
    """Text of a PDF notice through review.extract (its validation, visible text rows, OCR of pages without text)."""
    from review.config import load_settings
    from review.extract import read_pages
    from review.extract.pdfio import validate

    reader = validate(path, load_settings())
    pages, _ocr, _warnings = read_pages(path, reader)
    return "\n\n".join("\n".join(_row_text(r) for r in page.rows if r.text.strip()) for page in pages)


def _row_text(row: Row) -> str:
    """A text line as read; a table row's cells tab-separated (so its sentences are kind 'row')."""
    return "\t".join(c.text for c in row.cells if c.text) if row.table >= 0 else row.text


def source_files(policy_dir: Path) -> list[Path]:
    """The notices in policy_dir (README.md excluded), sorted by name."""
    return sorted(
        p for p in Path(policy_dir).iterdir() if p.is_file() and p.suffix.lower() in SOURCE_EXTS and p.name != README
    )


def read_text(path: Path) -> str:
    """Source text of one notice (the offsets of chunks point into this string)."""
    if path.suffix.lower() == ".pdf":
        return pdf_text(path)
    return path.read_text(encoding="utf-8")


def file_hashes(policy_dir: Path) -> dict[str, str]:
    """sha256 per source file plus the README (provenance feeds the metadata)."""
    files = source_files(policy_dir)
    readme = Path(policy_dir) / README
    if readme.is_file():
        files.append(readme)
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def load_provenance(policy_dir: Path) -> dict[str, DocMeta]:
    """DocMeta by file name from policy_dir/README.md (empty without a README)."""
    readme = Path(policy_dir) / README
    return parse_provenance(readme.read_text(encoding="utf-8")) if readme.is_file() else {}


def load_doc(path: Path, prov: dict[str, DocMeta]) -> Doc:
    """One notice with its text, hash and provenance."""
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    return Doc(path.name, read_text(path), sha, prov.get(path.name, DocMeta(path.name, title=path.stem)))


def load_docs(policy_dir: Path) -> list[Doc]:
    """Every notice with its text, hash and provenance."""
    prov = load_provenance(policy_dir)
    return [load_doc(p, prov) for p in source_files(policy_dir)]


# --- line classification ----------------------------------------------------------------------


def split_lines(text: str) -> list[Line]:
    """Stripped lines with their source offsets."""
    out: list[Line] = []
    pos = 0
    for raw in text.splitlines(keepends=True):
        body = raw.rstrip("\r\n")
        lead = len(body) - len(body.lstrip())
        stripped = body.strip()
        start = pos + lead
        out.append(Line(stripped, start, start + len(stripped), "text" if stripped else "blank"))
        pos += len(raw)
    return out


def _is_title(lines: list[Line], i: int, bare: str, repeated: bool = False) -> bool:
    """A slide title: a short isolated line without sentence punctuation (repeated ones always count)."""
    if len(bare) > 22 or bare in LABELS or not CJK.search(bare) or SENTENCE_PUNCT & set(bare) or "\t" in bare:
        return False
    prev_blank = i == 0 or lines[i - 1].kind == "blank"
    next_blank = i + 1 >= len(lines) or lines[i + 1].kind == "blank"
    prev = next((ln.text for ln in reversed(lines[:i]) if ln.kind != "blank"), "")
    return prev_blank and next_blank and (repeated or not _wraps(prev))


def _wraps(text: str) -> bool:
    """True when a line looks hard-wrapped mid-sentence (long, ends in a CJK character)."""
    return len(text) >= WRAP_MIN and bool(CJK.match(text[-1:]))


def join_lines(parts: list[str]) -> str:
    """Join line texts: hard-wrapped CJK lines without a break, others with a newline."""
    out = ""
    for t in parts:
        if not out:
            out = t
        elif _wraps(out.rsplit("\n", 1)[-1]) and CJK.match(t[:1]):
            out += t
        else:
            out += "\n" + t
    return out


def classify(lines: list[Line]) -> None:
    """Mark noise, headings (with level and label) and block starts in place."""
    counts: dict[str, int] = {}
    for ln in lines:
        counts[ln.text] = counts.get(ln.text, 0) + 1
    for i, ln in enumerate(lines):
        if ln.kind == "blank":
            continue
        bare = ln.text.replace("**", "").strip()
        if bare in HARD_NOISE or PAGE_NO.match(bare):
            ln.kind = "hard"
        elif SOFT_NOISE.match(bare):
            ln.kind = "soft"
        elif H_PART.match(bare):
            ln.level, ln.label = 0, bare
        elif H_ANNEX.match(bare):
            ln.level, ln.label = 1, bare
        elif H_CN1.match(bare):
            ln.level, ln.label = 1, bare[:24]
        elif H_CN2.match(bare):
            ln.level, ln.label = 2, bare[:24]
        elif m := H_NUM.match(bare):
            ln.level, ln.label = 3, m.group(0).strip()
        elif _is_title(lines, i, bare, counts[ln.text] > 1):
            ln.level, ln.label = 1, bare
        ln.brk = ln.level is not None or bool(BULLET.match(bare))


# --- blocks and chunks ------------------------------------------------------------------------


@dataclass
class _Block:
    lines: list[int]
    section: str
    heading_only: bool = False
    major: bool = False  # starts with a heading of level <= 1


def _blocks(lines: list[Line]) -> list[_Block]:
    """Group lines into blocks at headings, bullets and hard noise; track the section path."""
    stack: list[tuple[int, str]] = []
    blocks: list[_Block] = []
    cur: Optional[_Block] = None
    for i, ln in enumerate(lines):
        if ln.kind == "hard":
            cur = None
            continue
        if ln.kind == "blank":
            continue
        if ln.brk or cur is None:
            if not blocks and H_ANNEX.match(ln.label):
                pass  # a notice that is itself an attachment: "附件 1" adds nothing to the path
            elif ln.level is not None:
                stack = [s for s in stack if s[0] < ln.level] + [(ln.level, ln.label)]
            cur = _Block([], " > ".join(s[1] for s in stack), major=ln.level is not None and ln.level <= 1)
            blocks.append(cur)
        cur.lines.append(i)
    for b in blocks:
        while b.lines and lines[b.lines[0]].kind == "soft":
            b.lines.pop(0)
        while b.lines and lines[b.lines[-1]].kind == "soft":
            b.lines.pop()
        level = lines[b.lines[0]].level if b.lines else None
        b.heading_only = len(b.lines) == 1 and level is not None and level <= 2
    return [b for b in blocks if b.lines]


def _clean(lines: list[Line], idx: list[int]) -> str:
    """Indexing text of some lines: noise dropped, hard-wrapped CJK lines joined."""
    return join_lines([lines[i].text.replace("**", "") for i in idx if lines[i].kind == "text"])


def _adjacent(lines: list[Line], a: _Block, b: _Block) -> bool:
    """True when only blank or soft lines lie between two blocks."""
    return all(lines[i].kind in ("blank", "soft") for i in range(a.lines[-1] + 1, b.lines[0]))


def _merge(lines: list[Line], blocks: list[_Block]) -> list[_Block]:
    """Merge short blocks with the following one when they are adjacent and fit."""
    out: list[_Block] = []
    for b in blocks:
        if out:
            prev = out[-1]
            size = len(_clean(lines, prev.lines + b.lines))
            small = len(_clean(lines, prev.lines)) < MIN_CHARS
            if small and size <= MAX_CHARS and _adjacent(lines, prev, b) and (prev.heading_only or not b.major):
                section = b.section if prev.heading_only else prev.section
                out[-1] = _Block(prev.lines + b.lines, section, False, prev.major)
                continue
        out.append(b)
    return out


def _units(lines: list[Line], idx: list[int]) -> list[tuple[int, int, str]]:
    """Split a block's lines into (start, end, clean) units, cutting over-long lines at sentence ends."""
    units = []
    for i in idx:
        ln = lines[i]
        if ln.kind != "text" or len(ln.text) <= MAX_CHARS:
            units.append((ln.start, ln.end, _clean(lines, [i])))
            continue
        pos = 0
        for m in re.finditer(r"[^。；!?！？]+[。；!?！？]?", ln.text):
            if m.end() - pos >= TARGET_CHARS // 2 or m.end() == len(ln.text):
                piece = ln.text[pos : m.end()]
                lead = len(piece) - len(piece.lstrip())
                units.append((ln.start + pos + lead, ln.start + m.end(), piece.strip().replace("**", "")))
                pos = m.end()
    return units


def _split(lines: list[Line], b: _Block) -> list[tuple[int, int, str]]:
    """Pieces (start, end, clean) of a block, each at most about MAX_CHARS."""
    units = _units(lines, b.lines)
    pieces: list[list[tuple[int, int, str]]] = [[]]
    size = 0
    for u in units:
        if pieces[-1] and size + len(u[2]) > TARGET_CHARS:
            pieces.append([])
            size = 0
        pieces[-1].append(u)
        size += len(u[2])
    if len(pieces) > 1 and sum(len(u[2]) for u in pieces[-1]) < MIN_CHARS:
        pieces[-2].extend(pieces.pop())
    out = []
    for p in pieces:
        texts = [u[2] for u in p if u[2] and not SOFT_NOISE.match(u[2])]
        out.append((p[0][0], p[-1][1], join_lines(texts)))
    return out


def chunk_text(doc: str, text: str) -> list[Chunk]:
    """Chunks of one notice; each chunk's text is exactly text[start:end]."""
    lines = split_lines(text)
    classify(lines)
    chunks: list[Chunk] = []
    for b in _merge(lines, _blocks(lines)):
        for start, end, clean in _split(lines, b):
            if clean.strip():
                chunks.append(Chunk(doc, start, end, text[start:end], clean, b.section, b.lines))
    return chunks


def chunk_docs(docs: list[Doc]) -> list[Chunk]:
    """Chunks of every notice."""
    return [c for d in docs for c in chunk_text(d.name, d.text)]


# --- sentences ----------------------------------------------------------------------------------

TERMINALS = "。；！？!?;"
CLOSERS = "”’）)」』】*"
NO_JOIN_END = TERMINALS + "：:"
JOIN_ACROSS_BLANK_END = "，,、（(“《"
BOX_WRAP_MIN = 8  # a line of a narrow slide box this long continues on a following line no longer than itself
GAP_WRAP_MIN = 20  # a line this long ending mid-word continues after blank lines (hard-wrapped notices)


@dataclass(frozen=True)
class Sentence:
    """A whole sentence or list item of a notice: source[start:end] squashes to text."""

    doc: str
    start: int
    end: int
    text: str  # display text: line breaks of hard-wrapped lines and bold markers removed
    kind: str = "sent"  # sent | head (heading or label) | row (table row) | frag (cut mid-sentence)
    level: str = ""  # national | beijing: the slide label (国家级 / 北京市级) just above the item, if any


def _ends_open(text: str) -> bool:
    """True when a line cannot end a sentence: it stops on a comma, an opening bracket, or a wrapped CJK word."""
    bare = text.replace("**", "").rstrip()
    long_close = len(bare) >= GAP_WRAP_MIN and bare[-1:] in "”’）)"
    return bool(bare) and (bare[-1] in JOIN_ACROSS_BLANK_END or _wraps(bare) or long_close)


def _continues(lines: list[Line], p: int, i: int, gap: bool) -> bool:
    """True when line i carries on the sentence of line p (gap: blank lines lie between)."""
    prev, ln = lines[p], lines[i]
    a, b = prev.text.replace("**", "").rstrip(), ln.text.replace("**", "")
    layout_title = ln.level == 1 and not _numbered_heading(b)  # found by layout: may be the end of a slide box
    if (ln.brk and not layout_title) or "\t" in a or "\t" in b or not a or a[-1] in NO_JOIN_END:
        return False
    if a in LABELS or b in LABELS or (layout_title and not (gap and len(a) < GAP_WRAP_MIN)):
        return False
    if _numbered_heading(a) and not (len(a) >= GAP_WRAP_MIN and _ends_open(a)):
        return False  # a heading stands alone
    if not gap:
        return True
    digit_wrap = a[-1].isdigit() and len(a) >= GAP_WRAP_MIN and b[:1] in "年月日号项人个%"  # "…2024" / "年度…"
    if digit_wrap:
        return True
    if not (_ends_open(a) or CJK.match(a[-1])) or not (CJK.match(b[:1]) or b[:1].isdigit() or b[:1] in "“《（("):
        return False
    if a[-1] in JOIN_ACROSS_BLANK_END:
        return True
    if len(a) >= GAP_WRAP_MIN:
        # a slide title after a long item is not its continuation: short, unpunctuated and standing alone
        isolated = i + 1 >= len(lines) or lines[i + 1].kind != "text"
        return not (isolated and len(b) <= 22 and not SENTENCE_PUNCT & set(b))
    return len(a) >= BOX_WRAP_MIN and len(b) <= len(a) + 1  # a narrow slide box wraps at a fixed width


def _numbered_heading(text: str) -> bool:
    """PART n, 附件 n, 一、 and （一） headings (slide titles found by layout may still wrap)."""
    return any(h.match(text) for h in (H_PART, H_ANNEX, H_CN1, H_CN2))


def _sentence_units(lines: list[Line]) -> list[list[int]]:
    """Runs of line indexes that form one sentence group; noise lines and list markers break a run."""
    units: list[list[int]] = []
    cur: list[int] = []
    gap = False
    for i, ln in enumerate(lines):
        if ln.kind == "blank":
            gap = True
            continue
        if ln.kind != "text":
            cur, gap = [], False
            continue
        if cur and _continues(lines, cur[-1], i, gap):
            cur.append(i)
        else:
            cur = [i]
            units.append(cur)
        gap = False
    return units


def display_join(parts: list[str]) -> str:
    """Join the pieces of a wrapped sentence: nothing between CJK characters, one space otherwise."""
    out = ""
    for t in parts:
        t = t.replace("**", "").strip()
        if out and t and not (_wide(out[-1]) or _wide(t[0])):
            out += " "
        out += t
    return out


def _wide(ch: str) -> bool:
    """CJK characters and full-width punctuation join without a space."""
    return ord(ch) > 0x2E7F


def _cuts(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of the sentences inside text[start:end]: cut after a terminal and its closing marks."""
    out: list[tuple[int, int]] = []
    pos = start
    i = start
    while i < end:
        if text[i] in TERMINALS and _ends_here(text, i, end):
            j = i + 1
            while j < end and text[j] in CLOSERS:
                j += 1
            out.append((pos, j))
            pos = j
            i = j
            continue
        i += 1
    if pos < end:
        out.append((pos, end))
    return [(s, e) for s, e in (_strip_span(text, s, e) for s, e in out) if e > s]


def _ends_here(text: str, i: int, end: int) -> bool:
    """A full-width terminal always ends a sentence; an ASCII one only before a space, CJK or the end."""
    if ord(text[i]) > 0x7F:
        return True
    nxt = text[i + 1] if i + 1 < end else " "
    return nxt.isspace() or _wide(nxt)


def _strip_span(text: str, s: int, e: int) -> tuple[int, int]:
    """Shrink a span to exclude surrounding whitespace (bold markers at the ends are kept: they verify)."""
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def _kind(lines: list[Line], idx: list[int], sent: str) -> str:
    """sent, head (a heading line or a level label) or row (a tab-separated table row)."""
    if any("\t" in lines[i].text for i in idx):
        return "row"
    if sent in LABELS:
        return "head"
    first = lines[idx[0]]
    if len(idx) > 1 or first.level is None or sent[-1:] in TERMINALS:
        return "sent"
    bare = ITEM_NO.sub("", sent)
    if _numbered_heading(sent):
        return "head"
    if first.level == 1:  # a title found by layout: an item when it is a bullet or carries a number
        return "sent" if BULLET.match(sent) or sent[:1] in "※●" or re.search(r"\d", sent) else "head"
    return "head" if len(bare) <= 12 and not re.search(r"\d", bare) else "sent"


def split_sentences_doc(doc: str, text: str) -> list[Sentence]:
    """Every sentence and list item of one notice, rebuilt across hard line breaks, with exact source offsets."""
    lines = split_lines(text)
    classify(lines)
    out: list[Sentence] = []
    for idx in _sentence_units(lines):
        cuts = _cuts(text, lines[idx[0]].start, lines[idx[-1]].end)
        cut_short = _cut_by_noise(lines, idx[-1])
        level = _label_above(lines, idx[0])
        for n, (s, e) in enumerate(cuts):
            shown = display_join(text[s:e].splitlines())
            if not squash(shown):
                continue
            kind = _kind(lines, idx, shown)
            if kind == "sent" and (shown[-1] in JOIN_ACROSS_BLANK_END or (n == len(cuts) - 1 and cut_short)):
                kind = "frag"  # ends mid-sentence (a page footer or a slide badge interrupts it): never quoted
            out.append(Sentence(doc, s, e, shown, kind, level))
    return out


ITEM_NO = re.compile(r"^(?:\d{1,2}\s*[\.．、]\s*|[（(]\d{1,2}[）)]\s*)")
LEVEL_OF_LABEL = {"国家级": "national", "北京市级": "beijing"}


def _label_above(lines: list[Line], first: int) -> str:
    """national/beijing when a level label line sits just above an item (slide badges in between are skipped)."""
    above = next((ln for ln in reversed(lines[:first]) if ln.kind not in ("blank", "soft")), None)
    return LEVEL_OF_LABEL.get(above.text.replace("**", "").strip(), "") if above is not None else ""


def _cut_by_noise(lines: list[Line], last: int) -> bool:
    """True when the line ends mid-word, a page number or URL footer follows and the text carries on after it."""
    rest = [ln for ln in lines[last + 1 :] if ln.kind != "blank"][:2]
    text = lines[last].text.replace("**", "").rstrip()
    if len(rest) < 2 or len(text) < GAP_WRAP_MIN or not _wraps(text):
        return False
    footer = PAGE_NO.match(rest[0].text) or rest[0].text.startswith("http")
    return bool(footer) and rest[1].kind == "text" and not rest[1].brk


def sentences_in(sentences: list[Sentence], start: int, end: int) -> list[Sentence]:
    """The whole sentences overlapping the span [start, end) (a sentence cut by a chunk edge comes whole)."""
    return [s for s in sentences if s.start < end and s.end > start]


# --- verbatim quotes --------------------------------------------------------------------------


def _default_dir(policy_dir: Optional[Path]) -> Path:
    if policy_dir is not None:
        return Path(policy_dir)
    from review.config import load_settings

    return Path(load_settings().policy_dir)


@lru_cache(maxsize=8)
def _squashed(policy_dir: str, stamp: tuple[tuple[str, float, int], ...]) -> dict[str, tuple[str, list[int]]]:
    """Squashed text and offset map per notice (cached per directory state)."""
    return {name: squash_with_map(read_text(Path(policy_dir) / name)) for name, _, _ in stamp}


def _corpus(policy_dir: Optional[Path]) -> dict[str, tuple[str, list[int]]]:
    d = _default_dir(policy_dir)
    stamp = tuple((p.name, p.stat().st_mtime, p.stat().st_size) for p in source_files(d))
    return _squashed(str(d.resolve()), stamp)


def find_quote_all(
    quote: str, policy_dir: Optional[Path] = None, doc: Optional[str] = None
) -> list[tuple[str, int, int]]:
    """Every (doc, start, end) where quote occurs, ignoring whitespace and bold markers."""
    needle = squash(quote)
    if not needle:
        return []
    out = []
    for name, (flat, offsets) in _corpus(policy_dir).items():
        if doc is not None and name != doc:
            continue
        for i in find_all(flat, needle):
            out.append((name, offsets[i], offsets[i + len(needle) - 1] + 1))
    return out


def find_quote(
    quote: str, policy_dir: Optional[Path] = None, doc: Optional[str] = None
) -> Optional[tuple[str, int, int]]:
    """First (doc, start, end) of quote in the corpus, or None."""
    hits = find_quote_all(quote, policy_dir, doc)
    return hits[0] if hits else None


@lru_cache(maxsize=8)
def _whole(policy_dir: str, stamp: tuple[tuple[str, float, int], ...]) -> dict[str, frozenset[str]]:
    """Squashed whole sentences and list items per notice (cached per directory state)."""
    out: dict[str, frozenset[str]] = {}
    for name, _, _ in stamp:
        text = read_text(Path(policy_dir) / name)
        out[name] = frozenset(squash(s.text) for s in split_sentences_doc(name, text) if s.kind != "frag")
    return out


def is_whole_sentence(quote: str, doc: str, policy_dir: Optional[Path] = None) -> bool:
    """True when quote is one whole sentence, list item or table row of the notice (not a fragment of one)."""
    d = _default_dir(policy_dir)
    stamp = tuple((p.name, p.stat().st_mtime, p.stat().st_size) for p in source_files(d))
    return squash(quote) in _whole(str(d.resolve()), stamp).get(doc, frozenset())


def quote_in_corpus(quote: str, policy_dir: Optional[Path] = None, doc: Optional[str] = None) -> bool:
    """True when quote occurs verbatim (whitespace-normalised) in a notice."""
    return find_quote(quote, policy_dir, doc) is not None
