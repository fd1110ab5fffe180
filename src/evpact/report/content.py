"""The report as content: sections of paragraphs, findings, tables and figures, with no
markup. HTML (and through it the PDF) and Markdown are renderings of one ``Document``, so the
three formats cannot say different things.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .findings import Sentence


@dataclass(frozen=True)
class Paragraph:
    text: str
    note: bool = False  # small print: caveats, how to get more


@dataclass(frozen=True)
class Heading:
    text: str
    anchor: str = ""


@dataclass(frozen=True)
class Findings:
    sentences: tuple[Sentence, ...]


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...] = ()  # right-aligned columns
    code: tuple[bool, ...] = ()  # columns of raw names or hashes (monospace, break anywhere)
    caption: str = ""
    css: str = ""


@dataclass(frozen=True)
class Figure:
    """A chart (a plotly figure dict) with its number and caption; ``data`` is the table
    behind it (columns, rows), shown folded in HTML."""

    id: str
    number: int
    caption: str
    figure: dict[str, Any]
    data: Table | None = None


Block = Paragraph | Heading | Findings | Table | Figure


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    blocks: tuple[Block, ...]
    appendix: bool = False


@dataclass(frozen=True)
class Document:
    title: str
    subtitle: str
    created: str
    sections: tuple[Section, ...] = field(default_factory=tuple)

    def section(self, id: str) -> Section:
        return next(s for s in self.sections if s.id == id)

    def figures(self) -> list[Figure]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Figure)]


__all__ = ["Block", "Document", "Figure", "Findings", "Heading", "Paragraph", "Section", "Table"]
