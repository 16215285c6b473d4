"""The compiled-model cache: loading an unchanged rule file again skips
parsing and checking it.

Why: reading, merging and checking a large rule set costs far more than
evaluating it once, and analysts run many commands against the same files.

- **Key**: sha256 over this cache format, the sbstrategy version and the size
  and time of change of each of its modules (so that a working copy whose code
  changed does not read entries its old code wrote), the `Limits`, the main
  file's path (as given and absolute: diagnostics and includes depend on it)
  and the main file's text. A change to any of them is another entry.
- **Entry**: the loaded RuleSet (order, warnings, the compiled program of
  `_compiled`, the model) as plain tuples, strings and numbers, plus the path
  and sha256 of every included file, which are read again and compared on
  every hit (an edited include is a miss). The texts of the files are not
  stored: they are read anyway.
- **Where**: `$SBSTRATEGY_CACHE_DIR`, else `$XDG_CACHE_HOME/sbstrategy`, else
  `~/.cache/sbstrategy`; never inside the installed package. `SBSTRATEGY_NO_CACHE=1`
  (or `load(..., cache=False)`) turns it off.
- **Safe**: an entry is a magic header, the format, a sha256 of the payload,
  then the payload (pickle protocol 5, read back by an unpickler that refuses
  every class, so only plain data can come out of it). Anything wrong - a
  missing, truncated, corrupted or foreign file, an unreadable folder, an
  included file that changed - is a miss, never an error; the caller loads the
  files as usual and writes a new entry over the bad one. Entries are written
  to a temporary file in the cache folder and renamed into place, so readers
  see a whole entry or none, and concurrent writers each write their own
  temporary file: the last rename wins and every entry is valid.
- **Bounded**: at most `_KEEP` entries are kept; writing one removes the
  least recently used beyond that (a hit marks its entry as used).
- **Fast**: plain data loads at C speed, and a hit builds almost no objects:
  evaluation runs on the stored program, and the model's rows stay bytes
  until something asks for the model (`RuleSet.model`, its capabilities,
  stages, graph, or blockers and explanations that cite rules). Then the
  objects (capabilities, stages, requirements, spans) are built from them,
  which is a small part of what a cold load costs. Requirements keep their
  codes (`_code`); their ASTs are read from the files' text when asked for,
  as after a cold load.

Only loads without errors are stored (errors are reported from a full load),
and only loads by the default resolver (a custom resolver's includes cannot be
checked here).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from . import ast
from ._gc import paused as gc_paused
from ._version import __version__
from .errors import Diagnostic

if TYPE_CHECKING:
    from .model import Model
    from .ruleset import RuleSet
    from .sources import Limits, SourceText

__all__ = ["cache_dir", "enabled", "fetch", "store"]

_KEEP = 64  # entries kept in the cache folder
_MAGIC = b"SBSCACHE"
_FORMAT = 3
# What a row of the payload's nodes is.
_PLAIN, _CAPABILITY, _STAGE = 0, 1, 2
_HEADER = len(_MAGIC) + 1 + 32


def enabled() -> bool:
    """False when `SBSTRATEGY_NO_CACHE` is set (to anything but 0 or nothing)."""
    return os.environ.get("SBSTRATEGY_NO_CACHE", "").strip() in ("", "0")


def cache_dir() -> str:
    explicit = os.environ.get("SBSTRATEGY_CACHE_DIR")
    if explicit:
        return explicit
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "sbstrategy")


def _digest(text: str) -> str:
    import hashlib  # not imported when the cache is off

    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _code_stamp() -> str:
    """The size and time of change of every module of the package."""
    package = os.path.dirname(os.path.abspath(__file__))
    stamps = []
    for folder in (package, os.path.join(package, "_checks")):
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.endswith(".py"):
                    info = entry.stat()
                    stamps.append(f"{entry.name}:{info.st_size}:{info.st_mtime_ns}")
    return ",".join(sorted(stamps))


def _entry_path(main: SourceText, limits: Limits) -> str:
    import hashlib

    key = hashlib.sha256()
    for part in (
        f"sbstrategy cache {_FORMAT}",
        __version__,
        _code_stamp(),
        repr(limits),
        main.path,
        os.path.abspath(main.path),
    ):
        key.update(part.encode("utf-8", "surrogatepass") + b"\0")
    key.update(_digest(main.text).encode("ascii"))
    return os.path.join(cache_dir(), key.hexdigest() + ".model")


# Reading ---------------------------------------------------------------------------------


def fetch(main: SourceText, limits: Limits, read: Callable[[str], str]) -> RuleSet | None:
    """The cached RuleSet for `main`, or None (a miss, whatever the reason).

    `read(path)` reads an included file's text (raising OSError or
    SbStrategyError when it cannot).
    """
    import hashlib

    try:
        entry = _entry_path(main, limits)
        with open(entry, "rb") as stream:
            data = stream.read()
        if len(data) < _HEADER or data[: len(_MAGIC)] != _MAGIC or data[len(_MAGIC)] != _FORMAT:
            return None
        payload = memoryview(data)[_HEADER:]
        if hashlib.sha256(payload).digest() != data[len(_MAGIC) + 1 : _HEADER]:
            return None
        state = _unpickle(payload)
        del data, payload
        ruleset = _restore(state, main, read, entry)
        if ruleset is not None:
            with contextlib.suppress(OSError):
                os.utime(entry)  # recently used: the last to be pruned
        return ruleset
    except Exception:  # a cache that cannot be read is a miss, never an error
        return None


def _unpickle(payload: memoryview) -> Any:
    """Plain data only: a payload that names any class or function (which
    unpickling would import and call) is refused."""
    import io
    import pickle

    class PlainUnpickler(pickle.Unpickler):
        def find_class(self, module: str, name: str) -> object:
            raise pickle.UnpicklingError(f"the cache holds plain data only, not {module}.{name}")

    return PlainUnpickler(io.BytesIO(payload)).load()


def _restore(state: Any, main: SourceText, read: Callable[[str], str], entry: str) -> RuleSet | None:
    """The RuleSet of a payload (plain data, as `_state` wrote it), its model left
    as bytes until something asks for it."""
    from .ruleset import RuleSet

    (files, included, title, order, warnings, program, model) = state
    sources = {main.path: main.text}
    for path, digest in included:
        text = read(path)
        if _digest(text) != digest:
            return None
        sources[path] = text
    files = tuple(files)
    span = _SpanMaker(files).make
    diagnostics = tuple(
        Diagnostic(severity, code, message, span(where) if where else None, suggestion, tuple(notes))
        for severity, code, message, where, suggestion, notes in warnings
    )

    def restore_model() -> Model:
        restored = _restore_model(_unpickle(memoryview(model)), files, sources)
        if restored is None:  # cannot happen to an entry that passed its checksum
            raise RuntimeError(f"damaged compiled-model cache entry {entry}: delete it, or set SBSTRATEGY_NO_CACHE=1")
        return restored

    return RuleSet._from_cache(title, files, tuple(order), diagnostics, sources, restore_model, program)


def _restore_model(state: Any, files: tuple[str, ...], sources: dict[str, str]) -> Model | None:
    """The model's objects, from the plain rows `_state` wrote."""
    from ._fastparse import Origin
    from .model import Capability, Model, Requirement, Stage

    (framework, nodes_state, requirements_state, scenario_lines) = state
    origins = [Origin(sources[path], path) for path in files]
    spans = _SpanMaker(files)
    span = spans.make
    flat = spans.flat
    nodes: dict[str, Capability | Stage] = {}
    capabilities: list[Capability] = []
    stages: list[Stage] = []
    with gc_paused():
        for row in _drain(nodes_state):
            kind = row[0]
            if kind == _PLAIN:  # (_PLAIN, name, key, *span): a capability without attributes
                _, name, key, *where = row
                capability = Capability(name, key, flat(*where))
            elif kind == _CAPABILITY:
                # (_CAPABILITY, name, key, span, description, source, effort, owner, tags, met_at)
                _, name, key, where, *rest = row
                capability = Capability(name, key, span(where), *rest)
            else:  # (_STAGE, name, key, span, after, after span, after name, description, source, effort, owner, tags)
                _, name, key, where, after, after_where, *rest = row
                stage = Stage(name, key, span(where), after, span(after_where) if after_where else None, *rest)
                stages.append(stage)
                nodes[key] = stage
                continue
            capabilities.append(capability)
            nodes[key] = capability
        # (subject, code, *span, because, source)
        requirements = [
            Requirement(subject, code, flat(f, line, column, end_line, end_column), because, source, origins[f])
            for subject, code, f, line, column, end_line, end_column, because, source in _drain(requirements_state)
        ]
    scenarios = []
    for file_index, line in scenario_lines:
        scenario = origins[file_index].statement(line)
        if not isinstance(scenario, ast.Scenario):
            return None
        scenarios.append(scenario)
    title, framework_source, framework_description = framework
    return Model(
        title,
        framework_source,
        framework_description,
        nodes,
        tuple(capabilities),
        tuple(stages),
        tuple(requirements),
        tuple(scenarios),
        files,
    )


