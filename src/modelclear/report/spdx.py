"""``--format spdx``: SPDX 3.0.1 JSON-LD with the AI and Dataset profiles, built with ``spdx-python-model``.

* Models are ``ai_AIPackage`` (``software_primaryPurpose: model``), datasets
  ``dataset_DatasetPackage`` (``data``), Python packages ``software_Package`` (``library``); every node
  of every lineage becomes a package once.
* Relationships: ``trainedOn`` (model → its training datasets), ``ancestorOf`` (base model → the model
  derived from it), ``hasDeclaredLicense`` (the artifact's licence) and ``hasConcludedLicense`` (the
  licence in force for the scenario), both to ``simplelicensing_LicenseExpression`` elements; a licence
  that is not on the SPDX list becomes ``LicenseRef-modelclear-<id>`` mapped to its URL with
  ``simplelicensing_customIdToUri``. A scan adds the project as a package that ``dependsOn`` what it loads.
* ``dataset_datasetAvailability``: ``clickthrough`` when the dataset is obtained by accepting terms
  (a registration or click-through form, or a gated repository); ``directDownload`` for an ungated
  Hugging Face dataset; omitted when not recorded or not released. ``dataset_datasetType`` is
  ``noAssertion`` (required; the knowledge base records no modality).
* The verdicts are ``review`` annotations on each package, one per jurisdiction, with the layers and
  the gate's decision.
"""

from __future__ import annotations

import json
import re
from typing import Any

from modelclear import __version__
from modelclear.lineage import walk
from modelclear.model import Artifact, Assessment, Kind, LineageNode
from modelclear.report import Report
from modelclear.report.data import artifact_id, grouped, translator
from modelclear.report.view import content_uuid, gate_item, is_spdx, sbom_timestamp

CONTEXT_URL = "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"


def _licence_ref(lid: str) -> str:
    return "LicenseRef-modelclear-" + (re.sub(r"[^A-Za-z0-9.\-]+", "-", lid).strip("-") or "unknown")


def _creation_order(element: Any) -> tuple[int, str]:
    """Sort key of an element: the counter :meth:`_Builder.iri` gave its id, then the id itself."""
    sid = str(element.spdxId)
    tail = sid.rsplit("-", 1)[-1]
    return (int(tail) if tail.isdigit() else 1 << 62, sid)


def _locations(pkg: Any, scheme: str, name: str) -> None:
    """The package URL and download location of Hub repositories and PyPI packages."""
    if scheme == "hf" and "/" in name:
        pkg.software_packageUrl = f"pkg:huggingface/{name}"
        pkg.software_downloadLocation = f"https://huggingface.co/{name}"
    elif scheme == "hf-dataset" and "/" in name:
        pkg.software_downloadLocation = f"https://huggingface.co/datasets/{name}"
    elif scheme == "pypi" and name:
        pkg.software_packageUrl = f"pkg:pypi/{name.lower().replace('_', '-')}"
        pkg.software_downloadLocation = f"https://pypi.org/project/{name}/"


