"""Assessments: an organisation's facts, from YAML, JSON, TOML or a dict.

Every format's library error stops here and becomes a diagnostic. YAML is
read as plain data only, from the parser's event stream with an explicit stack
(PyYAML's composer recurses once per nesting level): no object construction,
no tags beyond the plain ones, no anchors or aliases, so an alias bomb is
refused at its first anchor. JSON with a key given twice is an error rather
than last-one-wins; TOML is read by the standard library. Nesting deeper than
`Limits.max_depth` is refused in every format, and so are names longer than
`Limits.max_name_length`.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from ._attrs_repr import fields_repr
from ._code import references
from ._transform import name_key
from .ast import Span
from .errors import Diagnostic, SbStrategyError
from .sources import Limits, SourceError, over_size, read_text_file

if TYPE_CHECKING:
    from .ruleset import RuleSet

__all__ = ["Assessment", "Fact", "load_assessment", "resolve_facts"]

FactValue = str | bool | int | float


@attrs.frozen(repr=False)
class Fact:
    """What is known of one capability: `state` is yes, no or unknown; `level`
    is the assessed number if one was given."""

    __repr__ = fields_repr

    state: str
    level: float | None = None
    explicit: bool = True


@attrs.frozen(repr=False)
class Assessment:
    """The facts as written, before they are checked against a rule set."""

    __repr__ = fields_repr

    facts: Mapping[str, object]
    organisation: str | None = None
    unlisted: str = "unknown"
    path: str | None = None
    text: str | None = attrs.field(default=None, eq=False, repr=False)
    # Where each key is written, indexed in one pass over the text the first
    # time a position is asked for: searching the text once per fact is
    # quadratic when thousands of facts are wrong.
    _keys: _KeyIndex | None = attrs.field(default=None, init=False, eq=False, repr=False)

    def position(self, name: str) -> Span | None:
        """Where the fact `name` is written in the file (line 1 if it cannot be found)."""
        if self.text is None or self.path is None:
            return None
        if self._keys is None:
            object.__setattr__(self, "_keys", _KeyIndex(self.text))
        assert self._keys is not None
        return self._keys.span(self.path, name)

    @classmethod
    def from_mapping(cls, data: Mapping[str, object], path: str | None = None) -> Assessment:
        """Either `{"facts": {...}, "organisation": ..., "unlisted": ...}` or a
        plain mapping of capability name to value."""
        if not isinstance(data, Mapping):
            raise _error("an assessment is a mapping of names to values", path)
        if isinstance(data.get("facts"), Mapping):
            unknown_keys = sorted(str(k) for k in set(data) - {"facts", "organisation", "unlisted", "description"})
            if unknown_keys:
                raise _error(
                    f"unknown top-level key '{_shorten(unknown_keys[0])}' in the assessment",
                    path,
                    "the keys are facts, organisation, unlisted and description",
                )
            organisation = data.get("organisation")
            if organisation is not None and not isinstance(organisation, str):
                raise _error("'organisation' is a string", path)
            unlisted = data.get("unlisted", "unknown")
            if unlisted is False:
                unlisted = "no"
            if unlisted not in ("unknown", "no"):
                raise _error(
                    f"'unlisted' is 'unknown' or 'no', not {_show(unlisted)}",
                    path,
                    "unlisted: unknown (the default) or unlisted: no",
                )
            facts: Mapping[str, object] = data["facts"]  # type: ignore[assignment]
            return cls(_with_shared_words(facts), organisation, str(unlisted), path)
        if "facts" in data and data["facts"] is not None and not isinstance(data["facts"], str | bool | int | float):
            raise _error("'facts' is a mapping of capability names to values", path)
        return cls(_with_shared_words(data), None, "unknown", path)

    def with_unlisted(self, unlisted: str) -> Assessment:
        return attrs.evolve(self, unlisted=unlisted)

    def with_facts(self, changes: Mapping[str, object]) -> Assessment:
        """A copy with some facts replaced (by name, any case or spacing)."""
        keys = {name_key(str(k)): k for k in self.facts}
        merged = dict(self.facts)
        for name, value in changes.items():
            merged.pop(keys.get(name_key(name), name), None)
            merged[name] = value
        return attrs.evolve(self, facts=merged)


def _error(message: str, path: str | None, suggestion: str | None = None, span: Span | None = None) -> SbStrategyError:
    if span is None and path is not None:
        span = Span(path, 1, 1, 1, 2)
    return SbStrategyError([Diagnostic("error", "assessment", message, span, suggestion)])


# Reading files ---------------------------------------------------------------------


def load_assessment(path: str | os.PathLike[str], limits: Limits | None = None) -> Assessment:
    """Read an assessment file; the format follows the extension (.yaml/.yml, .json, .toml)."""
    shown = os.fspath(path)
    try:
        source = read_text_file(shown, limits or Limits())
    except SourceError as problem:
        raise SbStrategyError(
            [Diagnostic("error", problem.code, problem.message, problem.span, problem.suggestion)],
            {shown: problem.text} if problem.text else None,
        ) from None
    return parse_assessment(source.text, shown, limits=limits)


def parse_assessment(text: str, path: str, fmt: str | None = None, *, limits: Limits | None = None) -> Assessment:
    """Parse assessment text; `fmt` is yaml, json or toml (default: from `path`).

    Raises `SbStrategyError` for anything but a well-formed assessment within `limits`.
    """
    if not isinstance(text, str):
        raise TypeError(f"parse_assessment() takes a str, not {type(text).__name__}")
    limits = limits or Limits()
    fmt = _format_of(path) if fmt is None else _known_format(fmt, path)
    if over_size(text, limits.max_file_bytes):
        raise SbStrategyError(
            [
                Diagnostic(
                    "error",
                    "limit",
                    f"{path} is larger than the limit of {limits.max_file_bytes:,} bytes (max_file_bytes)",
                    None,
                    "raise the limit, or split the assessment",
                )
            ]
        )
    # Each format's reader is imported only for a file of that format.
    try:
        if fmt == "json":
            import json

            try:
                data = json.loads(text)  # a key written twice is looked for below
            except json.JSONDecodeError as problem:
                raise _JSONError(problem) from None
        elif fmt == "toml":
            import tomllib

            try:
                data = tomllib.loads(text)
            except tomllib.TOMLDecodeError as problem:
                raise _TOMLError(str(problem)) from None
        else:
            data = _yaml(text, path, limits)
        keys = _check_shape(data, path, limits)
        if fmt == "json" and not _keys_written_once(text, keys):
            json.loads(text, object_pairs_hook=_no_duplicates)  # names the key written twice, if any
    except SbStrategyError as problem:
        raise SbStrategyError(problem.diagnostics, {path: text}) from None
    except _JSONError as error:
        decoding = error.problem
        raise _parse_error(f"not valid JSON: {decoding.msg}", path, text, decoding.lineno, decoding.colno) from None
    except _DuplicateKey as problem:
        span = _locate(text, path, problem.key)
        raise SbStrategyError(
            [
                Diagnostic(
                    "error", "assessment", f"'{_shorten(problem.key)}' is given twice", span, "give each name once"
                )
            ],
            {path: text},
        ) from None
    except _TOMLError as problem:
        line, column = _toml_position(str(problem))
        raise _parse_error(f"not valid TOML: {problem}", path, text, line, column) from None
    except RecursionError:
        # The JSON and TOML readers recurse per level and stop near a thousand.
        raise SbStrategyError(
            [Diagnostic("error", "limit", _too_deep(limits), Span(path, 1, 1, 1, 2))], {path: text}
        ) from None
    except ValueError as problem:
        # int() refuses more than 4,300 digits (JSON, TOML); a bad escape or date (TOML).
        raise _parse_error(f"not a valid {fmt.upper()} value: {_shorten(str(problem))}", path, text, 1, 1) from None
    if not isinstance(data, Mapping):
        raise SbStrategyError(
            [
                Diagnostic(
                    "error",
                    "assessment",
                    "an assessment is a mapping with a 'facts:' key",
                    Span(path, 1, 1, 1, 2),
                )
            ],
            {path: text},
        )
    try:
        assessment = Assessment.from_mapping(data, path)
    except SbStrategyError as problem:
        raise SbStrategyError(problem.diagnostics, {path: text}) from None
    return attrs.evolve(assessment, text=text)


def _known_format(fmt: str, path: str) -> str:
    if fmt in ("yaml", "json", "toml"):
        return fmt
    raise SbStrategyError(
        [Diagnostic("error", "assessment", f"{path}: unknown assessment format {fmt!r}", None, "yaml, json or toml")]
    )


def _too_deep(limits: Limits) -> str:
    return f"nested more than {limits.max_depth} levels deep (max_depth)"


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _check_shape(data: object, path: str, limits: Limits) -> int:
    """Nesting within `max_depth` and names within `max_name_length`, without recursion;
    returns how many keys the mappings have in all.

    A mapping's keys and values are looked at by C loops (`map`, `set`), not one
    Python statement each: an assessment of a large model has a fact per
    capability, and this runs on every one before anything is evaluated.
    """
    stack: list[tuple[object, int]] = [(data, 1)]
    keys_in_all = 0
    while stack:
        value, level = stack.pop()
        if level > limits.max_depth:
            raise SbStrategyError([Diagnostic("error", "limit", _too_deep(limits), Span(path, 1, 1, 1, 2))])
        items: Iterable[object]
        if isinstance(value, Mapping):
            keys = value.keys()
            keys_in_all += len(keys)
            if set(map(type, keys)) <= {str}:
                longest = max(map(len, keys), default=0)
            else:  # YAML and TOML keys may be numbers, dates...: only names are limited
                longest = max((len(key) for key in keys if isinstance(key, str)), default=0)
            if longest > limits.max_name_length:
                raise SbStrategyError(
                    [
                        Diagnostic(
                            "error",
                            "limit",
                            f"name of {longest:,} characters; the limit is {limits.max_name_length} (max_name_length)",
                            Span(path, 1, 1, 1, 2),
                            "use the capability's name as the rules declare it",
                        )
                    ]
                )
            items = value.values()
        elif isinstance(value, list):
            items = value
        else:
            continue
        if level >= limits.max_depth and len(value) > 0:  # its items are a level too deep, even plain ones
            raise SbStrategyError([Diagnostic("error", "limit", _too_deep(limits), Span(path, 1, 1, 1, 2))])
        if not _SCALARS.issuperset(map(type, items)):
            stack.extend((item, level + 1) for item in items if isinstance(item, Mapping | list))
    return keys_in_all


def _keys_written_once(text: str, keys: int) -> bool:
    """Whether no key of the JSON `text` can be written twice, given the number of keys
    its mappings have (`json.loads` keeps a repeated key's last value, once).

    Every key is a string with its colon after it. With nothing between the two
    anywhere in the text, each key is one `":` of the text; a `":` may also be inside
    a string, so the text has at least as many as keys were written. When it has no
    more than the mappings have keys, no key was written twice. Otherwise the text is
    read again pair by pair: reading every file so took a quarter longer at 100,000
    facts, with 8 MB more memory at its peak.
    """
    return _SPACED_COLON.search(text) is None and text.count('":') == keys


_SPACED_COLON = re.compile(r'"[ \t\r\n]+:')


def _shorten(text: str, most: int = 100) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


def _show(value: object) -> str:
    """A value for a message: a container by its kind (its repr could be huge, or
    recurse without end), anything else by a short repr."""
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple | set | frozenset):
        return "a list"
    if isinstance(value, str | int | float | bool) or value is None:
        try:
            return _shorten(repr(value))
        except ValueError:  # an int of more than 4,300 digits
            return "a number too long to show"
    return f"a {type(value).__name__} value"


def _format_of(path: str) -> str:
    ext = os.path.splitext(path)[1].lower()
    if ext == ".json":
        return "json"
    if ext == ".toml":
        return "toml"
    if ext in (".yaml", ".yml"):
        return "yaml"
    raise SbStrategyError(
        [
            Diagnostic(
                "error",
                "assessment",
                f"{path}: unknown assessment format '{ext or '(none)'}'",
                None,
                "name the file .yaml, .yml, .json or .toml",
            )
        ]
    )


class _JSONError(Exception):
    """A JSONDecodeError, carried out of the reader (json is imported only for JSON files)."""

    def __init__(self, problem: Any) -> None:
        super().__init__(str(problem))
        self.problem = problem


class _TOMLError(Exception):
    """A TOMLDecodeError's message (tomllib is imported only for TOML files)."""


def _parse_error(message: str, path: str, text: str, line: int, column: int) -> SbStrategyError:
    return SbStrategyError(
        [Diagnostic("error", "assessment", message, Span(path, line, column, line, column + 1))],
        {path: text},
    )


class _DuplicateKey(Exception):
    def __init__(self, key: str):
        self.key = key


# The readers (JSON above all) make a new string for every value: an assessment of a large model
# holds as many "yes" as it has capabilities. Each is replaced by one shared string.
_SHARED_WORDS: dict[object, str] = {word: word for word in ("yes", "no", "unknown")}


def _with_shared_words(facts: Mapping[str, object]) -> dict[str, object]:
    """A copy of `facts` with every "yes", "no" and "unknown" one shared string."""
    values = facts.values()
    try:
        return dict(zip(facts, map(_SHARED_WORDS.get, values, values), strict=True))
    except TypeError:  # a list or mapping among the values: left as they are
        return dict(facts)


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return result


def _toml_position(message: str) -> tuple[int, int]:
    match = re.search(r"line (\d+), column (\d+)", message)
    return (int(match.group(1)), int(match.group(2))) if match else (1, 1)


class _KeyIndex:
    """The first place each quoted string, and each bare `key:` or `key =`, is written."""

    _STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')
    _BARE = re.compile(r"[ \t]*([^:=\n]*?)[ \t]*[:=]")

    def __init__(self, text: str) -> None:
        self.quoted: dict[str, tuple[int, int]] = {}
        self.bare: dict[str, tuple[int, int]] = {}
        for number, line in enumerate(text.split("\n"), start=1):
            for match in self._STRING.finditer(line):
                self.quoted.setdefault(match.group(), (number, match.start() + 1))
            bare = self._BARE.match(line)
            if bare and bare.group(1):
                self.bare.setdefault(bare.group(1), (number, bare.start(1) + 1))

    def span(self, path: str, key: str) -> Span:
        import json

        found = self.quoted.get(json.dumps(key)) or self.quoted.get(json.dumps(key, ensure_ascii=False))
        found = found or self.bare.get(key)
        if found is None:
            return Span(path, 1, 1, 1, 2)
        line, column = found
        return Span(path, line, column, line, column + len(key))


def _locate(text: str, path: str, key: str) -> Span:
    """Where a key is written (first occurrence, quoted or bare); line 1 if unseen."""
    import json

    for pattern in (re.escape(json.dumps(key)), r"(?m)^[ \t]*" + re.escape(key) + r"[ \t]*[:=]"):
        match = re.search(pattern, text)
        if match:
            start = match.start() + (len(match.group()) - len(match.group().lstrip()))
            line = text.count("\n", 0, start) + 1
            column = start - (text.rfind("\n", 0, start) + 1) + 1
            return Span(path, line, column, line, column + len(key))
    return Span(path, 1, 1, 1, 2)


# The tags a plain YAML value may carry, written out (`!!str 3`) or implied.
_PLAIN_TAGS = frozenset(
    "tag:yaml.org,2002:" + name for name in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
)


def _yaml(text: str, path: str, limits: Limits) -> object:
    """Plain data from YAML text, built from the parser's events with a stack."""
    import yaml

    def problem(message: str, mark: Any, suggestion: str | None = None) -> SbStrategyError:
        # From the mark's offset: YAML also breaks lines at U+2028 and others,
        # where every other reader (and the caret renderer) counts only "\n".
        line, column = _line_column(text, mark.index) if mark is not None else (1, 1)
        return SbStrategyError(
            [Diagnostic("error", "assessment", message, Span(path, line, column, line, column + 1), suggestion)]
        )

    # Each open mapping or sequence: its value so far, and for a mapping the
    # key waiting for its value (`_NO_KEY` when the next scalar is a key).
    stack: list[tuple[dict[object, object] | list[object], object]] = []
    result: object = _NO_KEY
    documents = 0
    loader = None
    try:
        loader = yaml.SafeLoader(text)
        while True:
            event = loader.get_event()  # type: ignore[no-untyped-call]
            if isinstance(event, yaml.StreamEndEvent):
                break
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise problem("an assessment is one YAML document, not several", event.start_mark)
                continue
            if isinstance(event, yaml.StreamStartEvent | yaml.DocumentEndEvent):
                continue
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
                message = "YAML anchors and aliases are not allowed in an assessment"
                raise problem(message, event.start_mark, "write each value out")
            if isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                value: object = stack.pop()[0]
            elif isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                _check_tag(event.tag, event.start_mark, problem)
                if len(stack) + 1 > limits.max_depth:
                    raise _limit(problem(_too_deep(limits), event.start_mark, "an assessment is a flat list of facts"))
                stack.append(({} if isinstance(event, yaml.MappingStartEvent) else [], _NO_KEY))
                continue
            else:  # a scalar
                assert isinstance(event, yaml.ScalarEvent)
                value = _scalar(loader, event, problem)
            if not stack:
                result = value
                continue
            container, key = stack[-1]
            if isinstance(container, list):
                container.append(value)
            elif key is _NO_KEY:
                if value is None or not isinstance(value, str | int | float | bool):
                    raise problem("keys are names", event.start_mark)
                if value in container:
                    raise problem(f"'{_shorten(str(value))}' is given twice", event.start_mark, "give each name once")
                stack[-1] = (container, value)
            else:
                container[key] = value
                stack[-1] = (container, _NO_KEY)
    except yaml.MarkedYAMLError as error:
        raise problem(f"not valid YAML: {error.problem or error}", error.problem_mark) from None
    except yaml.reader.ReaderError as error:  # a character YAML does not allow, such as NUL
        line, column = _line_column(text, error.position)
        span = Span(path, line, column, line, column + 1)
        character = error.character if isinstance(error.character, int) else ord(error.character)
        message = f"not valid YAML: the character U+{character:04X} is not allowed"
        raise SbStrategyError([Diagnostic("error", "assessment", message, span)]) from None
    except yaml.YAMLError as error:
        raise problem(f"not valid YAML: {error}", None) from None
    finally:
        if loader is not None:
            loader.dispose()
    return {} if result is _NO_KEY else result


_NO_KEY = object()


def _line_column(text: str, offset: int) -> tuple[int, int]:
    offset = min(max(offset, 0), len(text))
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _limit(error: SbStrategyError) -> SbStrategyError:
    return SbStrategyError([attrs.evolve(d, code="limit") for d in error.diagnostics])


def _check_tag(tag: str | None, mark: object, problem: object) -> None:
    if tag is not None and tag != "!" and tag not in _PLAIN_TAGS:
        raise problem(  # type: ignore[operator]
            f"the YAML tag '{_shorten(tag)}' is not allowed in an assessment",
            mark,
            "write plain values: yes, no, unknown or a number",
        )


def _scalar(loader: object, event: object, problem: object) -> object:
    """A scalar's plain value, typed as YAML 1.1 reads it (`yes` is true, `3` an int)."""
    import yaml

    assert isinstance(loader, yaml.SafeLoader) and isinstance(event, yaml.ScalarEvent)
    tag = event.tag
    if tag is None or tag == "!":
        tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)  # type: ignore[no-untyped-call]
    _check_tag(tag, event.start_mark, problem)
    node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)  # type: ignore[arg-type]
    try:
        return loader.construct_object(node)
    except (yaml.YAMLError, ValueError, OverflowError) as error:  # ValueError: int() of 4,300+ digits
        raise problem(f"bad value: {_shorten(str(error))}", event.start_mark) from None  # type: ignore[operator]


