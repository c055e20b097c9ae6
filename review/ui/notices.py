"""The policy corpus as the sidebar shows it, and adding a notice to it."""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Optional

from review.errors import InputError
from review.render import notice_titles
from review.retrieval.corpus import load_provenance, source_files
from review.retrieval.protocol import PolicyIndexProtocol, Progress

NOTICE_EXTS = (".pdf", ".txt")
_SAFE = re.compile(r"[^\w\u4e00-\u9fff.\-]+")


@dataclass(frozen=True)
class Notice:
    """One notice in the corpus: file name, title, date."""

    file: str
    title: str
    date: str


def list_notices(policy_dir: Path) -> list[Notice]:
    """Every notice in the corpus under its own title, with its date (file date for added notices), newest first."""
    prov = load_provenance(policy_dir)
    titles = notice_titles(policy_dir)
    out = []
    for p in source_files(policy_dir):
        meta = prov.get(p.name)
        date = meta.date if meta and meta.date else ""
        if not date:
            date = datetime.fromtimestamp(p.stat().st_mtime).strftime("%Y-%m-%d") + "（添加）"
        out.append(Notice(p.name, titles.get(p.name) or p.stem, date))
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


def add_notice(
    index: PolicyIndexProtocol, policy_dir: Path, name: str, data: bytes, progress: Optional[Progress] = None
) -> dict[str, object]:
    """Validate an upload and add it through the index (which copies it into the corpus and indexes it)."""
    check_notice(name, data)
    safe = safe_notice_name(name)
    if (policy_dir / safe).exists():
        raise InputError(f"语料中已有同名文件“{safe}”，请改名后再添加。", f"{safe} exists")
    with tempfile.TemporaryDirectory(prefix="cme-notice-") as tmp:
        src = Path(tmp) / safe
        src.write_bytes(data)
        return dict(index.add_notice(src, progress=progress))
