"""The question as the web form carries it: parsing, validation and the check it asks for.

A :class:`FormState` is what the user typed (shown again in the form, valid or not);
:func:`run_check` hands it to the check service and turns a :class:`~modelclear.service.UsageError`
into :class:`BadInput`, which the application renders as HTTP 400.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import Request

from modelclear.i18n import LANGUAGES, Translator
from modelclear.report import Report
from modelclear.service import Limits, Question, Service, UsageError

#: Longest id (and accepted-terms item) the UI takes; longer input is a usage error.
MAX_ID = 512
#: Most jurisdictions asked about at once.
MAX_JURISDICTIONS = 12
#: Most search results returned.
MAX_RESULTS = 50


class BadInput(Exception):
    """A usage error: rendered as HTTP 400 with the message ``web.error.<code>``."""

    def __init__(self, code: str, detail: str = "", **params: str) -> None:
        """``code`` names the message, ``params`` fill it, ``detail`` adds the pipeline's own words."""
        super().__init__(code)
        self.code = code
        self.detail = detail
        self.params = params

    def message(self, t: Translator) -> str:
        """The message in the translator's language."""
        return t(f"web.error.{self.code}", **self.params)


@dataclass(frozen=True)
class FormState:
    """What the user asked, as typed (shown again in the form, valid or not)."""

    id: str = ""
    jurisdictions: tuple[str, ...] = ()
    activity: str = "deploy"
    purpose: str = "commercial"
    accepted: str = ""
    obtained_on: str = ""
    lang: str = "en"
    domicile: str = ""

    def query(self, **override: str) -> str:
        """The query string that asks this question again (``override`` replaces fields)."""
        pairs: list[tuple[str, str]] = [("id", self.id)]
        pairs += [("jurisdiction", j) for j in self.jurisdictions]
        pairs += [("activity", self.activity), ("purpose", self.purpose)]
        if self.accepted:
            pairs.append(("accepted", self.accepted))
        if self.obtained_on:
            pairs.append(("obtained_on", self.obtained_on))
        if self.domicile:
            pairs.append(("domicile", self.domicile))
        pairs.append(("lang", self.lang))
        pairs = [(k, override.get(k, v)) for k, v in pairs]
        return urlencode(pairs)

    def accepted_items(self) -> list[str]:
        """The accepted terms as a list (comma- or space-separated in the form)."""
        return [x for x in self.accepted.replace(",", " ").split() if x]


def lang_of(request: Request) -> str:
    """The requested language, or English when it is missing or unsupported."""
    lang = request.query_params.get("lang", "en")
    return lang if lang in LANGUAGES else "en"


def form_state(request: Request) -> FormState:
    """The question in a request's query string (``jurisdiction`` repeated or comma-separated)."""
    q = request.query_params
    jurisdictions: list[str] = []
    for value in q.getlist("jurisdiction"):
        for part in value.split(","):
            code = part.strip().upper()
            if code and code not in jurisdictions:
                jurisdictions.append(code)
    accepted = " ".join(q.getlist("accepted")).strip()
    return FormState(
        id=q.get("id", "").strip(),
        jurisdictions=tuple(jurisdictions),
        activity=q.get("activity", "").strip() or "deploy",
        purpose=q.get("purpose", "").strip() or "commercial",
        accepted=accepted,
        obtained_on=q.get("obtained_on", "").strip(),
        lang=q.get("lang", "").strip() or "en",
        domicile=q.get("domicile", "").strip()[:40],
    )


#: The web UI's bounds on a question.
LIMITS = Limits(max_id=MAX_ID, max_jurisdictions=MAX_JURISDICTIONS)


def question(form: FormState) -> Question:
    """The form's question for the check service."""
    return Question(id=form.id, jurisdictions=form.jurisdictions, activity=form.activity, purpose=form.purpose,
                    accepted=tuple(form.accepted_items()), obtained_on=form.obtained_on or None, lang=form.lang,
                    domicile=form.domicile or None)


def run_check(form: FormState, service: Service) -> Report:
    """Validate the question and assess the artifact in each jurisdiction asked about (:class:`BadInput` if bad)."""
    try:
        return service.check(question(form), LIMITS)
    except UsageError as exc:
        raise BadInput(exc.code, exc.detail, **exc.params) from None
