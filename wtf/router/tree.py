"""The pattern tree: identical pieces at the same position share one node.

Children keep the order of their first registration (a ``dict`` does), which is the order in
which regex and named alternatives are tried.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .pattern import Piece
    from .route import Route

__all__ = ["Node"]


class Node:
    """One position in the pattern tree.

    Attributes:
        piece: The piece that leads here (``None`` at the root).
        children: Child nodes by piece key, in first-registration order.
        routes: The routes whose pattern ends here.
    """

    __slots__ = ("children", "piece", "routes")

    def __init__(self, piece: Piece | None = None) -> None:
        self.piece = piece
        self.children: dict[tuple[str, str], Node] = {}
        self.routes: list[Route] = []

    def insert(self, route: Route) -> None:
        """Add ``route`` below this node, creating the nodes its pieces need."""
        node = self
        for piece in route.pieces:
            child = node.children.get(piece.key)
            if child is None:
                child = node.children[piece.key] = Node(piece)
            node = child
        node.routes.append(route)

    def walk(self) -> Iterator[Node]:
        """Yield this node and every node below it, depth first."""
        yield self
        for child in self.children.values():
            yield from child.walk()
