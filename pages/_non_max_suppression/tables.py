"""Small tables written as Markdown: cheaper to send than a dataframe, and enough for a few rows of numbers."""

from __future__ import annotations


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    """A small table as Markdown (cheaper to send than a dataframe); cells are the page's own text."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows]) if rows else "No rows."
