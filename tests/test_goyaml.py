"""The one YAML loader: yaml.v2's scalars, duplicate keys and the bounds on hostile input."""

from __future__ import annotations

import time

import pytest
import yaml

from supplychain import goyaml
from supplychain.errors import InputError
from supplychain.yamlio import parse_documents


def test_scalars_resolve_as_yaml_v2() -> None:
    [doc] = list(goyaml.load_all("a: 0o17\nb: +.5\nc: 0x1F\nd: 2024-01-01\ne: 1_000\nf: .inf\ng: '0o17'\nh: 012\n"))
    assert doc == {"a": 15, "b": 0.5, "c": 31, "d": "2024-01-01", "e": 1000, "f": float("inf"), "g": "0o17", "h": 10}


def test_yamlio_and_stamping_read_the_same_values() -> None:
    from supplychain.stamping.gojson import load_yaml_documents

    text = "a: 0o17\nb: +.5\nc: [y, n, on]\n"
    assert (
        parse_documents(text, "f.yaml")[0].body
        == load_yaml_documents(text)[0]
        == {"a": 15, "b": 0.5, "c": [True, False, True]}
    )


def test_duplicate_keys_name_both_lines() -> None:
    with pytest.raises(
        InputError,
        match=r"f.yaml: malformed YAML at line 3, column 3: found duplicate key 'b' "
        r"\(first at line 2\)",
    ):
        parse_documents("a:\n  b: 1\n  b: 2\n", "f.yaml")


def test_merge_keys_are_not_duplicates() -> None:
    [doc] = list(goyaml.load_all("p: &p {a: 1, b: 2}\nq: {<<: *p, b: 3}\n"))
    assert doc["q"] == {"a": 1, "b": 3}


def _bomb(levels: int) -> str:
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_fails_fast_naming_the_line() -> None:
    started = time.monotonic()
    with pytest.raises(InputError, match=r"bomb.yaml: YAML over a limit at line 7, column \d+: aliases expand"):
        parse_documents(_bomb(9), "bomb.yaml")
    assert time.monotonic() - started < 2


def test_a_small_alias_tree_is_fine() -> None:
    assert len(parse_documents(_bomb(4), "ok.yaml")[0].body["l3"]) == 9


def test_a_self_referencing_anchor_is_refused() -> None:
    with pytest.raises(InputError, match=r"line 1, column \d+: alias \*a refers to the node that contains it"):
        parse_documents("a: &a [1, *a]\n", "loop.yaml")


@pytest.mark.parametrize("text", ["[" * 20_000 + "]" * 20_000, "- " * 20_000 + "1\n", "[" * 300 + "]" * 300])
def test_deep_nesting_is_an_input_error(text: str) -> None:
    started = time.monotonic()
    with pytest.raises(InputError, match=r"deep.yaml: .* at line \d+, column \d+: .*(nesting|depth)"):
        parse_documents(text, "deep.yaml")
    assert time.monotonic() - started < 5


def test_size_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(goyaml, "MAX_BYTES", 100)
    with pytest.raises(yaml.YAMLError, match="more than the 100 read"):
        list(goyaml.load_all("a: " + "x" * 200))


def test_stamping_keeps_the_last_of_repeated_keys_as_go_does() -> None:
    from supplychain.stamping.gojson import load_yaml_documents

    assert load_yaml_documents("y: 1\non: 2\na: 3\na: 4\n") == [{True: 2, "a": 4}]


def test_written_yaml_reads_back_the_same_in_go() -> None:
    from supplychain.yamlio import dump_documents

    values = {
        "y": "y",
        "n": "n",
        "on": "on",
        "octal": "0o17",
        "half": "+.5",
        "date": "2024-01-01",
        "plain": "hello",
        "multi": "a\nb",
        "num": 5,
        "flag": True,
    }
    text = dump_documents([values])
    assert [d.body for d in parse_documents(text, "out.yaml")] == [values]


def test_numbers_out_of_float64_range_stay_strings_as_in_yaml_v2() -> None:
    [doc] = list(goyaml.load_all("big: 1e400\nsmall: -1e400\nfine: 1e300\nlong: 99999999999999999999999999\n"))
    assert doc == {"big": "1e400", "small": "-1e400", "fine": 1e300, "long": 1e26}
