"""JSON through the json module: the same data, positions and findings as the YAML path gives it."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.config.document import Document
from reconciler.config.jsonload import JsonPositions
from reconciler.config.yamlload import _load_exact, _text_of, load_text
from reconciler.errors import Finding


def _reference(text: str) -> tuple[Document | None, list[Finding]]:
    checked, findings = _text_of(text, "f.json")
    assert checked is not None, findings
    return _load_exact(checked, "f.json")


def _paths(document: Document) -> list[tuple[str | int, ...]]:
    return sorted(document.positions, key=repr)


def _same(text: str) -> Document:
    loaded, findings = load_text(text, "f.json")
    reference, reference_findings = _reference(text)
    assert findings == reference_findings == []
    assert loaded is not None
    assert reference is not None
    assert isinstance(loaded.table, JsonPositions)  # it took the JSON path
    assert repr(loaded.data) == repr(json.loads(text, parse_float=Decimal))  # Decimal's text too
    if re.search(r"\\u[dD][89abAB]", text):  # YAML reads an escaped surrogate pair as two halves
        assert sorted(loaded.positions.values()) == sorted(reference.positions.values())
        assert sorted(loaded.key_positions.values()) == sorted(reference.key_positions.values())
        return loaded
    assert repr(loaded.data) == repr(reference.data)
    assert dict(loaded.positions) == dict(reference.positions)
    assert dict(loaded.key_positions) == dict(reference.key_positions)
    for path in _paths(reference):
        assert loaded.location(path) == reference.location(path)
        assert loaded.location(path, key=True) == reference.location(path, key=True)
    return loaded


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.decimals(allow_nan=False, allow_infinity=False, places=4).map(
        lambda d: d if d != 0 else Decimal("0.0")
    ),
    st.text(alphabet=st.sampled_from('ab Zé☕𝄞"\\/\t\n\r-:#&*!\x00'), max_size=6),
)
TREES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(alphabet='ab_é\n"', max_size=4), children, max_size=4),
    ),
    max_leaves=20,
)


def _dump(tree: object, indent: int | None, ascii_only: bool) -> str:
    # Decimals as bare numbers from their text: the way cwbill's own JSON writers emit them
    def default(value: object) -> object:
        raise TypeError(value)

    text = json.dumps(
        tree,
        indent=indent,
        ensure_ascii=ascii_only,
        default=default,
        cls=_DecimalEncoder,
    )
    return text


class _DecimalEncoder(json.JSONEncoder):
    def iterencode(self, o: object, _one_shot: bool = False):  # type: ignore[no-untyped-def]  # stdlib's own signature
        return super().iterencode(_marked(o), _one_shot)


def _marked(value: object) -> object:
    if isinstance(value, Decimal):
        return _Raw(format(value, "f"))
    if isinstance(value, dict):
        return {k: _marked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_marked(v) for v in value]
    return value


class _Raw(float):
    """A float subclass json writes with its repr: the Decimal's own text."""

    def __new__(cls, text: str) -> _Raw:
        made = super().__new__(cls, float(text))
        made.text = text  # type: ignore[attr-defined]  # set once, read by __repr__
        return made

    def __repr__(self) -> str:
        return self.text  # type: ignore[attr-defined, no-any-return]  # set in __new__


@settings(max_examples=300, deadline=None)
@given(
    tree=st.one_of(st.lists(TREES, max_size=4), st.dictionaries(st.text(max_size=3), TREES, max_size=4)),
    indent=st.sampled_from([None, 0, 2, 4]),
    ascii_only=st.booleans(),
)
def test_generated_json_loads_as_the_yaml_path_reads_it(
    tree: object, indent: int | None, ascii_only: bool
) -> None:
    text = _dump(tree, indent, ascii_only)
    try:
        reference, findings = _reference(text)
    except AssertionError:
        return  # empty after all
    if reference is None or findings:
        return  # the YAML path refuses it: the JSON path must not accept it differently (below)
    _same(text)


