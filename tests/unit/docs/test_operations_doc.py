"""docs/OPERATIONS.md lists every metric the processes export, with its labels."""

from __future__ import annotations

import re
from pathlib import Path

from prometheus_client.metrics import MetricWrapperBase

from core_service import telemetry as core_telemetry
from gateway import telemetry as gateway_telemetry

DOC = Path(__file__).resolve().parents[3] / "docs" / "OPERATIONS.md"


def exported() -> dict[str, tuple[str, ...]]:
    """Every metric of both telemetry modules: its exposed name -> its label names."""
    found: dict[str, tuple[str, ...]] = {}
    for module in (gateway_telemetry, core_telemetry):
        for metric in vars(module).values():
            if isinstance(metric, MetricWrapperBase):
                [family] = metric.describe()
                name = family.name + ("_total" if family.type == "counter" else "")
                found[name] = tuple(metric._labelnames)
    return found


def test_every_metric_is_documented_with_its_labels() -> None:
    """Each metric has a table row naming its type and each of its labels."""
    rows = {m.group(1): m.group(0) for m in re.finditer(r"^\| `(app_server_\w+)` \|.*$",
                                                          DOC.read_text(), re.MULTILINE)}
    metrics = exported()
    assert set(rows) == set(metrics)
    for name, labels in metrics.items():
        for label in labels:
            assert f"`{label}`" in rows[name], (name, label)
