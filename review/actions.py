"""Reviewer actions (接受 / 驳回 a finding) kept in SQLite under settings.data_dir."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Optional

from review.config import Settings, load_settings
from review.findings import finding_key as finding_key  # re-exported: callers record actions under it

ACTIONS: dict[str, str] = {"accept": "接受", "dismiss": "驳回"}
DB_NAME = "actions.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS actions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    review_id TEXT NOT NULL,
    finding_key TEXT NOT NULL,
    rule TEXT NOT NULL,
    action TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    user TEXT NOT NULL DEFAULT '',
    session TEXT NOT NULL DEFAULT '',
    ts TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS actions_review ON actions (review_id);
"""


def review_id(pdf_bytes: bytes) -> str:
    """The id of one review: sha256 of the uploaded PDF bytes."""
    return hashlib.sha256(pdf_bytes).hexdigest()


def db_path(settings: Optional[Settings] = None) -> Path:
    """Where the actions database lives."""
    return (settings or load_settings()).data_dir / DB_NAME


def _connect(path: Path) -> sqlite3.Connection:
    """Open (and create) the database; one short-lived connection per call keeps threads apart."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path, timeout=10)
    con.executescript(_SCHEMA)
    return con


def record(
    review: str,
    key: str,
    rule: str,
    action: str,
    reason: str = "",
    user: str = "",
    session: str = "",
    path: Optional[Path] = None,
) -> dict[str, Any]:
    """Store one reviewer action; the latest action per finding wins when read back."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; expected one of {sorted(ACTIONS)}")
    row = {
        "review_id": review,
        "finding_key": key,
        "rule": rule,
        "action": action,
        "reason": reason.strip(),
        "user": user,
        "session": session,
        "ts": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    con = _connect(path or db_path())
    with con:
        con.execute(
            "INSERT INTO actions (review_id, finding_key, rule, action, reason, user, session, ts)"
            " VALUES (:review_id, :finding_key, :rule, :action, :reason, :user, :session, :ts)",
            row,
        )
    con.close()
    return row


def actions_for(review: str, path: Optional[Path] = None) -> dict[str, dict[str, Any]]:
    """Latest action per finding key for one review: {key: {rule, action, action_zh, reason, user, ts}}."""
    con = _connect(path or db_path())
    rows = con.execute(
        "SELECT finding_key, rule, action, reason, user, session, ts FROM actions WHERE review_id = ? ORDER BY id",
        (review,),
    ).fetchall()
    con.close()
    out: dict[str, dict[str, Any]] = {}
    for key, rule, action, reason, user, session, ts in rows:
        out[key] = {
            "rule": rule,
            "action": action,
            "action_zh": ACTIONS.get(action, action),
            "reason": reason,
            "user": user,
            "session": session,
            "ts": ts,
        }
    return out


def export_text(path: Optional[Path] = None) -> str:
    """Every stored action as JSON lines (the app's download; `cme-review eval --add-actions` reads it)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "actions.jsonl"
        export_jsonl(out, path)
        return out.read_text(encoding="utf-8")


def export_jsonl(out: Path, path: Optional[Path] = None) -> int:
    """Write every stored action as one JSON line (for the eval suite); returns the count."""
    con = _connect(path or db_path())
    cur = con.execute("SELECT review_id, finding_key, rule, action, reason, user, session, ts FROM actions ORDER BY id")
    names = [d[0] for d in cur.description]
    rows = [dict(zip(names, r, strict=False)) for r in cur.fetchall()]
    con.close()
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    return len(rows)