class _Builder:
    def __init__(self, report: Report) -> None:
        from spdx_python_model import v3_0_1 as m

        self.m = m
        self.report = report
        self.kb = report.knowledge()
        self.t = translator(report)
        self.ns = _PLACEHOLDER_NS  # replaced by a namespace derived from the content (document())
        self.objects = m.SHACLObjectSet()
        self.count = 0
        self.ci = m.CreationInfo(
            specVersion="3.0.1",
            created=sbom_timestamp(),
            comment=self.t("ui.disclaimer"),
        )
        agent = self.add(m.SoftwareAgent(spdxId=self.iri("agent"), name="modelclear", creationInfo=self.ci))
        tool = self.add(m.Tool(spdxId=self.iri("tool"), name=f"modelclear {__version__}", creationInfo=self.ci))
        self.ci.createdBy = [agent]
        self.ci.createdUsing = [tool]
        self.packages: dict[str, Any] = {}
        self.licences: dict[str, Any] = {}
        self.orgs: dict[str, Any] = {}
        self.edges: set[tuple[str, str, str]] = set()
        self.assessments: dict[str, list[Assessment]] = {}
        for key, group in grouped(report).items():
            self.assessments[key] = group
        for group in list(self.assessments.values()):
            for a in group:
                for u in a.upstream:
                    bucket = self.assessments.setdefault(artifact_id(u).lower(), [])
                    if all(x.scenario.jurisdiction != u.scenario.jurisdiction for x in bucket):
                        bucket.append(u)

    def iri(self, local: str) -> str:
        self.count += 1
        return f"{self.ns}{re.sub(r'[^A-Za-z0-9._~-]+', '-', local)}-{self.count}"

    def add(self, obj: Any) -> Any:
        return self.objects.add(obj)

    def org(self, name: str) -> Any:
        if name not in self.orgs:
            self.orgs[name] = self.add(self.m.Organization(spdxId=self.iri("org-" + name), name=name,
                                                            creationInfo=self.ci))
        return self.orgs[name]

    def licence(self, lid: str) -> Any:
        record = self.kb.license(lid)
        spdx = record.spdx if record is not None and record.spdx else lid
        custom: list[Any] = []
        if not is_spdx(spdx):
            ref = _licence_ref(record.id if record is not None else lid)
            url = record.url if record is not None and record.url else None
            custom = [self.m.DictionaryEntry(key=ref, value=url)] if url else []
            spdx = ref
        if spdx not in self.licences:
            obj = self.m.simplelicensing_LicenseExpression(
                spdxId=self.iri("license-" + spdx), creationInfo=self.ci,
                simplelicensing_licenseExpression=spdx)
            if custom:
                obj.simplelicensing_customIdToUri = custom
            if record is not None:
                obj.name = record.name
            self.licences[spdx] = self.add(obj)
        return self.licences[spdx]

    def relate(self, source: Any, rel: str, targets: list[Any], comment: str = "") -> None:
        key = (source.spdxId, rel, ",".join(sorted(t.spdxId for t in targets)))
        if key in self.edges or not targets:
            return
        self.edges.add(key)
        r = self.m.Relationship(spdxId=self.iri(f"rel-{rel}"), creationInfo=self.ci, from_=source,
                                relationshipType=getattr(self.m.RelationshipType, rel), to=targets)
        if comment:
            r.comment = comment
        self.add(r)

    def package(self, art_id: str, artifact: Artifact | None, kind_hint: Kind | None) -> Any:
        key = art_id.lower()
        if key in self.packages:
            return self.packages[key]
        m = self.m
        kind = artifact.kind if artifact else kind_hint
        scheme, _, name = art_id.partition(":")
        common: dict[str, Any] = {"spdxId": self.iri(f"{scheme}-{name}"), "creationInfo": self.ci,
                                  "name": art_id, "software_packageVersion": "unspecified"}
        if artifact is not None and artifact.name and artifact.name != name:
            common["summary"] = artifact.name
        pkg = self.typed_package(art_id, artifact, kind, common)
        _locations(pkg, scheme, name)
        if artifact is not None and artifact.publisher:
            pkg.suppliedBy = self.org(artifact.publisher)
        if artifact is not None and artifact.sources:
            pkg.externalRef = [m.ExternalRef(externalRefType=m.ExternalRefType.other, locator=[s.url],
                                             comment=f"[{s.confidence.value}] checked {s.checked.isoformat()}"
                                             + (f": {s.note}" if s.note else ""))
                               for s in artifact.sources]
        self.packages[key] = self.add(pkg)
        group = self.assessments.get(key, [])
        if artifact is not None and artifact.license:
            self.relate(pkg, "hasDeclaredLicense", [self.licence(artifact.license)])
        in_force = group[0].license_in_force if group else None
        if in_force:
            self.relate(pkg, "hasConcludedLicense", [self.licence(in_force)],
                        comment="the licence in force on the scenario's date (modelclear)")
        for a in group:
            self.annotate(pkg, a)
        return pkg

    def typed_package(self, art_id: str, artifact: Artifact | None, kind: Kind | None,
                      common: dict[str, Any]) -> Any:
        """A dataset, software or AI package, by the artifact's kind."""
        m = self.m
        if kind is Kind.DATASET:
            # the knowledge base records no modality: the type is required, so it is noAssertion
            pkg = m.dataset_DatasetPackage(
                **common, software_primaryPurpose=m.software_SoftwarePurpose.data,
                dataset_datasetType=[m.dataset_DatasetType.noAssertion])
            availability = self.availability(art_id, artifact)
            if availability:
                pkg.dataset_datasetAvailability = getattr(m.dataset_DatasetAvailabilityType, availability)
            return pkg
        if kind is Kind.PACKAGE:
            return m.software_Package(**common, software_primaryPurpose=m.software_SoftwarePurpose.library)
        pkg = m.ai_AIPackage(**common, software_primaryPurpose=m.software_SoftwarePurpose.model)
        task = artifact.facts.get("task") if artifact else None
        if isinstance(task, str):
            pkg.ai_domain = [task]
        return pkg

    def availability(self, art_id: str, artifact: Artifact | None) -> str | None:
        if artifact is None or artifact.facts.get("private") or artifact.distributed_via == "none":
            return None  # not released: no availability applies
        accepted_by_form = artifact.gated
        for tid in artifact.terms:
            record = self.kb.license(tid)
            if record is not None and record.acceptance in ("registration", "click-through"):
                accepted_by_form = True
        if accepted_by_form:
            return "clickthrough"
        if art_id.startswith("hf-dataset:") and artifact.distributed_via == "huggingface":
            return "directDownload"
        return None

    def annotate(self, pkg: Any, a: Assessment) -> None:
        t = self.t
        sc = a.scenario
        layers = "; ".join(f"{f.layer.value}: {f.status.value}" for f in a.layers)
        statement = (f"modelclear verdict — {sc.activity.value}, {sc.purpose.value}, {sc.jurisdiction}: "
                     f"{a.verdict.value} (risk {a.risk.value}). Layers: {layers}.")
        it = gate_item(self.report, a)
        if it is not None:
            statement += " Gate: " + ("waived" if it.waived else "in baseline" if it.in_baseline
                                      else "fails" if it.counted else "passes") + "."
            statement += "".join(" " + t.render(msg) for msg in it.policy_reasons)
            if it.waiver is not None:
                w = it.waiver
                statement += (f" Waiver {w.id}: {w.reason} (approved by {w.approved_by}, expires "
                              f"{w.expires.isoformat()}).")
        self.add(self.m.Annotation(spdxId=self.iri("verdict"), creationInfo=self.ci,
                                   annotationType=self.m.AnnotationType.review, subject=pkg, statement=statement))

    def lineage(self, node: LineageNode) -> Any:
        for _, n in walk(node):
            if n.cycle:
                continue
            hint = Kind.DATASET if n.relation == "trained_on" else Kind.MODEL
            parent = self.package(n.id, n.artifact, hint)
            datasets: list[Any] = []
            bases: list[Any] = []
            for child in n.children:
                child_hint = Kind.DATASET if child.relation == "trained_on" else Kind.MODEL
                target = self.package(child.id, child.artifact, child_hint)
                (datasets if child.relation == "trained_on" else bases).append((child, target))
            if datasets:
                self.relate(parent, "trainedOn", [t for _, t in datasets])
            for child, target in bases:
                self.relate(target, "ancestorOf", [parent], comment=f"relation: {child.relation}")
        return self.packages[node.id.lower()]

    def document(self) -> dict[str, Any]:
        m = self.m
        roots = []
        for group in grouped(self.report).values():
            a = group[0]
            if a.lineage is not None:
                roots.append(self.lineage(a.lineage))
            else:
                roots.append(self.package(artifact_id(a), a.artifact, a.ref.kind))
        if self.report.command == "scan":
            from pathlib import Path

            project = self.add(m.software_Package(
                spdxId=self.iri("project"), creationInfo=self.ci,
                name=Path(self.report.root).resolve().name or "project",
                software_primaryPurpose=m.software_SoftwarePurpose.application,
                comment=f"scanned by modelclear: {self.report.files_scanned} files"))
            self.relate(project, "dependsOn", roots)
            roots = [project]
        codes = ", ".join(dict.fromkeys(a.scenario.jurisdiction for a in self.report.assessments))
        doc = m.SpdxDocument(
            spdxId=self.iri("document"), creationInfo=self.ci,
            name=f"modelclear {self.report.command}: {codes}",
            profileConformance=[m.ProfileIdentifierType.core, m.ProfileIdentifierType.software,
                                m.ProfileIdentifierType.ai, m.ProfileIdentifierType.dataset,
                                m.ProfileIdentifierType.simpleLicensing],
            rootElement=roots,
            comment=f"{self.t('ui.knowledge_as_of', date=self.report.knowledge_as_of.isoformat())}. "
                    f"{self.t('ui.disclaimer')}",
        )
        # In creation order: the object set iterates in an order that depends on memory addresses.
        doc.element = sorted((o for o in self.objects.foreach() if isinstance(o, m.Element)), key=_creation_order)
        self.add(doc)
        data = m.JSONLDSerializer().serialize_data(self.objects, force_at_graph=True)
        return _reproducible(data)


_PLACEHOLDER_NS = "https://spdx.org/spdxdocs/modelclear-00000000-0000-0000-0000-000000000000/"


def _reproducible(data: dict[str, Any]) -> dict[str, Any]:
    """The document with its namespace derived from its content (the creation time left out)."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False)
    content = re.sub(r'"created": "[^"]*"', '"created": ""', text)
    ns = f"https://spdx.org/spdxdocs/modelclear-{content_uuid(content)}/"
    out: dict[str, Any] = json.loads(json.dumps(data, ensure_ascii=False).replace(_PLACEHOLDER_NS, ns))
    return out


def spdx_document(report: Report) -> dict[str, Any]:
    """The SPDX 3.0.1 JSON-LD document for a report, as data."""
    return _Builder(report).document()


class SpdxFormat:
    """SPDX 3.0.1 JSON-LD output."""

    name = "spdx"

    def render(self, report: Report) -> str:
        """The report as an SPDX 3.0.1 document."""
        return json.dumps(spdx_document(report), ensure_ascii=False, indent=2) + "\n"
