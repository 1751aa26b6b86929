"""First triage of a new case from an e-mail: by rules that are data, each with its reason.

- Type and reason: the first keyword rule (TYPE_RULES, in order) whose words appear in the
  subject, else in the text; then, if the rule gave no reason, the first REASON_RULES entry
  of that type whose words appear. Nothing found: an inquiry, "not classified yet".
- Who it is about: the sender's address as a customer's billing contact, a payee, a
  distributor or one of a distributor's users; else the sender's domain when it is the
  domain of exactly one customer's contacts (free mail domains never count).
- What it is about: invoice, order and other numbers in the subject and text, found by the
  finders other apps register (`reference_finder_register`; cases cannot import them).

Every decision comes with a sentence saying why (`Triage.notes`), written on the timeline.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import models

from revdesk.parties.models import BillingContact, Customer, Distributor, Payee

from .choices import Priority

# --- rules (data) -----------------------------------------------------------------------


@dataclass(frozen=True)
class TypeRule:
    """Any of `words` (phrases; spaces also match hyphens) -> this case type and reason."""

    words: tuple[str, ...]
    case_type: str
    reason: str = ""


@dataclass(frozen=True)
class ReasonRule:
    case_type: str
    words: tuple[str, ...]
    reason: str


#: Tried in order: the specific before the general ("short paid" before "dispute").
TYPE_RULES: list[TypeRule] = [
    TypeRule(("short paid", "short payment", "short pay", "underpaid", "underpayment"),
             "short_payment"),
    TypeRule(("deduction", "deducted", "chargeback", "charge back"), "deduction"),
    TypeRule(("remittance advice", "remittance details", "remittance information",
              "payment advice", "payment remittance", "avis de paiement", "zahlungsavis"),
             "remittance_advice", "advice"),
    TypeRule(("rejected order", "order rejected", "rejected by billing"), "order_defect",
             "rejected_by_billing"),
    TypeRule(("billing code missing", "missing billing code"), "order_defect",
             "missing_billing_code"),
    TypeRule(("duplicate order",), "order_defect", "duplicate_order"),
    TypeRule(("approval escalation", "awaiting approval", "needs approval"),
             "approval_escalation"),
    TypeRule(("split credit", "policy 100", "crediting policy", "commission", "commissions"),
             "commission_claim"),
    TypeRule(("rebate", "rebates", "price protection", "ship and debit", "ship & debit"),
             "rebate_claim"),
    TypeRule(("incorrect price", "wrong price", "price difference", "prix incorrect"),
             "ar_dispute", "pricing"),
    TypeRule(("billed twice", "double billed", "duplicate invoice", "en double"), "ar_dispute",
             "duplicate_billing"),
    TypeRule(("not received", "never received", "non reçu"), "ar_dispute", "not_received"),
    TypeRule(("dispute", "disputed", "disputing", "réclamation"), "ar_dispute"),
]  # fmt: skip

REASON_RULES: list[ReasonRule] = [
    ReasonRule("short_payment", ("freight", "shipping"), "freight"),
    ReasonRule("short_payment", ("bank charge", "bank charges", "bank fee", "bank fees"),
               "bank_charges"),
    ReasonRule("short_payment", ("early payment discount", "discount"),
               "early_payment_discount"),
    ReasonRule("short_payment", ("withholding", "tax withheld", "tax"), "tax"),
    ReasonRule("short_payment", ("price", "pricing"), "pricing"),
    ReasonRule("short_payment", ("quantity",), "quantity"),
    ReasonRule("deduction", ("damaged", "damage"), "damaged"),
    ReasonRule("deduction", ("promotion", "rebate"), "promotion_rebate"),
    ReasonRule("deduction", ("shortage", "short shipped"), "shortage"),
    ReasonRule("deduction", ("return", "returns", "returned"), "returns"),
    ReasonRule("deduction", ("freight",), "freight"),
    ReasonRule("ar_dispute", ("price", "pricing", "prix"), "pricing"),
    ReasonRule("ar_dispute", ("quantity",), "quantity"),
    ReasonRule("ar_dispute", ("tax", "vat", "sales tax"), "tax"),
    ReasonRule("ar_dispute", ("damaged", "damage"), "damaged"),
    ReasonRule("ar_dispute", ("not received", "never received"), "not_received"),
    ReasonRule("ar_dispute", ("po number", "purchase order", "missing po"), "missing_po"),
    ReasonRule("ar_dispute", ("payment terms", "terms"), "terms"),
    ReasonRule("commission_claim", ("split credit", "policy 100", "crediting policy"),
               "split_credit"),
    ReasonRule("commission_claim", ("territory",), "territory_owner"),
    ReasonRule("commission_claim", ("missing", "not on my statement"), "missing_transaction"),
    ReasonRule("commission_claim", ("rate", "tier"), "wrong_rate"),
    ReasonRule("rebate_claim", ("price protection",), "price_protection"),
    ReasonRule("rebate_claim", ("ship and debit", "ship & debit"), "ship_and_debit"),
    ReasonRule("rebate_claim", ("missing",), "missing_sale"),
    ReasonRule("rebate_claim", ("rate", "tier"), "wrong_rate"),
    ReasonRule("order_defect", ("price",), "wrong_price"),
    ReasonRule("order_defect", ("incomplete", "missing"), "incomplete"),
]  # fmt: skip

#: Words that raise the priority of a new case.
URGENT_WORDS: tuple[str, ...] = ("urgent", "asap", "final notice", "legal action")

#: A sender's domain never names a customer when it is one of these.
FREE_MAIL_DOMAINS = frozenset(
    {
        "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com",
        "yahoo.com", "yahoo.co.uk", "icloud.com", "me.com", "aol.com", "proton.me",
        "protonmail.com", "gmx.com", "gmx.de", "web.de", "mail.com", "zoho.com", "yandex.ru",
        "qq.com", "163.com",
    }
)  # fmt: skip

#: Only the start of a long text is searched (a quoted thread can run to megabytes).
SEARCH_CHARS = 20_000
#: At most this many documents are linked from one message (a statement may list hundreds).
MAX_LINKS = 20


def keyword_rule_register(rule: TypeRule | ReasonRule, *, first: bool = False) -> None:
    """Add a rule (an app's own words); `first` puts a type rule before the shipped ones."""
    rules = TYPE_RULES if isinstance(rule, TypeRule) else REASON_RULES
    if first:
        rules.insert(0, rule)
    else:
        rules.append(rule)


def _phrase(words: str) -> re.Pattern:
    parts = [re.escape(w) for w in words.split()]
    return re.compile(r"(?<!\w)" + r"[\s\-]+".join(parts) + r"(?!\w)", re.IGNORECASE)


def _find(words: tuple[str, ...], text: str) -> str | None:
    for phrase in words:
        if _phrase(phrase).search(text):
            return phrase
    return None


# --- references (registered by other apps) ----------------------------------------------


@dataclass(frozen=True)
class ReferenceFinder:
    name: str
    pattern: re.Pattern
    resolve: Callable[[str], models.Model | None]


_finders: dict[str, ReferenceFinder] = {}


def reference_finder_register(
    name: str, pattern: str | re.Pattern, resolver: Callable[[str], models.Model | None]
) -> None:
    """Register a kind of document number to look for in mail (e.g. from an AppConfig.ready()).

    `pattern` finds candidates (case-insensitive when given as a string); `resolver` turns
    one match into the object to link, or None when there is no such document.
    """
    compiled = re.compile(pattern, re.IGNORECASE) if isinstance(pattern, str) else pattern
    _finders[name] = ReferenceFinder(name, compiled, resolver)


_NUMBER_PARTS = re.compile(r"^([A-Za-z]+)[\s#-]*0*(\d+)$")


def number_resolver(model: type[models.Model], field_name: str = "number"):
    """A resolver finding `model` by its document number as people write it: exact (any
    case), or the same prefix and number with the zero padding of the books
    ("inv-42" finds INV-42, INV-000042 or INV-0000042)."""

    def resolve(token: str) -> models.Model | None:
        manager = model._default_manager
        found = manager.filter(**{f"{field_name}__iexact": token}).first()
        if found is not None:
            return found
        parts = _NUMBER_PARTS.match(token.strip())
        if parts is None:
            return None
        prefix, digits = parts.group(1).upper(), parts.group(2)
        candidates = [f"{prefix}-{digits.zfill(width)}" for width in range(1, 11)]
        return manager.filter(**{f"{field_name}__in": candidates}).order_by("pk").first()

    return resolve


def reference_finders() -> list[ReferenceFinder]:
    return list(_finders.values())


def references_find(subject: str, text: str) -> tuple[list[models.Model], list[str]]:
    """(objects found, notes): every registered number in the subject, then the text."""
    found: list[models.Model] = []
    notes: list[str] = []
    unknown: list[str] = []
    seen: set[tuple[str, str]] = set()
    more = 0
    for where, source in (("subject", subject), ("text", text[:SEARCH_CHARS])):
        matches = sorted(
            (
                (match.start(), finder, match.group(0))
                for finder in _finders.values()
                for match in finder.pattern.finditer(source)
            ),
            key=lambda found_match: found_match[0],
        )  # in the order they are written
        for _, finder, token in matches:
            key = (finder.name, token.upper())
            if key in seen:
                continue
            seen.add(key)
            obj = finder.resolve(token)
            if obj is None:
                unknown.append(token)
                continue
            if any(o == obj for o in found):
                continue
            if len(found) >= MAX_LINKS:
                more += 1
                continue
            found.append(obj)
            notes.append(f"Linked {finder.name} {obj} (named in the {where}).")
    if unknown:
        notes.append(f"Not found, so not linked: {', '.join(unknown[:10])}.")
    if more:
        notes.append(f"{more} more documents were named; only the first {MAX_LINKS} are linked.")
    return found, notes


# --- who sent it ------------------------------------------------------------------------


@dataclass
class Sender:
    customer: Customer | None = None
    payee: Payee | None = None
    distributor: Distributor | None = None
    notes: list[str] = field(default_factory=list)


def sender_match(address: str) -> Sender:
    """Who the address belongs to: a customer's billing contact, a payee, a distributor (its
    own address or one of its users'), else a customer by the domain of its contacts."""
    found = Sender()
    address = (address or "").strip()
    if not address:
        return found
    contact = (
        BillingContact.objects.filter(email__iexact=address, customer__is_active=True)
        .select_related("customer")
        .order_by("-is_primary", "pk")
        .first()
    )
    if contact is not None:
        found.customer = contact.customer
        found.notes.append(
            f"Customer {contact.customer}: the sender is their billing contact {contact.name}."
        )
        return found
    payee = Payee.objects.filter(email__iexact=address).first()
    if payee is None:
        payee = Payee.objects.filter(user__email__iexact=address).first()
    if payee is not None:
        found.payee = payee
        found.notes.append(f"Payee {payee}: the sender's address is theirs.")
        return found
    distributor = Distributor.objects.filter(email__iexact=address).first()
    if distributor is None:
        user = (
            get_user_model()
            .objects.filter(email__iexact=address, profile__distributor__isnull=False)
            .select_related("profile__distributor")
            .first()
        )
        distributor = user.profile.distributor if user is not None else None
    if distributor is not None:
        found.distributor = distributor
        found.notes.append(f"Distributor {distributor}: the sender's address is theirs.")
        return found
    domain = address.rpartition("@")[2].lower()
    if not domain or domain in FREE_MAIL_DOMAINS:
        return found
    customers = list(
        Customer.objects.filter(contacts__email__iendswith=f"@{domain}", is_active=True)
        .distinct()
        .order_by("code")[:5]
    )
    if len(customers) == 1:
        found.customer = customers[0]
        found.notes.append(
            f"Customer {customers[0]}: the sender's domain {domain} is that of their contacts."
        )
    elif customers:
        names = ", ".join(str(c) for c in customers)
        found.notes.append(
            f"The sender's domain {domain} is that of several customers ({names}); none chosen."
        )
    return found


# --- the whole first triage -------------------------------------------------------------


@dataclass
class Triage:
    case_type: str = "inquiry"
    reason: str = "unclassified"
    priority: str = Priority.NORMAL
    decided: bool = False
    sender: Sender = field(default_factory=Sender)
    subjects: list[models.Model] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _type_from_words(subject: str, text: str) -> tuple[TypeRule, str, str] | None:
    for where, source in (("subject", subject), ("text", text)):
        for rule in TYPE_RULES:
            phrase = _find(rule.words, source)
            if phrase:
                return rule, phrase, where
    return None


def mail_triage(*, subject: str, text: str, sender_address: str) -> Triage:
    """Decide type, reason, priority, parties and linked documents of a new case from mail."""
    from .models import CaseType, ReasonCode

    text = text[:SEARCH_CHARS]
    result = Triage()
    labels = dict(CaseType.objects.values_list("code", "name"))
    found = _type_from_words(subject, text)
    reason_phrase = ""
    if found is not None and found[0].case_type in labels:
        rule, phrase, where = found
        result.case_type, result.reason, result.decided = rule.case_type, rule.reason, True
        result.notes.append(
            f"Type {labels[rule.case_type]} from the words '{phrase}' in the {where}."
        )
        reason_phrase = phrase if rule.reason else ""
        for reason_rule in REASON_RULES if not rule.reason else ():
            if reason_rule.case_type == rule.case_type:
                reason_phrase = _find(reason_rule.words, f"{subject}\n{text}") or ""
                if reason_phrase:
                    result.reason = reason_rule.reason
                    break
    else:
        result.notes.append(
            "Type Inquiry, not classified yet: no words of a known kind of case were found."
        )
    if result.decided and result.reason:
        label = (
            ReasonCode.objects.filter(case_type__code=result.case_type, code=result.reason)
            .values_list("label", flat=True)
            .first()
        )
        if label is None:
            result.reason = ""
        else:
            result.notes.append(f"Reason {label} from the words '{reason_phrase}'.")
    urgent = _find(URGENT_WORDS, f"{subject}\n{text[:2000]}")
    if urgent:
        result.priority = Priority.HIGH
        result.notes.append(f"Priority high from the word '{urgent}'.")
    result.sender = sender_match(sender_address)
    result.notes.extend(result.sender.notes)
    result.subjects, notes = references_find(subject, text)
    result.notes.extend(notes)
    return result
