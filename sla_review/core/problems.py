"""A problem found in input, said so that a person who never saw the code can fix the file."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None
    column: str | None
    value: object
    message: str
    #: The message in other languages, as (lang, text) pairs (the limits' refusals speak en and ja);
    #: ``message`` is the English one.
    texts: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    def text(self, lang: str) -> str:
        """The message in ``lang`` when the problem carries it, else the English one."""
        return dict(self.texts).get(lang, self.message)

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f'column "{self.column}"')
        shown = ""
        if self.value is not None:
            text = str(self.value)
            shown = f'"{text[:60]}…" ' if len(text) > 60 else f'"{text}" '
        return f"{', '.join(where)}: {shown}{self.message}"


def summarize(problems: list[Problem], total: int | None = None) -> str:
    """The first problems, one a line, then how many more there are."""
    total = len(problems) if total is None else total
    lines = [f"The import was refused ({total} problem{'s' if total != 1 else ''}); nothing was changed."]
    lines += [f"- {p}" for p in problems]
    if total > len(problems):
        lines.append(f"… and {total - len(problems)} more.")
    return "\n".join(lines)
