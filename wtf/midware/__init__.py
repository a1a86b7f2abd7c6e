"""Midware: priority-ordered steps run before routing, that may stop the chain, wrap the
response writer or encode the body (a body filter); and the midware wtf ships (Gzip,
StatusCode, CORS, Recovery, Logger, RateLimit, ConcurrencyLimit, CrossOrigin).

Examples:
    >>> from wtf.midware import CORS, Gzip  # doctest: +SKIP
    >>> app.add_midware(CORS(["https://app.example.com"]))  # doctest: +SKIP
    >>> app.add_midware(Gzip(min_size=1024))  # doctest: +SKIP
"""

from ..midware_protocol import FunctionMidware as FunctionMidware
from ..midware_protocol import Midware as Midware
from ..rate_store import RateStore as RateStore
from ..rate_store import RedisStore as RedisStore
from ..writer import BodyFilter as BodyFilter
from ..writer import BufferWriter as BufferWriter
from ..writer import Writer as Writer
from ..writer import WriterWrapper as WriterWrapper
from .cors import CORS as CORS
from .cross_origin import CrossOrigin as CrossOrigin
from .gzip import Gzip as Gzip
from .limits import ConcurrencyLimit as ConcurrencyLimit
from .limits import RateLimit as RateLimit
from .logger import Logger as Logger
from .recovery import Recovery as Recovery
from .status_code import StatusCode as StatusCode

__all__ = [
    "CORS",
    "BodyFilter",
    "BufferWriter",
    "ConcurrencyLimit",
    "CrossOrigin",
    "FunctionMidware",
    "Gzip",
    "Logger",
    "Midware",
    "RateLimit",
    "RateStore",
    "Recovery",
    "RedisStore",
    "StatusCode",
    "Writer",
    "WriterWrapper",
]
