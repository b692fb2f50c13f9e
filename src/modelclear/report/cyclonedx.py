"""``--format cyclonedx``: a CycloneDX 1.6 ML-BOM (JSON), built with ``cyclonedx-python-lib``.

* Models are ``machine-learning-model`` components, datasets ``data`` components, packages
  ``library`` components; ``bom-ref`` is the modelclear id.
* Training datasets: in the model's ``modelCard.modelParameters.datasets`` as ``{ref}`` to the
  dataset's component. Base models: copies in ``pedigree.ancestors`` (recursively, so a chain of
  fine-tunes shows), each with its own licence and verdict.
* purls: ``pkg:huggingface/ORG/NAME`` for Hugging Face models and ``pkg:pypi/NAME`` for packages.
  Other ids (torchvision, timm, datasets...) have no purl type that identifies them, so they get none:
  a made-up ``pkg:generic`` would pretend an identity; the modelclear id is in ``bom-ref`` and in the
  ``modelclear:id`` property.
* Licences: the declared licence (``acknowledgement: declared``) as ``license.id`` only when it is an
  SPDX-listed id, as an SPDX ``expression`` when every symbol is listed, otherwise as a named licence
  with its URL; the licence in force when it differs is added as ``concluded``.
* The verdict and layer statuses are ``properties``: ``modelclear:verdict``, ``modelclear:risk``,
  ``modelclear:layer:copyright``... (the worst across jurisdictions), plus ``...:JP`` variants when
  several jurisdictions were judged, ``modelclear:gate``, ``modelclear:waiver``,
  ``modelclear:reference`` (file:line) for a scan and ``modelclear:lock`` for an artifact judged on
  Hub facts pinned in the knowledge lock (where they come from and when they were read).

``cyclonedx-python-lib`` does not model ``modelCard`` or component ``data`` yet
(CycloneDX/cyclonedx-python-lib#912, #913): the BOM is built and serialised with the library and
those two fields are added to its JSON, which is then checked with the library's strict 1.6 validator.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from modelclear import __version__
from modelclear.lineage import tree_edges
from modelclear.model import Artifact, Assessment, Kind, LineageNode, worst
from modelclear.report import Report
from modelclear.report.data import artifact_id, grouped, jurisdictions, translator
from modelclear.report.view import content_uuid, gate_item, is_spdx, sbom_timestamp


class CycloneDXError(RuntimeError):
    """The generated BOM failed the CycloneDX schema (a bug)."""


def _evidence(artifact: Artifact | None) -> list[Any]:
    """The record's sources as evidence references (a malformed URL from an overlay is left out)."""
    from cyclonedx.model import ExternalReference, ExternalReferenceType, XsUri

    refs = []
    for s in (artifact.sources if artifact else ()):
        try:
            refs.append(ExternalReference(type=ExternalReferenceType.EVIDENCE, url=XsUri(s.url),
                                          comment=f"[{s.confidence.value}] checked {s.checked.isoformat()}"
                                                  + (f": {s.note}" if s.note else "")))
        except Exception:  # a malformed URL in an overlay: leave it out of the BOM
            continue
    return refs


def _purl(art_id: str) -> Any:
    from packageurl import PackageURL

    scheme, _, name = art_id.partition(":")
    if scheme == "hf" and "/" in name:
        org, repo = name.split("/", 1)
        return PackageURL(type="huggingface", namespace=org, name=repo)
    if scheme == "pypi" and name:
        return PackageURL(type="pypi", name=name.lower().replace("_", "-"))
    return None


def _licenses(kb: Any, declared: str | None, in_force: str | None) -> list[Any]:
    from cyclonedx.model import XsUri
    from cyclonedx.model.license import DisjunctiveLicense, LicenseAcknowledgement, LicenseExpression
    from cyclonedx.spdx import is_supported_id

    def one(lid: str, ack: Any) -> Any:
        record = kb.license(lid)
        spdx = record.spdx if record is not None and record.spdx else lid
        if is_supported_id(spdx):
            return DisjunctiveLicense(id=spdx, acknowledgement=ack)
        if " " in spdx and is_spdx(spdx):
            return LicenseExpression(spdx, acknowledgement=ack)
        name = record.name if record is not None else lid
        url = XsUri(record.url) if record is not None and record.url else None
        return DisjunctiveLicense(name=name, url=url, acknowledgement=ack)

    out = []
    if declared:
        out.append(one(declared, LicenseAcknowledgement.DECLARED))
    if in_force and in_force != declared:
        concluded = one(in_force, LicenseAcknowledgement.CONCLUDED)
        if not any(isinstance(x, LicenseExpression) for x in [*out, concluded]) or not out:
            out.append(concluded)
    return out


