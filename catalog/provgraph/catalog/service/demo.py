"""The demo catalog: ride-sharing fraud detection, loaded through the ordinary event path.

Raw tables with PII columns -> cleaned tables -> rider-risk features -> two training sets ->
two model versions -> staging and production deployments. In March the cleaning and labelling
jobs change version and v2 replaces v1 in production, so lineage as of February and as of now
tell different, both correct, stories.

The governance story is true: production serves certified features whose source data passes
its quality checks, so it is compliant; one deliberate violation is there to be found — growth
reuses `trips_7d`, computed under the riders' consent for fraud detection only, to train and
stage a `rider-promo` marketing model.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from provgraph.catalog.model.events import (
    AssertionSpec,
    CatalogEvent,
    ClassificationChanged,
    ColumnRef,
    DatasetRef,
    DatasetRegistered,
    DeploymentRecorded,
    FeatureDefined,
    FeatureRef,
    FeatureStatusChanged,
    FieldSpec,
    InputSpec,
    JobSpec,
    ModelVersionRegistered,
    OutputSpec,
    QualitySpec,
    RunRecorded,
    TrainingSetCreated,
    TransformationSpec,
)
from provgraph.catalog.model.kinds import NodeKind
from provgraph.catalog.model.urn import Urn
from provgraph.catalog.service.catalog import Catalog
from provgraph.catalog.service.writer import Submission

ACTOR = "demo-loader"
RIDES_DB = "postgres://rides-db:5432"
LAKE = "s3://rides-lake"
EVENTS = "kafka://rides-events:9092"
MODEL = "fraud-detector"


def _t(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


def _run_id(name: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"provgraph-demo/{name}")


def _digest(name: str) -> str:
    return "sha256:" + hashlib.sha256(name.encode()).hexdigest()


def _f(name: str, type_: str, *tags: str, description: str | None = None) -> FieldSpec:
    return FieldSpec(name=name, type=type_, classifications=list(tags), description=description)


def _col(namespace: str, name: str, field: str, *how: TransformationSpec) -> ColumnRef:
    return ColumnRef(namespace=namespace, name=name, field=field, transformations=list(how))


def _direct(subtype: str, *, masking: bool = False) -> TransformationSpec:
    return TransformationSpec(type="DIRECT", subtype=subtype, masking=masking)


_IDENTITY = _direct("IDENTITY")
_COMPUTED = _direct("TRANSFORMATION")
_HASHED = _direct("TRANSFORMATION", masking=True)
_JOINED = TransformationSpec(type="INDIRECT", subtype="JOIN")


TRIPS_ENRICHED = "curated.trips_enriched"
FRAUD_LABELS = "curated.fraud_labels"


def _raw_datasets() -> list[CatalogEvent]:
    return [
        DatasetRegistered(
            event_time=_t("2026-01-05T08:00:00"),
            namespace=RIDES_DB,
            name="public.riders",
            description="One row per registered rider.",
            owners=["team:rider-platform"],
            fields=[
                _f("rider_id", "bigint"),
                _f("email", "varchar", "pii.email"),
                _f("phone", "varchar", "pii.phone"),
                _f("full_name", "varchar", "pii.name"),
                _f("signup_ts", "timestamp"),
                _f("home_city", "varchar"),
            ],
        ),
        DatasetRegistered(
            event_time=_t("2026-01-05T08:00:00"),
            namespace=RIDES_DB,
            name="public.trips",
            description="One row per completed trip.",
            owners=["team:rider-platform"],
            fields=[
                _f("trip_id", "bigint"),
                _f("rider_id", "bigint"),
                _f("driver_id", "bigint"),
                _f("pickup_lat", "double", "pii.location"),
                _f("pickup_lon", "double", "pii.location"),
                _f("fare_amount", "decimal(10,2)"),
                _f("card_last4", "char(4)", "pii.financial"),
                _f("trip_ts", "timestamp"),
            ],
        ),
        DatasetRegistered(
            event_time=_t("2026-01-05T08:00:00"),
            namespace=EVENTS,
            name="payments.chargebacks",
            description="Chargeback notifications from the card processor.",
            fields=[
                _f("trip_id", "bigint"),
                _f("chargeback_ts", "timestamp"),
                _f("reason", "varchar"),
            ],
        ),
    ]


def _disputes() -> DatasetRegistered:
    return DatasetRegistered(
        event_time=_t("2026-02-20T08:00:00"),
        namespace=EVENTS,
        name="payments.disputes",
        description="All payment disputes (chargebacks and refunds), replacing chargebacks.",
        fields=[_f("trip_id", "bigint"), _f("opened_ts", "timestamp"), _f("kind", "varchar")],
    )


def _clean_trips(version: str, run: str, day: str, *, extra_field: bool) -> RunRecorded:
    fields = [
        _f("trip_id", "bigint"),
        _f("rider_id", "bigint"),
        _f("email_hash", "varchar", description="sha256 of the normalised email"),
        _f("fare_amount", "decimal(10,2)"),
        _f("pickup_city", "varchar"),
        _f("rider_tenure_days", "int"),
        _f("trip_ts", "timestamp"),
    ]
    # trips join riders on rider_id (INDIRECT: it decides which rows meet, carries no values);
    # the email reaches email_hash only through sha256 (masking: the evidence that blocks
    # pii.email there)
    join = [_col(RIDES_DB, "public.trips", "rider_id", _JOINED)]
    lineage = {
        "trip_id": [_col(RIDES_DB, "public.trips", "trip_id", _IDENTITY)],
        "rider_id": [_col(RIDES_DB, "public.trips", "rider_id", _IDENTITY)],
        "email_hash": [_col(RIDES_DB, "public.riders", "email", _HASHED), *join],
        "fare_amount": [_col(RIDES_DB, "public.trips", "fare_amount", _IDENTITY)],
        "pickup_city": [
            _col(RIDES_DB, "public.trips", "pickup_lat", _COMPUTED),
            _col(RIDES_DB, "public.trips", "pickup_lon", _COMPUTED),
        ],
        "rider_tenure_days": [
            _col(RIDES_DB, "public.riders", "signup_ts", _COMPUTED),
            _col(RIDES_DB, "public.trips", "trip_ts", _COMPUTED),
            *join,
        ],
        "trip_ts": [_col(RIDES_DB, "public.trips", "trip_ts", _IDENTITY)],
    }
    if extra_field:
        fields.append(_f("card_risk_bucket", "int"))
        lineage["card_risk_bucket"] = [_col(RIDES_DB, "public.trips", "card_last4", _COMPUTED)]
    return RunRecorded(
        event_time=_t(day),
        started_at=_t(day.replace("T02", "T01")),
        run_id=_run_id(run),
        job=JobSpec(
            namespace="spark://etl-cluster",
            name="clean_trips",
            version=version,
            source_code_location="git@example.com:rides/etl.git#jobs/clean_trips.py",
        ),
        inputs=[
            InputSpec(namespace=RIDES_DB, name="public.trips"),
            InputSpec(namespace=RIDES_DB, name="public.riders"),
        ],
        outputs=[
            OutputSpec(
                namespace=LAKE,
                name=TRIPS_ENRICHED,
                fields=fields,
                column_lineage=lineage,
                quality=QualitySpec(
                    row_count=1_250_000,
                    assertions=[
                        AssertionSpec(assertion="not_null", success=True, column="trip_id"),
                        AssertionSpec(assertion="not_null", success=True, column="rider_id"),
                        AssertionSpec(assertion="fare_non_negative", success=True),
                    ],
                ),
            )
        ],
    )


def _label_run(version: str, run: str, day: str, source: str, source_field: str) -> RunRecorded:
    return RunRecorded(
        event_time=_t(day),
        run_id=_run_id(run),
        job=JobSpec(namespace="spark://etl-cluster", name="label_fraud", version=version),
        inputs=[
            InputSpec(namespace=LAKE, name=TRIPS_ENRICHED),
            InputSpec(namespace=EVENTS, name=source),
        ],
        outputs=[
            OutputSpec(
                namespace=LAKE,
                name=FRAUD_LABELS,
                fields=[_f("trip_id", "bigint"), _f("is_fraud", "boolean")],
                column_lineage={
                    "trip_id": [_col(LAKE, TRIPS_ENRICHED, "trip_id")],
                    "is_fraud": [_col(EVENTS, source, source_field)],
                },
            )
        ],
    )


def _features(day: str, fare_window: str) -> list[CatalogEvent]:
    def feature(
        name: str, sources: list[str], transformation: str, **extra: object
    ) -> FeatureDefined:
        return FeatureDefined(
            event_time=_t(day),
            group="rider_risk",
            name=name,
            entity="rider",
            owners=["team:trust-and-safety"],
            sources=[_col(LAKE, TRIPS_ENRICHED, s) for s in sources],
            transformation=transformation,
            **extra,
        )

    return [
        feature(
            "trips_7d",
            ["rider_id", "trip_id", "trip_ts"],
            "count(trip_id) over 7d by rider_id",
            dtype="int",
            description="Trips taken in the last 7 days.",
        ),
        feature(
            "avg_fare",
            ["rider_id", "fare_amount"],
            f"avg(fare_amount) over {fare_window} by rider_id",
            dtype="float",
            description=f"Mean fare over {fare_window}.",
        ),
        feature(
            "email_domain_risk",
            ["email_hash"],
            "lookup(domain_risk, email_hash)",
            dtype="float",
            description="Risk score of the email domain.",
        ),
        feature(
            "pickup_city_entropy",
            ["rider_id", "pickup_city"],
            "entropy(pickup_city) over 30d",
            dtype="float",
            description="How spread out a rider's pickups are.",
        ),
        feature(
            "rider_tenure_days",
            ["rider_tenure_days"],
            "max(rider_tenure_days)",
            dtype="int",
            description="Days since the rider signed up.",
        ),
    ]


_FEATURES = [
    "trips_7d",
    "avg_fare",
    "email_domain_risk",
    "pickup_city_entropy",
    "rider_tenure_days",
]


def _certify(day: str) -> list[CatalogEvent]:
    """Trust and safety reviews the features: certified, and `trips_7d` is computed under the
    riders' consent for fraud detection only."""
    return [
        *(
            FeatureStatusChanged(
                event_time=_t(day),
                urn=f"urn:provgraph:feature:rider_risk:{name}",
                status="certified",
                reason="reviewed by trust-and-safety",
            )
            for name in _FEATURES
        ),
        ClassificationChanged(
            event_time=_t(day),
            urn="urn:provgraph:feature:rider_risk:trips_7d",
            tag="consent:fraud_detection",
        ),
    ]