def test_a_usage_file_in_json_keeps_every_record_s_line() -> None:
    records = [
        {"period": "2026-10", "console_company": f"Company {n}", "licenses": {"server": n}} for n in range(50)
    ]
    text = json.dumps({"usage": records}, indent=2)
    document = _same(text)
    assert document.location(("usage", 3)).line == 3 + 3 * 7  # `{`, `"usage": [`, then 7 lines a record


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"a": 1,\n "b": 2,\n "a": 3}', "f.json:3:2: a: duplicate key 'a' (first defined on line 1)"),
        ('{"a": NaN}', "expected"),  # read as YAML: a string, for the schema to refuse
        ('{"a": ' + "[" * 70 + "]" * 70 + "}", "f.json:1:71: refused: nested more than 64 levels deep"),
        ('{"a": "x\x7fy"}', "f.json:1:9: invalid YAML: control character U+007F is not allowed"),
        ('{"a": 1,}', ""),  # not JSON, but YAML flow: read as before
        ('{"a": "x\u2028y",\n "b": 1}', ""),  # YAML folds a raw U+2028 and breaks the line there
    ],
    ids=[
        "a duplicate key is the YAML path's finding, with both lines",
        "NaN is not a number",
        "nesting past the limit is refused as before",
        "a character YAML refuses is refused as before",
        "a trailing comma is YAML's to read",
        "a raw line separator in a string is read as YAML reads it",
    ],
)
def test_what_json_refuses_the_yaml_path_reports(text: str, message: str) -> None:
    loaded, findings = load_text(text, "f.json")
    reference = _reference(text)
    assert (loaded, findings) == reference
    assert loaded is None or not isinstance(loaded.table, JsonPositions)
    if message == "expected":
        assert loaded is not None
        assert loaded.data == {"a": "NaN"}
    elif message:
        assert [f.render() for f in findings] == [message]


@pytest.mark.parametrize("depth", [63, 64, 65, 66])
@pytest.mark.parametrize("shape", ["lists", "mappings", "mixed"])
def test_the_depth_limit_is_the_yaml_path_s_at_its_edge(depth: int, shape: str) -> None:
    """A collection at level 64 loads (by the json module), one at level 65 is refused (by the YAML
    path): the JSON path's own depth check agrees with the YAML builder's at the boundary."""
    text = "1"
    for level in range(depth):
        wrap_in_list = shape == "lists" or (shape == "mixed" and level % 2 == 0)
        text = f"[0, {text}]" if wrap_in_list else f'{{"k": 0, "v": {text}}}'
    text = f'{{"side": [[]], "deep": {text}}}'  # the root at level 0, `deep` at level 1
    loaded, findings = load_text(text, "f.json")
    assert (loaded, findings) == _reference(text)
    assert (loaded is not None and isinstance(loaded.table, JsonPositions)) == (
        depth <= 64
    )  # the innermost of `depth` collections lies at level `depth`


def test_numbers_are_exact() -> None:
    document, _ = load_text('{"a": 0.0059, "b": 15.00, "c": 3, "d": 1e3}', "f.json")
    assert document is not None
    assert isinstance(document.data, dict)
    assert [repr(document.data[k]) for k in "abcd"] == [
        "Decimal('0.0059')",
        "Decimal('15.00')",
        "3",
        "Decimal('1E+3')",
    ]


@pytest.mark.parametrize(
    "text",
    ['{"\ufeff": null}', '{"a\ufeff\ufeffb": [1, "\ufeff"], "c": 2}', '[\n  "\ufeff",\n  {"\ufeffx": 1}\n]'],
)
def test_a_byte_order_mark_inside_the_text_takes_no_column_as_in_yaml(text: str) -> None:
    """PyYAML's reader does not count U+FEFF in a column (found by the generated test above)."""
    _same(text)