def _verdict_properties(report: Report, group: list[Assessment]) -> list[tuple[str, str]]:
    props = [
        ("modelclear:verdict", worst([a.verdict for a in group]).value),
        ("modelclear:risk", max((a.risk.value for a in group), key=["low", "medium", "high"].index)),
    ]
    for layer in group[0].layers:
        props.append((f"modelclear:layer:{layer.layer.value}",
                      worst([a.layer(layer.layer).status for a in group]).value))
    if len(group) > 1:
        for a in group:
            j = a.scenario.jurisdiction
            props.append((f"modelclear:verdict:{j}", a.verdict.value))
            props.append((f"modelclear:risk:{j}", a.risk.value))
            props += [(f"modelclear:layer:{f.layer.value}:{j}", f.status.value) for f in a.layers]
    for a in group:
        it = gate_item(report, a)
        if it is None:
            continue
        suffix = f":{a.scenario.jurisdiction}" if len(group) > 1 else ""
        props.append((f"modelclear:gate{suffix}", "waived" if it.waived else (
            "baseline" if it.in_baseline else ("fail" if it.counted else "pass"))))
        if it.status is not it.verdict:
            props.append((f"modelclear:policy-status{suffix}", it.status.value))
        if it.waiver is not None:
            w = it.waiver
            props.append(("modelclear:waiver", f"{w.id}; reason: {w.reason}; approved by: {w.approved_by}; "
                                               f"expires: {w.expires.isoformat()}"))
    return list(dict.fromkeys(props))