def _promo_violation() -> list[CatalogEvent]:
    """The deliberate violation: growth reuses the consent-scoped `trips_7d` to train a
    marketing model and serves it in staging."""
    return [
        TrainingSetCreated(
            event_time=_t("2026-04-02T09:00:00"),
            name="rider_promo_train",
            features=[FeatureRef(group="rider_risk", name="trips_7d")],
            manifest={"window_start": "2026-01-01", "window_end": "2026-03-31", "seed": 3},
        )
    ]


def _promo_model(training_set: str) -> list[CatalogEvent]:
    version = ModelVersionRegistered(
        event_time=_t("2026-04-03T09:00:00"),
        model="rider-promo",
        artifact_digest=_digest("rider-promo-v1"),
        label="v1",
        training_set=training_set,
        framework="torch",
        metrics={"auc": 0.71},
        purpose="marketing",
        stage="staging",
        owners=["team:growth"],
    )
    deploy = DeploymentRecorded(
        event_time=_t("2026-04-04T10:00:00"),
        environment="staging",
        name="rider-promo",
        model_version=str(
            Urn(NodeKind.MODEL, "rider-promo").with_version(_digest("rider-promo-v1")[7:23])
        ),
        endpoint="https://staging.ml.rides.example/promo",
        purpose="marketing",
    )
    return [version, deploy]


