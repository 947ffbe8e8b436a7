"""Great Expectations validations recorded in the real server: SUMMARY form, linked to the
dataset version validated, and not one sample value in the catalog."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

pytest.importorskip("great_expectations")

from provgraph.integrations.emitter import discard
from provgraph.integrations.great_expectations import validate
from provgraph.integrations.great_expectations.summary import summarize
from tests.support.server import RunningServer, serving

SECRET = "zelda.secret-person@example.org"

QUALITY = """
query($ns: String!, $name: String!) {
  dataset(namespace: $ns, name: $name) {
    latestVersion { urn qualityResults { success rowCount assertions columnMetrics observedBy } }
  }
}"""


def test_great_expectations_imports_beside_pyspark() -> None:
    """The known trap: without pyspark's Connect extras `import great_expectations` exits
    silently mid-import; the extras pin them, so it imports in the extra's environment."""
    done = subprocess.run(
        [sys.executable, "-c", "import pyspark, great_expectations as gx; print(gx.__version__)"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "1.24.1"


@pytest.fixture(scope="module")
def catalog_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("gx-catalog") / "data"


@pytest.fixture(scope="module")
def gx_server(catalog_dir: Path) -> Iterator[RunningServer]:
    with serving(catalog_dir) as running:
        yield running


def suite(name: str, *, max_age: int = 35) -> Any:
    import great_expectations as gx

    from provgraph.integrations.great_expectations.validation import gx_context

    gx_context()  # GX builds suites in its active context
    expect: Any = gx.expectations
    suite = gx.ExpectationSuite(name=name)
    suite.add_expectation(expect.ExpectColumnValuesToNotBeNull(column="email"))
    suite.add_expectation(expect.ExpectColumnValuesToMatchRegex(column="email", regex=r"^[a-c].*"))
    suite.add_expectation(
        expect.ExpectColumnValuesToBeBetween(column="age", min_value=0, max_value=max_age)
    )
    suite.add_expectation(expect.ExpectColumnMaxToBeBetween(column="age", max_value=200))
    return suite


def test_a_pandas_validation_is_recorded_in_summary_form_without_values(
    gx_server: RunningServer, catalog_dir: Path
) -> None:
    import pandas as pd  # type: ignore[import-untyped]

    df = pd.DataFrame({"email": ["ann@example.com", SECRET, None], "age": [20, 41, 30]})
    result = validate(df, suite("users"), dataset=("file", "/lake/users"), url=gx_server.url)
    assert result.success is False

    answer = httpx.post(
        f"{gx_server.url}/graphql",
        json={"query": QUALITY, "variables": {"ns": "file", "name": "/lake/users"}},
        timeout=30,
    ).json()
    [check] = answer["data"]["dataset"]["latestVersion"]["qualityResults"]
    assert check["success"] is False
    assert check["rowCount"] == 3
    assert check["columnMetrics"] == {"email": {"nullCount": 1}}
    assert [(a["assertion"], a["success"], a["column"]) for a in check["assertions"]] == [
        ("expect_column_values_to_not_be_null", False, "email"),
        ("expect_column_values_to_match_regex", False, "email"),
        ("expect_column_values_to_be_between", False, "age"),
        ("expect_column_max_to_be_between", True, "age"),
    ]
    # not one sample value anywhere in the catalog: the log, the graph, the search index
    for path in catalog_dir.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert SECRET.encode() not in data, path


def test_the_summary_keeps_counts_and_drops_every_value() -> None:
    document = {
        "success": False,
        "suite_name": "s",
        "statistics": {"evaluated_expectations": 1, "successful_expectations": 0},
        "results": [
            {
                "success": False,
                "expectation_config": {
                    "type": "expect_column_values_to_be_in_set",
                    "kwargs": {"column": "email", "value_set": [SECRET]},
                },
                "result": {
                    "element_count": 2,
                    "unexpected_count": 1,
                    "partial_unexpected_list": [SECRET],
                    "unexpected_list": [SECRET],
                    "observed_value": SECRET,
                    "details": {"value_counts": [{"value": SECRET, "count": 1}]},
                },
            }
        ],
    }
    summary = summarize(document)
    assert SECRET not in repr(summary)
    assert summary.outcomes[0].counts == {"element_count": 2.0, "unexpected_count": 1.0}
    assert summary.outcomes[0].column == "email"


def test_an_unreachable_catalog_never_fails_the_validation() -> None:
    import pandas as pd

    from tests.support.ports import free_port

    df = pd.DataFrame({"email": ["ann@example.com"], "age": [20]})
    down = f"http://127.0.0.1:{free_port()}"
    result = validate(
        df,
        suite("down"),
        dataset=("file", "/lake/x"),
        url=down,
        wait=0.5,
    )
    assert result.success is True
    discard(down)  # this catalog never comes back: later flushes must not wait for it
