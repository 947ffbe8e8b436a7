"""Request bounds computed before execution: fragments once, depth exact, cost multiplied."""

from __future__ import annotations

import pytest
from graphql import parse

from provgraph.graphql.limits import (
    LIST_SIZES,
    MAX_COST,
    MAX_DEPTH,
    SATURATED,
    Budget,
    RequestTooCostlyError,
    check,
    estimate_request,
)
from provgraph.graphql.schema import schema

SCHEMA = schema._schema


def fragment_bomb(levels: int) -> str:
    """Each fragment spreads the one below it twice: 2^levels expansions when walked naively."""
    fragments = ["fragment F0 on Query { __typename }"] + [
        f"fragment F{i} on Query {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, levels + 1)
    ]
    return f"query {{ ...F{levels} }} " + " ".join(fragments)


def nested_columns(levels: int) -> str:
    return (
        '{ node(urn: "x") { ... on Column { '
        + "upstream { " * (levels - 2)
        + "name"
        + (" }" * (levels - 2))
        + " } } }"
    )


def test_a_fragment_bomb_is_analysed_once_per_fragment() -> None:
    # 2^200 expansions if fragments were walked at every spread; this finishes at once
    estimate = estimate_request(SCHEMA, parse(fragment_bomb(200)))
    assert estimate.depth == 1
    assert estimate.cost > MAX_COST  # the expansion is still counted: 2^200 __typename
    with pytest.raises(RequestTooCostlyError) as refused:
        check(SCHEMA, parse(fragment_bomb(200)))
    assert refused.value.code == "COST_LIMIT"


def test_depth_counts_field_levels_exactly() -> None:
    assert estimate_request(SCHEMA, parse(nested_columns(MAX_DEPTH))).depth == MAX_DEPTH
    unlimited_cost = Budget(max_cost=SATURATED)
    check(SCHEMA, parse(nested_columns(MAX_DEPTH)), budget=unlimited_cost)
    with pytest.raises(RequestTooCostlyError) as refused:
        check(SCHEMA, parse(nested_columns(MAX_DEPTH + 1)), budget=unlimited_cost)
    assert refused.value.code == "DEPTH_LIMIT"
    assert "exceeds maximum operation depth" in str(refused.value)


def test_cost_multiplies_list_sizes_along_paths() -> None:
    query = "query($n: Int!) { nodes(kind: DATASET, first: $n) { total items { urn } } }"
    # nodes (1) + total (1) + items (1) + n x (an item and its urn)
    assert estimate_request(SCHEMA, parse(query), variables={"n": 10}).cost == 1 + 1 + 1 + 10 * 2
    nested = "{ nodes(kind: DATASET_VERSION, first: 100) { items { ... on DatasetVersion { columns { name } } } } }"
    per_version = 1 + 1 + LIST_SIZES["columns"] * 2
    assert estimate_request(SCHEMA, parse(nested)).cost == 1 + 1 + 100 * per_version


def test_a_lineage_limit_bounds_its_nodes_and_edges() -> None:
    query = (
        '{ lineage(urn: "x", limit: 40) { ... on LineageGraph { nodes { urn } edges { kind } } } }'
    )
    assert estimate_request(SCHEMA, parse(query)).cost == 1 + (1 + 40 * 2) + (1 + 40 * 2)


def test_the_issue_query_is_refused_with_its_estimate() -> None:
    inner = "datasetVersion { columns { " * 4 + "name" + " } }" * 4
    selection = f"items {{ ... on Column {{ name {inner} }} }}"
    query = (
        "{ "
        + " ".join(f"a{i}: nodes(kind: COLUMN, first: 500) {{ {selection} }}" for i in range(30))
        + " }"
    )
    with pytest.raises(RequestTooCostlyError) as refused:
        check(SCHEMA, parse(query))
    assert refused.value.code == "COST_LIMIT"
    error = refused.value.as_graphql_error()
    assert error.extensions is not None and error.extensions["estimatedCost"] > MAX_COST
    assert "estimated cost" in error.message


def test_aliases_count_each_fragment_definition_once() -> None:
    query = "{ ...A ...A } fragment A on Query { x: __typename y: __typename }"
    assert estimate_request(SCHEMA, parse(query)).aliases == 2


def test_fragment_cycles_do_not_hang() -> None:
    query = "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }"
    assert estimate_request(SCHEMA, parse(query)).cost == 0


def test_introspection_is_costed_so_its_cycles_are_refused() -> None:
    from graphql import get_introspection_query

    # what GraphiQL sends: deep by design (type references nest 8 levels), within the budget
    full = get_introspection_query(descriptions=True, input_value_deprecation=True)
    check(SCHEMA, parse(full))
    # __Type.fields -> __Field.type -> __Type.fields ...: multiplies by each level's fields
    cyclic = "{ __schema { types { " + "fields { type { " * 4 + "name" + " } }" * 4 + " } } }"
    with pytest.raises(RequestTooCostlyError) as refused:
        check(SCHEMA, parse(cyclic))
    assert refused.value.code == "COST_LIMIT"