class _Builder:
    def __init__(self, report: Report) -> None:
        self.report = report
        self.kb = report.knowledge()
        self.t = translator(report)
        self.groups = grouped(report)
        self.upstream: dict[str, list[Assessment]] = {}
        for group in self.groups.values():
            for a in group:
                for u in a.upstream:
                    self.upstream.setdefault(artifact_id(u).lower(), [])
                    if all(x.scenario.jurisdiction != u.scenario.jurisdiction
                           for x in self.upstream[artifact_id(u).lower()]):
                        self.upstream[artifact_id(u).lower()].append(u)
        self.datasets: dict[str, Any] = {}  # lower id -> component
        self.model_datasets: dict[str, list[str]] = {}  # bom-ref -> dataset bom-refs
        self.data_refs: set[str] = set()
        self.tasks: dict[str, str] = {}
        self.report_refs: dict[str, list[str]] = {}
        for e in report.entries:
            if e.assessment is not None:
                self.report_refs.setdefault(artifact_id(e.assessment).lower(), []).append(
                    f"{e.reference.path}:{e.reference.line}")

    def assessments_for(self, art_id: str) -> list[Assessment]:
        key = art_id.lower()
        return self.groups.get(key) or self.upstream.get(key) or []

    def component(self, art_id: str, artifact: Artifact | None, ref: str, lineage: LineageNode | None,
                  kind_hint: Kind | None = None, tree: set[tuple[int, int]] | None = None) -> Any:
        from cyclonedx.model import Property
        from cyclonedx.model.component import Component, ComponentType, Pedigree
        from cyclonedx.model.contact import OrganizationalEntity

        kind = artifact.kind if artifact else kind_hint
        types: dict[Kind | None, Any] = {Kind.MODEL: ComponentType.MACHINE_LEARNING_MODEL,
                                         Kind.DATASET: ComponentType.DATA, Kind.PACKAGE: ComponentType.LIBRARY}
        ctype = types.get(kind, ComponentType.MACHINE_LEARNING_MODEL)
        group = self.assessments_for(art_id)
        props = [Property(name="modelclear:id", value=art_id)]
        if group:
            props += [Property(name=n, value=v) for n, v in _verdict_properties(self.report, group)]
        if artifact is None:
            props.append(Property(name="modelclear:known", value="false"))
        if artifact is not None and artifact.origin == "lock" and artifact.license_note is not None:
            props.append(Property(name="modelclear:lock", value=artifact.license_note.get(self.report.lang)))
        in_force = group[0].license_in_force if group else (artifact.license if artifact else None)
        refs = _evidence(artifact)
        name = art_id.partition(":")[2] or art_id
        comp_group = None
        if "/" in name and art_id.startswith(("hf:", "hf-dataset:")):
            comp_group, name = name.split("/", 1)
        ancestors, datasets = self.upstream_of(ref, lineage, tree)
        pedigree = Pedigree(ancestors=ancestors) if ancestors else None
        if ctype is ComponentType.MACHINE_LEARNING_MODEL:
            self.model_datasets[ref] = datasets
            task = (artifact.facts.get("task") if artifact else None)
            if isinstance(task, str):
                self.tasks[ref] = task
        if ctype is ComponentType.DATA:
            self.data_refs.add(ref)
        if art_id.lower() in self.report_refs:
            for where in self.report_refs[art_id.lower()]:
                props.append(Property(name="modelclear:reference", value=where))
        return Component(
            name=name,
            group=comp_group,
            type=ctype,
            bom_ref=ref,
            purl=_purl(art_id),
            description=artifact.name if artifact and artifact.name != name else None,
            supplier=OrganizationalEntity(name=artifact.publisher) if artifact and artifact.publisher else None,
            licenses=_licenses(self.kb, artifact.license if artifact else None, in_force),
            external_references=refs,
            properties=props,
            pedigree=pedigree,
        )

    def upstream_of(self, ref: str, lineage: LineageNode | None,
                    tree: set[tuple[int, int]] | None) -> tuple[list[Any], list[str]]:
        """A component's ancestors (as components) and its training datasets (as bom-refs)."""
        ancestors: list[Any] = []
        datasets: list[str] = []
        if lineage is None:
            return ancestors, datasets
        for index, child in enumerate(lineage.children):
            if child.cycle:
                continue
            child_kind = child.artifact.kind if child.artifact else (
                Kind.DATASET if child.relation == "trained_on" else Kind.MODEL)
            if child_kind is Kind.DATASET:
                datasets.append(self.dataset(child))
                continue
            # The lineage is a DAG: a shared ancestor's own pedigree is given once per top component,
            # under its breadth-first parent (so the nesting is no deeper than the lineage's depth bound).
            tree = tree_edges(lineage) if tree is None else tree
            expand = (id(lineage), index) in tree
            ancestors.append(self.component(child.id, child.artifact, f"{ref}|ancestor:{child.id}",
                                            child if expand else None, Kind.MODEL, tree))
        return ancestors, datasets

    def dataset(self, node: LineageNode) -> str:
        key = node.id.lower()
        if key not in self.datasets:
            self.datasets[key] = None  # reserve (cycles)
            self.datasets[key] = self.component(node.id, node.artifact, node.id, node, Kind.DATASET)
        return node.id if self.datasets[key] is None else str(self.datasets[key].bom_ref.value)

    def bom(self) -> Any:
        from cyclonedx.model import Property
        from cyclonedx.model.bom import Bom, BomMetaData
        from cyclonedx.model.component import Component, ComponentType

        codes = jurisdictions(self.report)
        top: list[Any] = []
        for key, group in self.groups.items():
            a = group[0]
            if key in self.datasets:
                continue
            comp = self.component(artifact_id(a), a.artifact, artifact_id(a), a.lineage,
                                  a.ref.kind)
            if comp.type is ComponentType.DATA:
                self.datasets[key] = comp
            else:
                top.append(comp)
        scenario = self.report.assessments[0].scenario if self.report.assessments else None
        root_name = (Path(self.report.root).resolve().name or "project") if self.report.command == "scan" \
            else "modelclear-check"
        root = Component(name=root_name, type=ComponentType.APPLICATION, bom_ref="modelclear:subject")
        meta_props = [
            Property(name="modelclear:command", value=self.report.command),
            Property(name="modelclear:jurisdictions", value=",".join(codes)),
            Property(name="modelclear:knowledge-as-of", value=self.report.knowledge_as_of.isoformat()),
            Property(name="modelclear:disclaimer", value=self.t("ui.disclaimer")),
        ]
        if scenario is not None:
            meta_props += [Property(name="modelclear:activity", value=scenario.activity.value),
                           Property(name="modelclear:purpose", value=scenario.purpose.value)]
            if scenario.accepted:
                meta_props.append(Property(name="modelclear:accepted", value=",".join(sorted(scenario.accepted))))
        g = self.report.gate
        if g is not None:
            meta_props += [Property(name="modelclear:gate:fail-on", value=g.fail_on.value),
                           Property(name="modelclear:gate:exit-code", value=str(g.exit_code))]
            meta_props += [Property(name="modelclear:gate:expired-waiver", value=w.id) for w in g.expired]
            meta_props += [Property(name="modelclear:gate:unused-waiver", value=w.id) for w in g.unused]
        from cyclonedx.contrib.this.builders import this_component as cdx_lib_component
        from cyclonedx.model.tool import ToolRepository

        tools = ToolRepository()
        tools.components.add(Component(name="modelclear", version=__version__, type=ComponentType.APPLICATION,
                                       bom_ref="modelclear:tool"))
        tools.components.add(cdx_lib_component())
        datasets = [c for c in self.datasets.values() if c is not None]
        bom = Bom(components=[*top, *datasets], metadata=BomMetaData(
            component=root, tools=tools, properties=meta_props,
            timestamp=sbom_timestamp()))
        for comp in top:
            bom.register_dependency(root, [comp])
        direct = {artifact_id(e.assessment).lower() for e in self.report.entries if e.assessment is not None}
        direct |= set(self.groups) if self.report.command == "check" else set()
        for c in datasets:
            if str(c.bom_ref.value).lower() in direct:
                bom.register_dependency(root, [c])
        return bom