def _drain(rows: list[Any]) -> Iterator[Any]:
    """The rows in order, each let go of as it is handed over (so the plain
    data and the objects built from it are not all in memory at once)."""
    rows.reverse()
    while rows:
        yield rows.pop()


class _SpanMaker:
    def __init__(self, files: tuple[str, ...]) -> None:
        self.files = files
        self.make_span = ast.Span

    def make(self, where: tuple[int, int, int, int, int]) -> ast.Span:
        return self.flat(*where)

    def flat(self, index: int, line: int, column: int, end_line: int, end_column: int) -> ast.Span:
        # One int object for a span on one line (as the parser makes them).
        return self.make_span(self.files[index], line, column, line if end_line == line else end_line, end_column)


# Writing ---------------------------------------------------------------------------------


def store(main: SourceText, limits: Limits, ruleset: RuleSet) -> None:
    """Write the entry for `main`; any failure leaves the cache as it was."""
    with contextlib.suppress(Exception):
        state = _state(main, ruleset)
        target = _entry_path(main, limits)
        folder = os.path.dirname(target)
        os.makedirs(folder, mode=0o700, exist_ok=True)
        _write(folder, target, state)
        _prune(folder)


def _prune(folder: str, keep: int = _KEEP) -> None:
    """Remove the least recently used entries beyond `keep` (another process
    may be removing them too: a file already gone is no error)."""
    entries = []
    with os.scandir(folder) as found:
        for item in found:
            if item.name.endswith(".model"):
                with contextlib.suppress(OSError):
                    entries.append((item.stat().st_mtime_ns, item.path))
    if len(entries) <= keep:
        return
    entries.sort()
    for _, path in entries[: len(entries) - keep]:
        with contextlib.suppress(OSError):
            os.unlink(path)


