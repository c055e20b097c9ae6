"""The policy corpus as the sidebar shows it, and adding a notice to it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from review.errors import InputError

NOTICE_EXTS = (".pdf", ".txt")
README = "README.md"
_SAFE = re.compile(r"[^\w\u4e00-\u9fff.\-]+")


@dataclass(frozen=True)
class Notice:
    """One notice in the corpus: file name, title, date."""

    file: str
    title: str
    date: str


def _provenance(policy_dir: Path) -> dict[str, tuple[str, str]]:
    """(title, date) by file name from the README provenance table."""
    readme = policy_dir / README
    if not readme.is_file():
        return {}
    text = readme.read_text(encoding="utf-8")
    try:
        from review.retrieval.corpus import parse_provenance

        return {k: (m.title, m.date) for k, m in parse_provenance(text).items()}
    except ImportError:
        out = {}
        for raw in text.splitlines():
            cells = [c.strip() for c in raw.strip().strip("|").split("|")]
            if len(cells) >= 4 and re.search(r"\.(txt|md|pdf)$", cells[0]):
                out[cells[0]] = (cells[1], cells[3])
        return out


def list_notices(policy_dir: Path) -> list[Notice]:
    """Every notice file in the corpus with its title and date (file date for added notices), newest first."""
    prov = _provenance(policy_dir)
    out = []
    for p in sorted(policy_dir.iterdir()):
        if not p.is_file() or p.name == README or p.suffix.lower() not in (".txt", ".md", ".pdf"):
            continue
        title, date = prov.get(p.name, (p.stem, ""))
        if not date:
            date = datetime.fromtimestamp(p.stat().st_mtime).strftime("%Y-%m-%d") + "（添加）"
        out.append(Notice(p.name, title or p.stem, date))
    return sorted(out, key=lambda n: n.date, reverse=True)


def safe_notice_name(name: str) -> str:
    """A file name safe to write into the policy folder (no paths, no odd characters)."""
    base = Path(name).name
    stem, suffix = Path(base).stem, Path(base).suffix.lower()
    stem = _SAFE.sub("_", stem).strip("._") or "notice"
    return stem[:80] + suffix


def check_notice(name: str, data: bytes) -> None:
    """Raise InputError (Chinese message) unless the upload looks like a PDF or UTF-8 text notice."""
    suffix = Path(name).suffix.lower()
    if suffix not in NOTICE_EXTS:
        raise InputError(
            f"只能添加 PDF 或 TXT 格式的政策通知，“{Path(name).name}”的格式不受支持。",
            f"unsupported notice type {suffix or '(none)'}",
        )
    if not data:
        raise InputError("上传的文件是空的。", "empty notice")
    if suffix == ".pdf" and not data.startswith(b"%PDF"):
        raise InputError("该文件不是有效的 PDF。", "not a PDF")
    if suffix == ".txt":
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise InputError("TXT 文件须为 UTF-8 编码。", "notice text is not UTF-8") from e


def save_notice(policy_dir: Path, name: str, data: bytes) -> Path:
    """Validate and write a notice into the policy folder; refuses to overwrite an existing notice."""
    check_notice(name, data)
    dest = policy_dir / safe_notice_name(name)
    if dest.exists():
        raise InputError(f"语料中已有同名文件“{dest.name}”，请改名后再添加。", f"{dest.name} exists")
    policy_dir.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(data)
    return dest
