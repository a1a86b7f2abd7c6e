"""Types bound in the binding tests, at module level so ``eval_str`` annotations resolve."""

from __future__ import annotations

import dataclasses
import datetime
import enum
import uuid
from typing import Literal, NotRequired, TypedDict

import pydantic
from werkzeug.datastructures import FileStorage


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


@dataclasses.dataclass
class Line:
    sku: str
    qty: int


@dataclasses.dataclass
class Order:
    """Every kind of field the validator knows."""

    customer: str
    lines: list[Line]
    priority: int = 0
    express: bool = False
    note: str | None = None
    color: Color = Color.RED
    size: Literal["s", "m", "l"] = "m"
    ref: uuid.UUID | None = None
    due: datetime.date | None = None
    weights: dict[str, float] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class Item:
    name: str
    qty: int = 1
    tags: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Positive:
    n: int

    def __post_init__(self) -> None:
        if self.n <= 0:
            raise ValueError("n must be positive")


class Profile(TypedDict):
    name: str
    age: int
    email: NotRequired[str]


class Search(TypedDict, total=False):
    q: str
    page: int
    tags: list[str]


@dataclasses.dataclass
class Tree:
    label: str
    children: list[Tree] = dataclasses.field(default_factory=list)


class Account(pydantic.BaseModel):
    name: str
    balance: float = 0.0
    tags: list[str] = []


@dataclasses.dataclass
class Holder:
    account: Account


class Opaque:
    """A type wtf cannot bind."""


@dataclasses.dataclass
class HasOpaque:
    thing: Opaque


@dataclasses.dataclass
class Nested:
    inner: Item


@dataclasses.dataclass
class Attachment:
    title: str
    file: FileStorage