def _train(tag: str, day: str, train_day: str, window: tuple[str, str]) -> list[CatalogEvent]:
    training_set = TrainingSetCreated(
        event_time=_t(day),
        name=f"fraud_train_{tag}",
        features=[FeatureRef(group="rider_risk", name=n) for n in _FEATURES],
        sources=[DatasetRef(namespace=LAKE, name=FRAUD_LABELS)],
        manifest={
            "window_start": window[0],
            "window_end": window[1],
            "split": "80/20",
            "seed": 7,
            "label": "is_fraud",
        },
    )
    run = RunRecorded(
        event_time=_t(train_day),
        run_id=_run_id(f"train-{tag}"),
        job=JobSpec(
            namespace="torch://training", name="fraud_detector_train", version=f"git:{tag}"
        ),
        inputs=[InputSpec(namespace=LAKE, name=FRAUD_LABELS)],
    )
    return [training_set, run]


def _model(tag: str, day: str, auc: float, training_set: str, stage: str) -> ModelVersionRegistered:
    return ModelVersionRegistered(
        event_time=_t(day),
        model=MODEL,
        artifact_digest=_digest(f"fraud-detector-{tag}"),
        label=tag,
        training_set=training_set,
        training_run_id=_run_id(f"train-{tag}"),
        framework="torch",
        params={"hidden": 64, "epochs": 20, "lr": 0.001},
        metrics={"auc": auc},
        purpose="fraud_detection",
        stage=stage,
        owners=["team:trust-and-safety"],
    )


