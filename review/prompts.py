"""Prompt files in prompts/<name>.md rendered with `{variable}` placeholders that fail loudly.

Placeholders are `{identifier}` only, so JSON examples in a prompt (`{"key": …}`) need no escaping;
write `{{name}}` for a literal `{name}`. A line `<!-- user -->` splits the system part from the user part.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Optional

from review.config import PROMPTS_DIR

PLACEHOLDER = re.compile(r"\{\{([A-Za-z_]\w*)\}\}|\{([A-Za-z_]\w*)\}")
USER_MARKER = "<!-- user -->"


class PromptError(ValueError):
    """A prompt is missing, or was rendered with a missing or unused variable."""


def prompt_path(name: str, prompts_dir: Optional[Path] = None) -> Path:
    """Path of prompts/<name>.md; PromptError when it does not exist."""
    path = Path(prompts_dir or PROMPTS_DIR) / f"{name}.md"
    if not path.is_file():
        raise PromptError(f"no prompt named {name!r} in {path.parent}")
    return path


def variables(name: str, prompts_dir: Optional[Path] = None) -> set[str]:
    """The variable names a prompt expects."""
    text = prompt_path(name, prompts_dir).read_text(encoding="utf-8")
    return {m.group(2) for m in PLACEHOLDER.finditer(text) if m.group(2)}


def render(name: str, /, prompts_dir: Optional[Path] = None, **vars: Any) -> str:
    """The prompt with every `{var}` filled; PromptError on a missing or an unused variable."""
    text = prompt_path(name, prompts_dir).read_text(encoding="utf-8")
    wanted = {m.group(2) for m in PLACEHOLDER.finditer(text) if m.group(2)}
    missing, unused = wanted - vars.keys(), vars.keys() - wanted
    if missing or unused:
        raise PromptError(f"prompt {name!r}: missing variables {sorted(missing)}, unused variables {sorted(unused)}")

    def fill(m: re.Match[str]) -> str:
        return "{" + m.group(1) + "}" if m.group(1) else str(vars[m.group(2)])

    return PLACEHOLDER.sub(fill, text)


def render_messages(name: str, /, prompts_dir: Optional[Path] = None, **vars: Any) -> tuple[str, str]:
    """(system, user) of a rendered prompt split at `<!-- user -->` (system is empty without the marker)."""
    text = render(name, prompts_dir, **vars)
    if USER_MARKER not in text:
        return "", text.strip()
    system, _, user = text.partition(USER_MARKER)
    return system.strip(), user.strip()


def list_prompts(prompts_dir: Optional[Path] = None) -> list[str]:
    """Names of every prompt file (README excluded)."""
    return sorted(p.stem for p in Path(prompts_dir or PROMPTS_DIR).glob("*.md") if p.stem != "README")