def _patch(node: Any, builder: _Builder) -> None:
    """Add ``modelCard`` and ``data`` (not modelled by the library) to the serialised components."""
    if isinstance(node, dict):
        ref = node.get("bom-ref")
        if node.get("type") == "machine-learning-model" and ref in builder.model_datasets:
            params: dict[str, Any] = {}
            if ref in builder.tasks:
                params["task"] = builder.tasks[ref]
            if builder.model_datasets[ref]:
                params["datasets"] = [{"ref": d} for d in builder.model_datasets[ref]]
            if params:
                node["modelCard"] = {"modelParameters": params}
        if node.get("type") == "data" and ref in builder.data_refs:
            node["data"] = [{"type": "dataset", "name": node.get("name", ref)}]
        for value in node.values():
            _patch(value, builder)
    elif isinstance(node, list):
        for value in node:
            _patch(value, builder)


def cyclonedx_document(report: Report) -> dict[str, Any]:
    """The CycloneDX 1.6 BOM for a report, as JSON data (validated)."""
    import warnings

    from cyclonedx.output import make_outputter
    from cyclonedx.schema import OutputFormat, SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    builder = _Builder(report)
    bom = builder.bom()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        text = make_outputter(bom, OutputFormat.JSON, SchemaVersion.V1_6).output_as_string()
    doc = json.loads(text)
    _patch(doc.get("components", []), builder)
    # Reproducible: the serial number is derived from the content (timestamp and serial left out).
    content = {**doc, "serialNumber": "", "metadata": {**doc["metadata"], "timestamp": ""}}
    doc["serialNumber"] = "urn:uuid:" + content_uuid(json.dumps(content, sort_keys=True, ensure_ascii=False))
    error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(json.dumps(doc))
    if error is not None:
        raise CycloneDXError(f"generated CycloneDX BOM is invalid: {error}")
    return doc


class CycloneDXFormat:
    """CycloneDX 1.6 JSON output."""

    name = "cyclonedx"

    def render(self, report: Report) -> str:
        """The report as a CycloneDX ML-BOM."""
        return json.dumps(cyclonedx_document(report), ensure_ascii=False, indent=2) + "\n"