def _write(folder: str, target: str, state: tuple[object, ...]) -> None:
    """The entry goes to a temporary file of its own, then is renamed into place.

    The payload is pickled straight into the file and hashed on the way, so a
    large entry is never held in memory as bytes (the header's checksum is
    written last, into the room left for it).
    """
    import hashlib
    import pickle
    import tempfile

    handle, temporary = tempfile.mkstemp(prefix=".entry-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            digest = hashlib.sha256()

            class Hashing:
                def write(self, chunk: bytes) -> int:
                    digest.update(chunk)
                    return stream.write(chunk)

            stream.write(_MAGIC + bytes([_FORMAT]) + bytes(32))
            pickle.Pickler(Hashing(), protocol=5).dump(state)
            stream.seek(len(_MAGIC) + 1)
            stream.write(digest.digest())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _state(main: SourceText, ruleset: RuleSet) -> tuple[object, ...]:
    """The payload: the RuleSet as plain data (see `_restore`): the compiled program
    as it is, the model's rows pickled once more into bytes of their own, which a
    hit unpickles only when the model is asked for."""
    import pickle

    from .model import Stage

    model = ruleset.model
    files = model.files
    index = {path: i for i, path in enumerate(files)}

    def where(span: ast.Span | None) -> tuple[int, int, int, int, int] | None:
        if span is None:
            return None
        return (index[span.path], span.line, span.column, span.end_line, span.end_column)

    # Rows are flat where there are many of them: fewer objects to read back.
    nodes: list[tuple[object, ...]] = []
    for node in model.nodes.values():
        if not isinstance(node, Stage):
            rest = (node.description, node.source, node.effort, node.owner, node.tags, node.met_at)
            if rest == (None, None, 1, None, (), 1):
                nodes.append((_PLAIN, node.name, node.key, *where(node.span)))  # type: ignore[misc]
            else:
                nodes.append((_CAPABILITY, node.name, node.key, where(node.span), *rest))
        else:
            nodes.append(
                (
                    _STAGE,
                    node.name,
                    node.key,
                    where(node.span),
                    node.after,
                    where(node.after_span),
                    node.after_name,
                    node.description,
                    node.source,
                    node.effort,
                    node.owner,
                    node.tags,
                )
            )
    requirements = [(r.subject, r.code, *where(r.span), r.because, r.source) for r in model.requirements]  # type: ignore[misc]
    scenarios = [(index[s.span.path], s.span.line - 1) for s in model.scenarios]
    included = [(path, _digest(ruleset.sources[path])) for path in files if path != main.path]
    warnings = [
        (d.severity, d.code, d.message, where(d.span), d.suggestion, tuple(d.notes)) for d in ruleset.diagnostics
    ]
    framework = (model.framework, model.framework_source, model.framework_description)
    rows = pickle.dumps((framework, nodes, requirements, scenarios), protocol=5)
    program = ruleset.compiled.to_plain()
    return (files, included, model.framework, ruleset.order, warnings, program, rows)
