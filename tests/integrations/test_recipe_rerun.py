"""Issue 17.16: the recipe says where the training code is and how to run it again, and a
re-run of the job that wrote the training data, with the same bytes, is not a change."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

from openlineage.client.event_v2 import OutputDataset
from openlineage.client.facet_v2 import schema_dataset

from provgraph.client import Client, Recipe
from provgraph.integrations.run_events import as_json, run_event
from provgraph.integrations.torch import training_run
from tests.integrations import model_side
from tests.support.server import RunningServer, serving

FEATURES = [f"{model_side.GROUP}:trips_30d", f"{model_side.GROUP}:avg_fare"]
SCHEMA = ["rider_id", "trips_30d", "avg_fare", "email_domain_risk", "is_fraud"]
REPOSITORY = Path(__file__).resolve().parents[2]


def _train(server: RunningServer, table: Path, artifact: Path, *, epochs: int) -> str:
    with training_run(
        model="rerun-scorer", purpose="fraud_detection", features=FEATURES, url=server.url
    ) as run:
        data = run.load_features(table, label="is_fraud", split=0.75, seed=4)
        model = model_side.Scorer(width=len(FEATURES))
        model_side.train(model, data.train, epochs=epochs, seed=4)
        return run.save(model, artifact)


def _job_writes_the_table(client: Client) -> None:
    """The feature job runs (again): a tracked run writes a new version of the table."""
    schema = schema_dataset.SchemaDatasetFacet(
        fields=[schema_dataset.SchemaDatasetFacetFields(name=n, type="double") for n in SCHEMA]
    )
    output = OutputDataset(
        namespace=model_side.TABLE[0], name=model_side.TABLE[1], facets={"schema": schema}
    )
    run_id = str(uuid.uuid4())
    client.send_openlineage(
        [
            as_json(
                run_event(
                    event_type=kind, run_id=run_id, job=("jobs", "rider_features"), outputs=[output]
                )
            )
            for kind in ("START", "COMPLETE")
        ]
    )


def _written(recipe: Recipe) -> str:
    """The version of the table the training set read: the one a run of the job wrote."""
    return next(d.urn for d in recipe.datasets if d.produced_by is not None)


def test_a_byte_identical_rerun_of_the_data_is_not_a_change(tmp_path: Path) -> None:
    with serving(tmp_path / "catalog") as catalog:
        client = Client(catalog.url)
        client.submit(model_side.catalog_events())
        table = model_side.write_table(tmp_path / "features.parquet", seed=3)
        _job_writes_the_table(client)
        first = _train(catalog, table, tmp_path / "first.pt", epochs=2)
        _job_writes_the_table(client)  # the job runs again and writes the same bytes
        second = _train(catalog, table, tmp_path / "second.pt", epochs=1)
        unchanged = client.recipe(first)
        read_first, read_second = (_written(client.recipe(u)) for u in (first, second))
        assert read_first != read_second, "two versions of the table: one per run of the job"
        _job_writes_the_table(client)  # once more: bytes nobody has read yet
        unknown = client.recipe(first)
    assert [c.kind for c in unchanged.changes] == [], "the same bytes again are no change"
    drawn = {c.subject for c in unknown.changes if c.kind == "newer_dataset_version"}
    assert read_first in drawn, "a newer version nothing read may differ"


def test_the_recipe_says_where_the_code_is_and_how_to_run_it_again(tmp_path: Path) -> None:
    with serving(tmp_path / "catalog") as catalog:
        client = Client(catalog.url)
        client.submit(model_side.catalog_events())
        table = model_side.write_table(tmp_path / "features.parquet")
        urn = _train(catalog, table, tmp_path / "model.pt", epochs=1)
        recipe = client.recipe(urn)
        asked = client.graphql(
            "query($u: ID!) { node(urn: $u) { ... on ModelVersion { recipe "
            "{ codeLocation entryPoint rerun } } } }",
            {"u": urn},
        )["node"]["recipe"]
        printed = subprocess.run(
            [sys.executable, "-m", "provgraph.server.cli", "reproduce", urn, "--url", catalog.url],
            capture_output=True,
            text=True,
            timeout=60,
        )
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=REPOSITORY, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert recipe.code_location == str(REPOSITORY)
    assert recipe.entry_point is not None and recipe.rerun is not None
    assert recipe.rerun.startswith(f"cd {REPOSITORY} && git checkout {commit} && python ")
    assert recipe.rerun.endswith(recipe.entry_point.removeprefix("-m ")), recipe.rerun
    assert asked == {
        "codeLocation": recipe.code_location,
        "entryPoint": recipe.entry_point,
        "rerun": recipe.rerun,
    }
    assert printed.returncode == 0, printed.stderr
    assert f"  code at      {REPOSITORY}" in printed.stdout
    assert f"  rerun        {recipe.rerun}" in printed.stdout