# Checking against a rule set ------------------------------------------------------------


def _value(raw: object) -> Fact | None:
    if isinstance(raw, bool):
        return Fact("yes" if raw else "no")
    if isinstance(raw, int | float):
        try:
            level = float(raw)
        except OverflowError:  # an int beyond the float range
            return None
        if not math.isfinite(level):
            return None
        return Fact("unknown", level)  # state follows from the level and `met at`
    if isinstance(raw, str):
        word = raw.strip().casefold()
        if word in ("yes", "true", "y"):
            return Fact("yes")
        if word in ("no", "false", "n"):
            return Fact("no")
        if word in ("unknown", "?", ""):
            return Fact("unknown")
        try:
            number = float(word)
        except ValueError:
            return None
        return _value(number)
    if raw is None:
        return Fact("unknown")
    return None


def resolve_facts(ruleset: RuleSet, assessment: Assessment) -> dict[str, Fact]:
    """Facts by capability key, checked against the rules; every problem reported."""
    from ._checks._context import Suggestions

    nodes = ruleset.model.nodes
    declared = {key: node.name for key, node in nodes.items() if node.kind == "capability"}
    suggest = Suggestions(declared)
    facts: dict[str, Fact] = {}
    problems: list[Diagnostic] = []
    path = assessment.path

    def where(name: str) -> Span | None:
        return assessment.position(name) or (Span(path, 1, 1, 1, 2) if path else None)

    for raw_name, raw in assessment.facts.items():
        name = str(raw_name)
        key = name_key(name)
        node = nodes.get(key)
        if node is None:
            problems.append(
                Diagnostic(
                    "error",
                    "unknown-fact",
                    f"'{_shorten(name)}' is not a capability of these rules",
                    where(name),
                    suggest(key) or "check the spelling against the rule files",
                )
            )
            continue
        if node.kind == "stage":
            problems.append(
                Diagnostic(
                    "error",
                    "unknown-fact",
                    f"'{name}' is a stage; stages follow from the capabilities and are not assessed",
                    where(name),
                )
            )
            continue
        fact = _value(raw)
        if fact is None:
            problems.append(
                Diagnostic(
                    "error",
                    "bad-fact",
                    f"'{_shorten(name)}': {_show(raw)} is not yes, no, unknown or a number",
                    where(name),
                )
            )
            continue
        if key in facts:
            problems.append(Diagnostic("error", "assessment", f"'{name}' is given twice", where(name)))
            continue
        if fact.level is not None:
            met_at = node.met_at  # type: ignore[union-attr]
            fact = Fact("yes" if fact.level >= met_at else "no", fact.level)
        facts[key] = fact

    default = Fact(assessment.unlisted, 0.0 if assessment.unlisted == "no" else None, explicit=False)
    for key in declared:
        facts.setdefault(key, default)
    problems.extend(_level_problems(ruleset, facts, where, assessment))
    if problems:
        sources = {path: assessment.text} if path and assessment.text is not None else None
        raise SbStrategyError(problems, sources)
    return facts


def _level_problems(
    ruleset: RuleSet, facts: dict[str, Fact], where: object, assessment: Assessment
) -> list[Diagnostic]:
    """A capability compared by level needs a number (or unknown), not yes/no."""
    problems: list[Diagnostic] = []
    reported: set[str] = set()
    for requirement in ruleset.requirements:
        # The keys compared by level, read from the code (no AST is built).
        for key in references(requirement.code)[1]:
            if key in reported:
                continue
            fact = facts[key]
            if fact.level is None and fact.state != "unknown" and fact.explicit:
                reported.add(key)
                node = ruleset.model.nodes[key]
                problems.append(
                    Diagnostic(
                        "error",
                        "level-needed",
                        f"'{node.name}' is compared by level at {requirement.span.path}:"
                        f"{requirement.span.line}, but the assessment says {fact.state}, which has no level",
                        where(_written_name(assessment, key) or node.name),  # type: ignore[operator]
                        f"give a number, e.g. {node.name}: 2",
                    )
                )
    return problems


def _written_name(assessment: Assessment, key: str) -> str | None:
    for name in assessment.facts:
        if name_key(str(name)) == key:
            return str(name)
    return None
