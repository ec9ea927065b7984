"""core_service.config.tables: key paths, setting, merging, lookups and versions of TOML data."""

from __future__ import annotations

from core_service.config.tables import (
    deep_merge,
    dotted,
    layer_version,
    lookup,
    nested,
    set_path,
    split_key,
)


def test_split_key_honours_quotes() -> None:
    """Dotted keys split on dots outside quotes; an unparsable key splits plainly."""
    assert split_key('projects."/x.y".trust_level') == ["projects", "/x.y", "trust_level"]
    assert split_key("a . b") == ["a", "b"]
    assert split_key("a..b") == ["a", "", "b"]


def test_set_path_and_nested_build_tables() -> None:
    """Setting a path creates its tables (replacing a scalar parent); later pairs win."""
    data: dict[str, object] = {"a": 1}
    set_path(data, ["a", "b"], 2)
    assert data == {"a": {"b": 2}}
    value = [1]
    table = nested([(["x", "y"], value), (["x", "z"], 3), (["x", "y"], [2])])
    assert table == {"x": {"y": [2], "z": 3}}
    assert nested([(["v"], value)])["v"] is not value


def test_deep_merge_layers_tables_without_changing_inputs() -> None:
    """The top layer wins key by key inside tables; neither input is modified."""
    base = {"t": {"a": 1, "b": 2}, "s": 1}
    top = {"t": {"b": 3}, "s": {"x": 1}}
    assert deep_merge(base, top) == {"t": {"a": 1, "b": 3}, "s": {"x": 1}}
    assert base == {"t": {"a": 1, "b": 2}, "s": 1}


def test_lookup_and_dotted() -> None:
    """Lookups tell a missing key from a present null-free value; paths print dotted."""
    assert lookup({"a": {"b": 0}}, ["a", "b"]) == (True, 0)
    assert lookup({"a": 1}, ["a", "b"]) == (False, None)
    assert dotted(("a", 0, "b")) == "a.0.b"


def test_layer_version_is_a_sha256_of_the_bytes() -> None:
    """Versions are `sha256:` plus the hex digest, equal for equal bytes."""
    assert layer_version(b"") == (
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
    assert layer_version(b"a") != layer_version(b"b")
