"""Problems of an import: every one kept with its file, line and field (the first
:data:`MAX_PROBLEMS`), all of them counted, and raised together at the end."""

from __future__ import annotations

from livinglab.errors import ImportRejected, Problem

MAX_PROBLEMS = 1_000
"""Problems kept to report; all of them are counted."""

class Problems:
    """Collects problems: keeps the first :data:`MAX_PROBLEMS`, counts them all."""

    def __init__(self) -> None:
        self.kept: list[Problem] = []
        self.total = 0

    def add(self, file: str, line: int | None, column: str, message: str) -> None:
        self.total += 1
        if len(self.kept) < MAX_PROBLEMS:
            self.kept.append(Problem(file, line, column, message))

    def mark(self) -> tuple[int, int]:
        return self.total, len(self.kept)

    def restore(self, mark: tuple[int, int]) -> None:
        """Forget the problems added since ``mark``."""
        self.total = mark[0]
        del self.kept[mark[1] :]

    def cut(self, mark: tuple[int, int]) -> tuple[list[Problem], int]:
        """Take out the problems added since ``mark`` (kept ones, and how many in all)."""
        later = (self.kept[mark[1] :], self.total - mark[0])
        self.restore(mark)
        return later

    def paste(self, later: tuple[list[Problem], int]) -> None:
        """Add back what :meth:`cut` took out, after the problems added since."""
        kept, total = later
        room = max(MAX_PROBLEMS - len(self.kept), 0)
        self.kept += kept[:room]
        self.total += total

    def raise_if_any(self) -> None:
        if not self.total:
            return
        files = sorted({p.file for p in self.kept})
        order = {name: i for i, name in enumerate(files)}
        kept = sorted(self.kept, key=lambda p: (order[p.file], p.line or 0))
        summary = (
            f"Import refused, nothing was written: {self.total} problem"
            f"{'s' if self.total > 1 else ''} in {', '.join(files)}."
        )
        if self.total > len(kept):
            summary += f" The first {len(kept)} are listed."
        raise ImportRejected(kept, summary)


def shown(value: object) -> str:
    return "an empty cell" if value is None or value == "" else repr(value)
