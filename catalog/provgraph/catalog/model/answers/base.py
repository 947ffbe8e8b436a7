"""What the pydantic answers share: frozen, and fields a newer server adds are ignored, so an
older client keeps reading a newer server's answers."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Answer(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
