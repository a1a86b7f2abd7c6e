"""What binding a JSON body costs: the same POST parsed by hand against bound parameters.

One process, the variants interleaved within every repeat; prints median ns/request and the
ratio to parsing ``req.json`` by hand. Run with ``make bench-binding``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from typing import Annotated, Any, TypedDict

import pydantic
from annotated_types import Ge, Le, MaxLen, MinLen
from werkzeug.test import EnvironBuilder

import wtf
from wtf.testing import Client

from .frameworks import print_variants

BODY = json.dumps(
    {"customer": "ann", "priority": 2, "lines": [{"sku": f"s{i}", "qty": i} for i in range(5)]}
).encode()


@dataclasses.dataclass
class LineD:
    sku: str
    qty: int


@dataclasses.dataclass
class OrderD:
    customer: str
    priority: int
    lines: list[LineD]


@dataclasses.dataclass
class LineC:
    sku: Annotated[str, MinLen(1), MaxLen(32)]
    qty: Annotated[int, Ge(0), Le(1000)]


@dataclasses.dataclass
class OrderC:
    customer: Annotated[str, MaxLen(100)]
    priority: Annotated[int, Ge(0), Le(9)]
    lines: Annotated[list[LineC], MaxLen(100)]


class LineT(TypedDict):
    sku: str
    qty: int


class OrderT(TypedDict):
    customer: str
    priority: int
    lines: list[LineT]


class LineP(pydantic.BaseModel):
    sku: str
    qty: int


class OrderP(pydantic.BaseModel):
    customer: str
    priority: int
    lines: list[LineP]


def make_apps() -> dict[str, wtf.Server]:
    names = (
        "req.json by hand",
        "dataclass",
        "dataclass with constraints",
        "TypedDict",
        "pydantic model",
    )
    apps = {name: wtf.Server() for name in names}

    @apps["req.json by hand"].post("/orders")
    def by_hand(req: wtf.Request) -> str:
        return str(len(req.json["lines"]))

    @apps["dataclass"].post("/orders")
    def dataclass(order: OrderD) -> str:
        return str(len(order.lines))

    @apps["dataclass with constraints"].post("/orders")
    def constrained(order: OrderC) -> str:
        return str(len(order.lines))

    @apps["TypedDict"].post("/orders")
    def typeddict(order: OrderT) -> str:
        return str(len(order["lines"]))

    @apps["pydantic model"].post("/orders")
    def model(order: OrderP) -> str:
        return str(len(order.lines))

    return apps


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--loops", type=int, default=10000)
    args = parser.parse_args(argv)
    environ: dict[str, Any] = EnvironBuilder(
        path="/orders", method="POST", data=BODY, content_type="application/json"
    ).get_environ()
    environ["_body"] = BODY
    apps = make_apps()
    for name, app in apps.items():
        app.compile()
        response = Client(app).post("/orders", data=BODY, content_type="application/json")
        if (response.status_code, response.text) != (200, "5"):
            raise SystemExit(f"{name} answered {response.status} {response.text!r}")
    print_variants(
        "JSON body binding",
        apps,
        environ,
        "req.json by hand",
        args.repeats,
        args.loops,  # type: ignore[arg-type]
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
