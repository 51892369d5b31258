"""The search box's syntax, parsed by hand: any string gives a query, never an exception.

Syntax (Swedish and English keywords)::

    hemlöshet stöd            both words (AND is the default)
    boende OR härbärge        either (also ELLER, |); binds tighter than the implicit AND
    NOT skola, -skola         without (also INTE)
    "evidensbaserad praktik"  the words next to each other
    hemlös*                   words starting with "hemlös"
    (a OR b) c                grouping
    stad:Stockholm  city:     projekt: project:  nämnd: committee:  typ: type:
    ämne: topic:  stadsdel: district:  språk: lang:  år: year:  nämns: mentioned:
    dnr:KS 2019/123           a diarienummer (also found when typed without dnr:)
    datum:2004  datum:2004-01..2004-06  datum:..2010  date:2004-05-17

The prefixes are the fields' (:mod:`archive.fields`). Field values with spaces are quoted: ``stad:"Upplands Väsby"``. What cannot be understood
is ignored and described in :attr:`ParsedQuery.notes` (message ids, shown to the user).
This module knows nothing of Whoosh: :mod:`archive.engine.matching` turns the tree into a search.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from archive import fields
from archive.messages import Message, message
from archive.swedish import TYPED_DNR, TYPED_DNR_VALUE, date_span

OR_WORDS = frozenset({"OR", "ELLER", "|", "||"})
AND_WORDS = frozenset({"AND", "OCH", "&", "&&"})
NOT_WORDS = frozenset({"NOT", "INTE"})
#: More query clauses than this are ignored (a pasted page is not a search).
MAX_CLAUSES = 32



@dataclass(frozen=True)
class Word:
    """A word as typed; it may analyse into several terms ("EU-medborgare")."""

    text: str


@dataclass(frozen=True)
class Phrase:
    """Words that must occur next to each other, in order."""

    text: str


@dataclass(frozen=True)
class Prefix:
    """Words starting with ``text``."""

    text: str


@dataclass(frozen=True)
class Dnr:
    """A diarienummer as typed (matched normalised, or as a phrase of its numbers)."""

    text: str


@dataclass(frozen=True)
class Filter:
    """A field value in the tree: only excluded ones (``-stad:Lund``) end up here."""

    name: str
    value: str


@dataclass(frozen=True)
class Not:
    node: Node


@dataclass(frozen=True)
class And:
    nodes: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    nodes: tuple[Node, ...]


Node = Word | Phrase | Prefix | Dnr | Filter | Not | And | Or


@dataclass
class ParsedQuery:
    """A parsed search box: the text tree plus the filters the field prefixes set."""

    root: Node | None = None
    filters: dict[str, list[str]] = field(default_factory=dict)
    #: Date ranges typed (``datum:2004``): field name → inclusive (from, to) YYYYMMDD
    #: numbers (None = open).
    ranges: dict[str, list[tuple[int | None, int | None]]] = field(default_factory=dict)
    notes: list[Message] = field(default_factory=list)

    @property
    def dates(self) -> list[tuple[int | None, int | None]]:
        """The ``datum:`` ranges (decision date, else document date)."""
        return self.ranges.get("date", [])


# -- lexing -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    kind: str  # "word" "phrase" "prefix" "dnr" "field" "or" "and" "not" "minus" "(" ")"
    text: str = ""
    name: str = ""


def _lex(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    prefixes = fields.prefixes()
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
            continue
        if c in "()":
            tokens.append(_Token(c))
            i += 1
            continue
        if c == '"':
            end = text.find('"', i + 1)
            end = n if end < 0 else end
            tokens.append(_Token("phrase", text[i + 1 : end]))
            i = end + 1
            continue
        if c in "-+!" and i + 1 < n and not text[i + 1].isspace():
            if c != "+":
                tokens.append(_Token("minus"))
            i += 1
            continue
        dnr = TYPED_DNR.match(text, i)
        if dnr:
            tokens.append(_Token("dnr", dnr.group()))
            i = dnr.end()
            continue
        end = i
        while end < n and not text[end].isspace() and text[end] not in '()"':
            end += 1
        word = text[i:end]
        name, colon, value = word.partition(":")
        prefix = prefixes.get(name.casefold()) if colon else None
        if prefix:
            value, end = _field_value(text, prefix.kind, value, end)
            tokens.append(_Token("field", value, prefix.name))
        elif word in OR_WORDS:
            tokens.append(_Token("or"))
        elif word in AND_WORDS:
            tokens.append(_Token("and"))
        elif word in NOT_WORDS:
            tokens.append(_Token("not"))
        elif word.endswith("*") and word.strip("*"):
            tokens.append(_Token("prefix", word.rstrip("*")))
        else:
            tokens.append(_Token("word", word))
        i = end
    return tokens


def _field_value(text: str, kind: str, value: str, end: int) -> tuple[str, int]:
    """A field's value: quoted, a whole diarienummer (spaces allowed), or one word."""
    start = end - len(value)
    if text.startswith('"', start):
        close = text.find('"', start + 1)
        close = len(text) if close < 0 else close
        return text[start + 1 : close], close + 1
    if kind == fields.DNR:
        match = TYPED_DNR_VALUE.match(text, start)
        if match:
            return match.group(1), match.end()
    return value, end


