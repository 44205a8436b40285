"""A problem found in input, said so that a person who never saw the code can fix the file.

The words live in locales/*.toml: :meth:`Problem.worded` builds a problem from one catalogue key in every
language (the readers' [reader] refusals, the importer's, the mapping's and the Data page's [import] ones), and
:meth:`Problem.sentence` says it whole in one language. The CLI prints English (``str``); the Data page speaks the
page's language. The catalogue is imported where it is used: core keeps no dependency on the present layer's
logic, only on its words.
"""

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
    #: The catalogue key the message came from ("import.duplicate_lead"; "" when it was not worded): what kind
    #: of problem it is, for grouping and for telling row-level problems from the rest.
    key: str = field(default="", compare=False)
    #: How many rows this entry stands for: 1, or n for an "… and n more rows" summary line.
    count: int = field(default=1, compare=False)

    @classmethod
    def worded(cls, key: str, file: str, row: int | None = None, column: str | None = None, value: object = None,
               /, **values: object) -> Problem:
        """A problem whose message is the catalogue's ``key`` ("section.name") in every language, with
        ``values`` filled in (numbers arrive formatted; a value that is itself worded, e.g. "3 rows, the first
        shown", is a function of the language); the English one is ``message``."""
        from sla_review.present import catalogue

        def filled(lang: str) -> dict[str, object]:
            return {name: v(lang) if callable(v) else v for name, v in values.items()}

        texts = tuple((lang, catalogue.t(key, lang, **filled(lang))) for lang in catalogue.LANGS)
        return cls(file, row, column, value, dict(texts)["en"], texts, key)

    def text(self, lang: str) -> str:
        """The message in ``lang`` when the problem carries it, else the English one."""
        return dict(self.texts).get(lang, self.message)

    def speaks(self, lang: str) -> bool:
        """Whether the message exists in ``lang`` (English always does)."""
        return lang == "en" or lang in dict(self.texts)

    def sentence(self, lang: str) -> str:
        """The problem as one sentence in ``lang``: where (file, row, column, value), then what is wrong."""
        from sla_review.present import catalogue, formats

        where = [self.file]
        if self.row is not None:
            where.append(catalogue.t("reader.where_row", lang, row=formats.integer(self.row)))
        if self.column:
            where.append(catalogue.t("reader.where_column", lang, column=self.column))
        shown = ""
        if self.value is not None:
            text = str(self.value)
            shown = catalogue.t("reader.where_value", lang, value=f"{text[:60]}…" if len(text) > 60 else text)
        return catalogue.t("reader.sentence", lang, where=catalogue.t("reader.where_sep", lang).join(where),
                           value=shown, message=self.text(lang))

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

    def said(self, lang: str) -> str:
        """The line a person reads: ``str`` in English (the CLI's, unchanged), :meth:`sentence` otherwise."""
        return str(self) if lang == "en" else self.sentence(lang)


#: Rows listed per group (file and column) in a summary; the rest of the group is counted.
GROUP_ROWS = 20


def _group(problem: Problem) -> tuple[str, str | None]:
    """A problem's group: its file and column (file-level problems, with no column, each stand alone)."""
    return (problem.file, problem.column) if problem.column else (problem.file, f"\x00{id(problem)}")


def summarize(problems: list[Problem], total: int | None = None, lang: str = "en") -> str:
    """The problems grouped by file and column (a group of several rows under one heading with its count), the
    first GROUP_ROWS of each group one a line, then how many more there are, in ``lang`` (the CLI's is English).
    Every problem of the list is counted in its group, even the ones not listed."""
    from sla_review.present import catalogue, formats

    total = len(problems) if total is None else total
    lines = [catalogue.t("import.refused_one" if total == 1 else "import.refused", lang, n=total)]
    groups: dict[tuple[str, str | None], list[Problem]] = {}
    for p in problems:
        groups.setdefault(_group(p), []).append(p)
    counted = 0
    for (file, column), members in groups.items():
        rows = [p for p in members if p.key != "import.more_rows"]
        n = sum(p.count for p in members)
        counted += n
        if n > 1 and column and not column.startswith("\x00"):
            where = catalogue.t("reader.where_sep", lang).join(
                [file, catalogue.t("reader.where_column", lang, column=column)])
            lines.append(catalogue.t("import.group_rows", lang, where=where, n=formats.integer(n)))
        lines += [f"- {p.said(lang)}" for p in rows[:GROUP_ROWS]]
        if n > len(rows[:GROUP_ROWS]):
            lines.append(catalogue.t("import.more_rows", lang, n=formats.integer(n - len(rows[:GROUP_ROWS]))))
    if total > counted:
        lines.append(catalogue.t("import.refused_more", lang, n=total - counted))
    return "\n".join(lines)
