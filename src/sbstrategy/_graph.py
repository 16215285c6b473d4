"""The model as a networkx graph: the only module that imports networkx.

An edge runs from a prerequisite to what needs it, so the ancestors of a node
are everything it depends on. Importing networkx costs a quarter of a second,
so nothing on the load-and-assess path imports this module.
"""

from __future__ import annotations

import networkx as nx

from ._order import dependency_edges
from .model import Capability, Model, Node

__all__ = ["build_graph"]


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
