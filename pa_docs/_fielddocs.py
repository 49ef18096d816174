"""Field docstrings of pydantic models, read from the source when asked for.

A field's docstring (the string under it) documents it: the docs pages and tests read it from
here. pydantic's ``use_attribute_docstrings`` would read every model's source at import, which
costs each start of ``pa-docs`` a parse of its model modules; nothing at run time needs them.
"""

from __future__ import annotations

import ast
import inspect
import itertools
import textwrap
from functools import cache
from typing import Any


@cache
def _own(cls: type) -> dict[str, str]:
    """The docstrings under the annotated fields written in ``cls`` itself."""
    try:
        source = textwrap.dedent(inspect.getsource(cls))
    except (OSError, TypeError):
        return {}
    node = ast.parse(source).body[0]
    if not isinstance(node, ast.ClassDef):
        return {}
    out: dict[str, str] = {}
    body = node.body
    for stmt, nxt in itertools.pairwise(body):
        if (
            isinstance(stmt, ast.AnnAssign)
            and isinstance(stmt.target, ast.Name)
            and isinstance(nxt, ast.Expr)
            and isinstance(nxt.value, ast.Constant)
            and isinstance(nxt.value.value, str)
        ):
            out[stmt.target.id] = inspect.cleandoc(nxt.value.value)
    return out


def field_docs(model: Any) -> dict[str, str]:
    """Each field of ``model`` with a docstring, by name (a subclass's own first)."""
    out: dict[str, str] = {}
    for cls in reversed(model.__mro__):
        out.update(_own(cls))
    return {name: out[name] for name in model.model_fields if name in out}
