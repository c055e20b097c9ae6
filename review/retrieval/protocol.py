"""The seam between the policy index and its callers: what pipeline, explain, chat, batch and the app may use.

review.retrieval.index.PolicyIndex is the one implementation; tests pass stand-ins with the same members.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Optional, Protocol, Union

if TYPE_CHECKING:  # index.py loads numpy, bm25s and the Chroma store: the type only here
    from review.retrieval.index import Passage

Progress = Callable[[str, float], None]


class PolicyIndexProtocol(Protocol):
    """A searchable policy corpus built from settings.policy_dir (review.retrieval.PolicyIndex)."""

    policy_dir: Path
    last_error: Optional[str]
    warming: bool

    def is_ready(self) -> bool:
        """True when the index is open in memory: a search will not have to build."""
        ...

    def is_loading(self) -> bool:
        """True while a build or refresh runs in this process (the app's warm-up)."""
        ...

    def build(self, force: bool = False, progress: Optional[Progress] = None) -> dict[str, object]:
        """Open the index, re-indexing changed notices; build stats."""
        ...

    def refresh(self, progress: Optional[Progress] = None) -> dict[str, object]:
        """Pick up added, changed or removed notices; build stats."""
        ...

    def add_notice(self, path: Union[str, Path], progress: Optional[Progress] = None) -> dict[str, object]:
        """Copy a notice into policy_dir and index it; build stats."""
        ...

    def search(
        self, query: str, k: int = 5, channel: Optional[str] = None, docs: Optional[list[str]] = None
    ) -> list[Passage]:
        """The k best passages for a question."""
        ...