# -- parsing ------------------------------------------------------------------------


class _Parser:
    def __init__(self, tokens: list[_Token], parsed: ParsedQuery) -> None:
        self.tokens = tokens
        self.i = 0
        self.parsed = parsed
        self.clauses = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def sequence(self, depth: int) -> Node | None:
        """Clauses joined by the implicit AND, up to a closing parenthesis."""
        nodes: list[Node] = []
        while (token := self.peek()) is not None:
            if token.kind == ")":
                if depth:
                    break
                self.i += 1  # an unmatched ")" is ignored
                continue
            if token.kind in ("or", "and"):
                self.i += 1  # a dangling operator is ignored
                continue
            node = self.disjunction(depth)
            if node is not None:
                nodes.append(node)
        return _join(And, nodes)

    def disjunction(self, depth: int) -> Node | None:
        nodes = [self.unary(depth)]
        while (token := self.peek()) is not None and token.kind == "or":
            self.i += 1
            nodes.append(self.unary(depth))
        return _join(Or, [n for n in nodes if n is not None])

    def unary(self, depth: int) -> Node | None:
        token = self.peek()
        if token is None or token.kind in (")", "or", "and"):
            return None
        if token.kind in ("not", "minus"):
            self.i += 1
            following = self.peek()
            if following is not None and following.kind == "field":
                self.i += 1
                return self.excluded_field(following)
            node = self.unary(depth)
            if node is None:
                return None
            return node.node if isinstance(node, Not) else Not(node)
        return self.atom(depth)

    def excluded_field(self, token: _Token) -> Node | None:
        """``-typ:protokoll``: documents without that value (dates cannot be excluded)."""
        value = token.text.strip()
        if not value:
            return None
        kind = _kind(token)
        if kind == fields.DATE_RANGE:
            self.parsed.notes.append(message("date_not_excluded", value=value))
            return None
        return Not(Dnr(value) if kind == fields.DNR else Filter(token.name, value))

    def atom(self, depth: int) -> Node | None:
        token = self.tokens[self.i]
        self.i += 1
        if token.kind == "(":
            node = self.sequence(depth + 1)
            if (closing := self.peek()) is not None and closing.kind == ")":
                self.i += 1
            return node
        if token.kind == "field":
            return self.field(token)
        if not token.text.strip():
            return None
        self.clauses += 1
        if self.clauses > MAX_CLAUSES:
            if self.clauses == MAX_CLAUSES + 1:
                self.parsed.notes.append(message("first_words_only", n=MAX_CLAUSES))
            return None
        kinds = {"word": Word, "phrase": Phrase, "prefix": Prefix, "dnr": Dnr}
        return kinds[token.kind](token.text.strip())

    def field(self, token: _Token) -> Node | None:
        value = token.text.strip()
        if not value:
            return None
        kind = _kind(token)
        if kind == fields.DNR:
            return Dnr(value)
        if kind == fields.DATE_RANGE:
            dates = parse_date_range(value)
            if dates is None:
                self.parsed.notes.append(message("invalid_date", value=value))
            else:
                self.parsed.ranges.setdefault(token.name, []).append(dates)
            return None
        self.parsed.filters.setdefault(token.name, []).append(value)
        return None


def _kind(token: _Token) -> str:
    """The kind of the field a ``prefix:value`` token names."""
    found = fields.by_name(token.name)
    return found.kind if found is not None else fields.KEYWORDS


def _join(kind: type[And] | type[Or], nodes: list[Node]) -> Node | None:
    flat: list[Node] = []
    for node in nodes:
        flat.extend(node.nodes if isinstance(node, kind) else (node,))
    if not flat:
        return None
    return flat[0] if len(flat) == 1 else kind(tuple(flat))


def parse(text: str) -> ParsedQuery:
    """Parse a search box; unknown or malformed parts are ignored (see ``notes``)."""
    parsed = ParsedQuery()
    parser = _Parser(_lex(text), parsed)
    parsed.root = parser.sequence(0)
    return parsed


# -- dates --------------------------------------------------------------------------

def parse_date(text: str, *, end: bool) -> int | None:
    """"2004", "2004-06" or "2004-06-17" as YYYYMMDD: the first day, or with ``end`` the last
    (:func:`archive.swedish.date_span`)."""
    span = date_span(text)
    if span is None:
        return None
    day = span[1] if end else span[0]
    return day.year * 10000 + day.month * 100 + day.day


def parse_date_range(text: str) -> tuple[int | None, int | None] | None:
    """``2004``, ``2004-01..2004-06``, ``..2010``, ``2004..``, ``2004-2006`` → (from, to)."""
    text = text.strip()
    if ".." in text:
        low, _, high = text.partition("..")
    elif re.fullmatch(r"\d{4}-\d{4}", text):
        low, high = text[:4], text[5:]
    else:
        low = high = text
    start = parse_date(low, end=False) if low.strip() else None
    stop = parse_date(high, end=True) if high.strip() else None
    if (low.strip() and start is None) or (high.strip() and stop is None):
        return None
    if start is None and stop is None:
        return None
    return start, stop