def model_version_urn(tag: str) -> str:
    return str(Urn(NodeKind.MODEL, MODEL).with_version(_digest(f"fraud-detector-{tag}")[7:23]))


def _deploy(environment: str, day: str, tag: str) -> DeploymentRecorded:
    return DeploymentRecorded(
        event_time=_t(day),
        environment=environment,
        name=MODEL,
        model_version=model_version_urn(tag),
        endpoint=f"https://{environment}.ml.rides.example/fraud",
        purpose="fraud_detection",
        owners=["team:trust-and-safety", "team:ml-platform"],
    )


def _pipeline_v1() -> list[CatalogEvent]:
    return [
        _clean_trips("git:3f2a1c9", "clean-1", "2026-01-10T02:00:00", extra_field=False),
        _label_run(
            "git:a11ce00", "label-1", "2026-01-10T03:00:00", "payments.chargebacks", "reason"
        ),
        *_features("2026-01-12T09:00:00", "30d"),
        *_certify("2026-01-13T09:00:00"),
        *_train("v1", "2026-01-15T09:00:00", "2026-01-16T09:00:00", ("2025-07-01", "2025-12-31")),
    ]


def _pipeline_v2() -> list[CatalogEvent]:
    return [
        _clean_trips("git:9b7e004", "clean-2", "2026-03-01T02:00:00", extra_field=True),
        _label_run("git:b0b5eed", "label-2", "2026-03-01T03:00:00", "payments.disputes", "kind"),
        *_features("2026-03-03T09:00:00", "14d"),
        *_train("v2", "2026-03-05T09:00:00", "2026-03-06T09:00:00", ("2025-09-01", "2026-02-28")),
    ]


TrainingSetLookup = Callable[[str], str]
"""Name of a training set -> URN of its newest version (URNs are content-derived)."""


def demo_phases() -> list[Callable[[TrainingSetLookup], list[CatalogEvent]]]:
    """The demo in five batches; later batches name training sets that earlier ones created."""
    return [
        lambda _: _raw_datasets() + _pipeline_v1(),
        lambda find: [
            _model("v1", "2026-01-18T09:00:00", 0.91, find("fraud_train_v1"), "production"),
            _deploy("staging", "2026-01-20T10:00:00", "v1"),
            _deploy("production", "2026-01-25T10:00:00", "v1"),
        ],
        lambda _: [_disputes(), *_pipeline_v2()],
        lambda find: [
            _model("v2", "2026-03-07T09:00:00", 0.93, find("fraud_train_v2"), "production"),
            _deploy("staging", "2026-03-08T10:00:00", "v2"),
            _deploy("production", "2026-03-15T10:00:00", "v2"),
            *_promo_violation(),
        ],
        lambda find: _promo_model(find("rider_promo_train")),
    ]


def load_demo(catalog: Catalog) -> int:
    """Submit the demo through the normal write path; returns how many events were new."""
    added = 0
    for phase in demo_phases():
        events = phase(catalog.newest_training_set)
        receipts = catalog.submit([Submission(event) for event in events], actor=ACTOR)
        added += sum(not r.duplicate for r in receipts)
    return added
