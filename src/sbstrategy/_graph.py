"""The model as a networkx graph: the only module that imports networkx.

An edge runs from a prerequisite to what needs it, so the ancestors of a node
are everything it depends on. Importing networkx costs a quarter of a second,
so nothing on the load-and-assess path imports this module.
"""

from __future__ import annotations

from collections.abc import Mapping

import networkx as nx

from ._order import dependency_edges
from .model import Capability, Model, Node

__all__ = ["build_graph", "graphml"]


def build_graph(model: Model) -> nx.DiGraph:
    graph: nx.DiGraph = nx.DiGraph(framework=model.framework)
    everything: tuple[Node, ...] = (*model.capabilities, *model.stages)
    for node in everything:
        attributes = {
            "kind": node.kind,
            "description": node.description,
            "source": node.source,
            "effort": node.effort,
            "owner": node.owner,
            "tags": node.tags,
            "path": node.span.path,
            "line": node.span.line,
        }
        if isinstance(node, Capability):
            attributes["met_at"] = node.met_at
        graph.add_node(node.name, **attributes)
    names = {key: node.name for key, node in model.nodes.items()}
    for edge in dependency_edges(model):
        source, target = names[edge.target], names[edge.subject]
        if graph.has_edge(source, target):
            continue  # keep the first rule that links the two
        graph.add_edge(
            source,
            target,
            kind=edge.kind,
            path=edge.span.path,
            line=edge.span.line,
            column=edge.span.column,
        )
    return graph


def graphml(graph: nx.DiGraph, statuses: Mapping[str, str] | None = None) -> str:
    """GraphML of the dependency graph; nodes carry `status` when given.

    GraphML has no null and no list, so missing attributes are left out and
    tags are joined with ", ".
    """
    out: nx.DiGraph = nx.DiGraph()
    out.graph.update({k: v for k, v in graph.graph.items() if v is not None})
    for name, data in graph.nodes(data=True):
        attributes = {k: _graphml_value(v) for k, v in data.items() if v is not None and v != ()}
        if statuses is not None and name in statuses:
            attributes["status"] = statuses[name]
        out.add_node(name, **attributes)
    for source, target, data in graph.edges(data=True):
        out.add_edge(source, target, **{k: _graphml_value(v) for k, v in data.items() if v is not None})
    return "\n".join(nx.generate_graphml(out)) + "\n"


def _graphml_value(value: object) -> object:
    if isinstance(value, tuple | list):
        return ", ".join(str(v) for v in value)
    return value
