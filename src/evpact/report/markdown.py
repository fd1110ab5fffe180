"""The report as Markdown, for pasting into a document: the same ``Document`` as the HTML,
charts replaced by their numbered captions (the interactive charts live in the HTML)."""

from __future__ import annotations

from .content import Block, Document, Figure, Findings, Heading, Paragraph, Table


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(t: Table) -> list[str]:
    def flag(flags: tuple[bool, ...], i: int) -> bool:
        return i < len(flags) and flags[i]

    head = "| " + " | ".join(_cell(c) or " " for c in t.columns) + " |"
    rule = "|" + "|".join("---:" if flag(t.numeric, i) else "---" for i in range(len(t.columns)))
    rows = [
        "| "
        + " | ".join(
            f"`{_cell(v)}`" if flag(t.code, i) and v else _cell(v) for i, v in enumerate(r)
        )
        + " |"
        for r in t.rows
    ]
    out = [head, rule + "|", *rows]
    if t.caption:
        out += ["", f"*{t.caption}*"]
    return out


def _block(b: Block) -> list[str]:
    if isinstance(b, Paragraph):
        return [f"*{b.text}*" if b.note else b.text]
    if isinstance(b, Heading):
        return [f"### {b.text}"]
    if isinstance(b, Findings):
        return [f"{i}. {s.text}" for i, s in enumerate(b.sentences, start=1)]
    if isinstance(b, Table):
        return _table(b)
    assert isinstance(b, Figure)
    return [f"**Figure {b.number}.** {b.caption} (chart in the HTML report)"]


def render_markdown(doc: Document) -> str:
    lines = [f"# {doc.title}", "", f"*{doc.subtitle}; generated {doc.created}.*", ""]
    for section in doc.sections:
        lines += [f"## {section.title}", ""]
        for block in section.blocks:
            lines += [*_block(block), ""]
    return "\n".join(lines).rstrip() + "\n"


__all__ = ["render_markdown"]
