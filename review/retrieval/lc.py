"""LangChain adapter: PolicyIndex as a BaseRetriever returning Documents."""

from __future__ import annotations

from typing import Annotated, Optional

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, SkipValidation

from review.retrieval.protocol import PolicyIndexProtocol


class PolicyRetriever(BaseRetriever):
    """Documents with page_content = passage text and metadata = the other passage fields."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    index: Annotated[PolicyIndexProtocol, SkipValidation]  # a Protocol: checked by mypy, not at run time
    k: int = 5
    channel: Optional[str] = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        out = []
        for p in self.index.search(query, k=self.k, channel=self.channel):
            meta = p.model_dump(exclude={"text", "sentences"})
            out.append(Document(page_content=p.text, metadata=meta))
        return out
