"""Session-wide test settings: offline, and a private data directory so tests never touch .cme_data/."""

from __future__ import annotations

import os
import tempfile

# One data dir per test session: the policy index is built once and shared by every test module
# (review.retrieval.get_index caches per data_dir), and nothing leaks into the developer's .cme_data/.
_DATA = tempfile.mkdtemp(prefix="cme-test-data-")
os.environ["CME_DATA_DIR"] = _DATA
# Offline by default: a developer's model configuration must not leak into tests.
for var in [v for v in os.environ if v.startswith("CME_LLM_") or v.startswith("CME_EMBED_") or v == "CME_CHROMA_HOST"]:
    del os.environ[var]
os.environ.pop("OPENAI_API_KEY", None)
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
