"""Case pages: the team queue, my cases, a new case, the case page with its actions, the
SLA dashboard, notifications and work instructions. Thin: selectors read, services write;
every error a service raises is shown on the page, next to what caused it."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import markdown
import nh3
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Case as When_
from django.db.models import DateTimeField, IntegerField, Value, When
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from revdesk.cases import attachments, personal, queue, selectors, services, workflow
from revdesk.cases.choices import DONE_STATUSES, PRIORITY_RANK, EventKind, MemberLevel, Visibility
from revdesk.cases.filtersets import CaseFilterSet
from revdesk.cases.mail import case_reply_send
from revdesk.cases.models import (
    Case,
    CaseType,
    MailTemplate,
    Team,
    TeamMembership,
    WorkInstruction,
)
from revdesk.cases.scoping import team_ids_of
from revdesk.foundation.scoping import restrict, viewer_for
from revdesk.foundation.views import (
    DATE,
    DATETIME,
    MONEY,
    Cell,
    Column,
    person_name,
    user_has_role,
)

from . import case_forms, roles
from .claim_views import claim_panel
from .views import ListView

# --- helpers ------------------------------------------------------------------------------


def _require(user, page_roles) -> None:
    if not user_has_role(user, page_roles):
        raise Http404("No such page.")


def _case_or_404(user, number: str) -> Case:
    _require(user, roles.CASE_ROLES)
    case = selectors.case_for_user(user, number)
    if case is None:
        raise Http404("No such case among the cases you may see.")
    return case


def _sees_everything(user) -> bool:
    return user.is_superuser or viewer_for(user).sees_everything


def works_cases(user) -> bool:
    """Staff who work cases (see internal events, assign, move, edit); reps and distributor
    users see and add only the external conversation."""
    return selectors.sees_internal(user)


def instruction_editor(user, case_type: CaseType) -> bool:
    """Admins, and seniors or leaders of the type's default team, may edit its instruction."""
    if user.is_superuser or user_has_role(user, {roles.ADMIN}):
        return True
    return TeamMembership.objects.filter(
        team_id=case_type.default_team_id, user=user, level__gte=MemberLevel.SENIOR
    ).exists()


NESTED_LIST = re.compile(r"(?m)^ {2,3}(?=(?:[-*+]|\d+\.) )")


def markdown_html(text: str) -> str:
    """Markdown to HTML, cleaned (no scripts, no styles, links made safe)."""
    # a list inside a list item indented by 2 or 3 spaces (as people write it) counts as
    # nested, as it reads; Markdown itself wants 4
    text = NESTED_LIST.sub("    ", text or "")
    html = markdown.markdown(text, extensions=["tables", "sane_lists"])
    return nh3.clean(html, link_rel="noopener noreferrer nofollow")


def _errors_of(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [
            message if field == "__all__" else f"{_field_name(field)}: {message}"
            for field, field_messages in error.message_dict.items()
            for message in field_messages
        ]
    return list(error.messages)


def _field_name(field: str) -> str:
    return field.replace("_", " ").capitalize()


def _owner_name(case) -> str:
    return person_name(case.owner) if case.owner_id else "Unassigned"


def _customer_link(case) -> str | None:
    return case.customer.get_absolute_url() if case.customer_id else None


# --- queues -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BadgeCell(Cell):
    badge: str = ""


FAR_FUTURE = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)


def queue_annotate(queryset):
    """next_due (for the clock column and its sort), the priority and done ranks."""
    queryset = queue.with_next_due(queryset)
    return queryset.annotate(
        due_order=Coalesce("next_due", Value(FAR_FUTURE, output_field=DateTimeField())),
        priority_rank=When_(
            *[When(priority=p, then=Value(rank)) for p, rank in PRIORITY_RANK.items()],
            default=Value(9),
            output_field=IntegerField(),
        ),
        done_rank=When_(
            When(status__in=DONE_STATUSES, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        ),
    )


class CaseQueueView(ListView):
    """The cases of my teams (all cases for those who see everything); for people outside
    the teams (reps, distributor users), the cases they may see."""

    model = Case
    title = "Team queue"
    roles = roles.CASE_ROLES
    filterset_class = CaseFilterSet
    default_sort = "next_due"
    template_name = "web/cases/queue.html"
    fragment_template_name = "web/cases/partials/_queue_table.html"
    export_name = "cases"
    select_related = ("case_type", "team__calendar", "owner", "customer", "reason")
    # What a person acts on first stays on screen at 1360 px: the clock before the owner,
    # the type and the opening date.
    columns = (
        Column("number", "Number", sort="number", link=True),
        Column("title", "Title", sort="title", link=True),
        Column(
            "customer.name",
            "Customer",
            sort="customer__name",
            link=_customer_link,
            code="customer.code",
        ),
        Column("amount", "Amount", sort="amount", kind=MONEY, currency="currency"),
        Column("status", "Status", sort="status", display="get_status_display"),
        Column("clock.label", "Clock"),
        Column("next_due", "Next due", sort="due_order", kind=DATETIME),
        Column("priority", "Priority", sort="priority_rank", display="get_priority_display"),
        Column("owner_name", "Owner", sort="owner__first_name"),
        Column("case_type.name", "Type", sort="case_type__name", code="case_type.code"),
        Column("opened_on", "Opened", sort="opened_at", kind=DATE),
    )
    clock_column = 5

    def get(self, request, *args, **kwargs):
        if not request.GET:
            # A queue is for work still to do: open cases first; "Any" status shows them all.
            return redirect(f"{request.path}?status=open")
        if not _sees_everything(request.user) and not team_ids_of(request.user):
            self.title = "Cases"
        return super().get(request, *args, **kwargs)

    def base_queryset(self):
        cases = Case.objects.all()
        user = self.request.user
        if not _sees_everything(user):
            teams = team_ids_of(user)
            if teams:
                cases = cases.filter(team_id__in=teams)
        return cases

    def get_queryset(self):
        return queue_annotate(super().get_queryset())

    def rows_prepare(self, objects):
        queue.clocks_attach(objects)
        for case in objects:
            case.owner_name = _owner_name(case)
            case.opened_on = timezone.localtime(case.opened_at).date()

    def row(self, obj):
        cells = super().row(obj)
        clock = obj.clock
        cells[self.clock_column] = BadgeCell(clock.label, None, False, "", badge=clock.state)
        return cells

    def extra_context(self) -> dict:
        user = self.request.user
        context = super().extra_context()
        context.update(
            saved_views=list(user.case_views.all()),
            current_query=personal.saved_view_query(self.request.GET.urlencode()),
            bulk_targets=bulk_targets(user) if works_cases(user) else None,
            cases_tabs=cases_tabs(user, self.request.path),
            may_open_case=True,
        )
        return context


class MyCasesView(CaseQueueView):
    title = "My cases"
    roles = roles.CASE_STAFF_ROLES
    description = "Cases you own: open ones first, the soonest due at the top."

    def get(self, request, *args, **kwargs):
        return super(CaseQueueView, self).get(request, *args, **kwargs)

    def base_queryset(self):
        return Case.objects.filter(owner_id=self.request.user.pk)

    def filtered(self):
        queryset, filterset, column, descending = super().filtered()
        if not self.request.GET.get("sort"):
            queryset = queryset.order_by("done_rank", "due_order", "pk")
            column = None
        return queryset, filterset, column, descending

    def extra_context(self) -> dict:
        context = super().extra_context()
        context["bulk_targets"] = None
        return context


def cases_tabs(user, path: str) -> list[tuple[str, str, bool]]:
    tabs = [("Team queue", "web:case_queue"), ("My cases", "web:case_mine")]
    tabs += [("SLA dashboard", "web:case_sla"), ("Notifications", "web:case_notifications")]
    shown = []
    for label, name in tabs:
        if not roles.may_open(user, name):
            continue
        url = reverse(name)
        shown.append((label, url, path == url))
    return shown


def bulk_targets(user) -> dict:
    """Who cases may be assigned to in bulk: members of the person's teams (everyone's for
    those who see everything), and the team queues."""
    teams = (
        Team.objects.all()
        if _sees_everything(user)
        else Team.objects.filter(pk__in=team_ids_of(user))
    )
    teams = list(teams.order_by("name"))
    members = (
        TeamMembership.objects.filter(team__in=teams, user__is_active=True)
        .select_related("user", "team")
        .order_by("team__name", "-level", "user__first_name", "user__username")
    )
    people: dict[str, str] = {}
    for membership in members:
        key = membership.user.get_username()
        people.setdefault(key, person_name(membership.user))
    return {
        "people": sorted(people.items(), key=lambda item: item[1].lower()),
        "teams": [(team.code, team.name) for team in teams],
    }


@login_required
@require_POST
def case_bulk_assign(request):
    user = request.user
    _require(user, roles.CASE_ROLES)
    if not works_cases(user):
        raise Http404("No such page.")
    back = request.POST.get("next") or reverse("web:case_queue")
    if not back.startswith("/") or back.startswith("//"):
        back = reverse("web:case_queue")
    numbers = request.POST.getlist("case")
    target = request.POST.get("target", "")
    if not numbers:
        messages.error(request, "Tick the cases to assign first.")
        return redirect(back)
    cases = list(selectors.case_list(user).filter(number__in=numbers).order_by("number"))
    missing = sorted(set(numbers) - {case.number for case in cases})
    if missing:
        messages.error(request, f"Not cases you may see: {', '.join(missing)}. Nothing assigned.")
        return redirect(back)
    kind, _, value = target.partition(":")
    owner = team = None
    if kind == "user":
        owner = get_user_model().objects.filter(username=value, is_active=True).first()
    elif kind == "team":
        team = Team.objects.filter(code=value).first()
    if owner is None and team is None:
        messages.error(request, "Choose a person or a team queue to assign the cases to.")
        return redirect(back)
    if owner is not None:
        member_of = set(TeamMembership.objects.filter(user=owner).values_list("team_id", flat=True))
        outside = [case.number for case in cases if case.team_id not in member_of]
        if outside:
            messages.error(
                request,
                f"{person_name(owner)} is not in the team of {', '.join(outside)}: move those "
                "to their team first. Nothing assigned.",
            )
            return redirect(back)
    try:
        count = services.cases_assign_bulk(cases, actor=user, owner=owner, team=team)
    except ValidationError as error:
        messages.error(request, " ".join(_errors_of(error)))
        return redirect(back)
    to = person_name(owner) if owner else f"the {team.name} queue"
    messages.success(request, f"Assigned {count} case{'s' if count != 1 else ''} to {to}.")
    return redirect(back)


@login_required
@require_POST
def case_view_save(request):
    user = request.user
    _require(user, roles.CASE_ROLES)
    query = request.POST.get("query", "")
    try:
        view, created = personal.saved_view_save(
            user=user, name=request.POST.get("name", ""), query=query
        )
    except ValidationError as error:
        messages.error(request, " ".join(_errors_of(error)).replace("Name: ", ""))
        return redirect(f"{reverse('web:case_queue')}?{personal.saved_view_query(query)}")
    messages.success(request, f"{'Saved' if created else 'Updated'} the view “{view.name}”.")
    return redirect(f"{reverse('web:case_queue')}?{view.query}")


@login_required
@require_POST
def case_view_delete(request, pk: int):
    user = request.user
    _require(user, roles.CASE_ROLES)
    if not personal.saved_view_delete(user=user, view_id=pk):
        raise Http404("No such saved view.")
    messages.success(request, "Deleted the saved view.")
    return redirect("web:case_queue")


# --- a new case ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request):
    user = request.user
    _require(user, roles.CASE_ROLES)
    if request.method == "POST":
        form = case_forms.CaseNewForm(request.POST, user=user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                case = services.case_open(
                    actor=user,
                    case_type=data["case_type"],
                    title=data["title"],
                    description=data["description"],
                    subjects=form.subjects,
                    priority=data["priority"],
                    reason=data["reason"],
                    amount=data["amount"],
                    currency=data["currency"],
                    customer=data["customer"],
                )
            except ValidationError as error:
                for message in _errors_of(error):
                    form.add_error(None, message)
            else:
                owner = f", owner {person_name(case.owner)}" if case.owner_id else ""
                messages.success(request, f"Opened {case.number} in the {case.team} queue{owner}.")
                return redirect(case.get_absolute_url())
    else:
        form = case_forms.CaseNewForm(initial=_new_initial(request), user=user)
    return render(request, "web/cases/case_new.html", {"form": form, "title": "New case"})


def _new_initial(request) -> dict:
    """Pre-filled from a link: ?type=ar_dispute&invoice=INV-1&customer=C-1000&order=SO-1."""
    get = request.GET
    initial: dict = {}
    if get.get("type"):
        initial["case_type"] = CaseType.objects.filter(code=get["type"], is_active=True).first()
    if get.get("invoice"):
        initial["invoices"] = get["invoice"]
    if get.get("order"):
        initial["orders"] = get["order"]
    code = get.get("customer")
    if code:
        from revdesk.parties.models import Customer

        initial["customer"] = (
            restrict(Customer.objects.all(), request.user).filter(code=code).first()
        )
    invoice_number = get.get("invoice")
    if invoice_number and not code:
        from revdesk.receivables.selectors import invoice_list

        invoice = invoice_list(user=request.user).filter(number=invoice_number).first()
        if invoice is not None:
            initial["customer"] = invoice.customer
            initial.setdefault("title", f"Dispute on invoice {invoice.number}")
            initial["amount"] = invoice.balance
            initial["currency"] = invoice.currency
    return initial


# --- the case page ------------------------------------------------------------------------


@dataclass
class Subject:
    label: str
    kind: str
    url: str | None


def _subjects(case: Case, user) -> list[Subject]:
    shown = []
    for subject in case.subjects.select_related("content_type"):
        model = subject.content_type.model_class()
        url = None
        if model is not None:
            target = restrict(model._default_manager.filter(pk=subject.object_id), user).first()
            if target is not None:
                candidate = roles.object_url(target)
                if candidate and roles.may_open_url(user, candidate):
                    url = candidate
        kind = str(model._meta.verbose_name).capitalize() if model else subject.content_type.model
        shown.append(Subject(subject.label, kind, url))
    return shown


ACTIONS = ("status", "assign", "comment", "attach", "edit", "link", "reply")
OUTSIDE_ACTIONS = {"comment", "attach"}


def _forms(case, user, bound: str | None = None, request=None) -> dict:
    """Every action form of the page; the one named `bound` filled from the request."""
    internal = works_cases(user)

    def data(name) -> dict:
        """Bound to the request for the form that was sent; each form has its own prefix
        so the fields of the page's forms keep apart."""
        kwargs: dict = {"prefix": name}
        if bound == name and request is not None:
            kwargs.update(data=request.POST, files=request.FILES)
        return kwargs

    forms = {
        "comment": case_forms.CommentForm(internal=internal, **data("comment")),
        "attach": case_forms.AttachForm(internal=internal, **data("attach")),
    }
    if internal:
        forms["status"] = case_forms.StatusForm(case=case, **data("status"))
        forms["assign"] = case_forms.AssignForm(case=case, **data("assign"))
        forms["edit"] = case_forms.EditForm(case=case, **data("edit"))
        forms["link"] = case_forms.LinkForm(user=user, **data("link"))
        forms["reply"] = case_forms.ReplyForm(
            templates=MailTemplate.objects.filter(use=MailTemplate.Use.CASE_REPLY),
            **data("reply"),
        )
    return forms


def _act(request, case, action: str, form) -> str | None:
    """Run one action through its service. Returns a success message, or None after adding
    the errors to the form."""
    user = request.user
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        if action == "status":
            services.case_transition(
                case, data["to_status"], actor=user, note=data["note"], outcome=data["outcome"]
            )
            label = dict(form.fields["to_status"].choices)[data["to_status"]]
            return f"Moved {case.number} to {str(label).lower()}."
        if action == "assign":
            owner, team = data["owner"], data["team"]
            services.case_assign(case, actor=user, owner=owner, team=team, note=data["note"])
            if owner is None:
                return f"{case.number} is in the {team} queue."
            return f"Assigned {case.number} to {person_name(owner)}."
        if action == "comment":
            visibility = data.get("visibility") or Visibility.EXTERNAL
            event = services.comment_add(case, actor=user, body=data["body"], visibility=visibility)
            mentioned = [person_name(m.user) for m in event.mentions.select_related("user")]
            told = f" {', '.join(mentioned)} will be told." if mentioned else ""
            return f"Comment added.{told}"
        if action == "attach":
            visibility = data.get("visibility") or Visibility.EXTERNAL
            kept, refused = [], []
            for upload in data["files"]:
                try:
                    attachments.attachment_add(
                        case,
                        name=upload.name,
                        data=upload.read(),
                        actor=user,
                        visibility=visibility,
                    )
                    kept.append(upload.name)
                except attachments.AttachmentRefused as error:
                    refused.append(" ".join(error.messages))
            for message in refused:
                form.add_error("files", message)
            if refused:
                if kept:
                    messages.success(request, f"Kept {', '.join(kept)}.")
                return None
            return f"Kept {', '.join(kept)}."
        if action == "edit":
            services.case_update(
                case,
                actor=user,
                priority=data["priority"],
                reason=data["reason"],
                amount=data["amount"],
                currency=data["currency"] or (case.currency if data["amount"] is not None else ""),
            )
            return "Details saved."
        if action == "link":
            created = services.case_subject_add(case, form.target, actor=user)
            return f"Linked {form.target}." if created else f"{form.target} was linked already."
        if action == "reply":
            template = None
            if data["template"]:
                template = MailTemplate.objects.filter(
                    code=data["template"], use=MailTemplate.Use.CASE_REPLY
                ).first()
            message = case_reply_send(
                case,
                actor=user,
                body=data["body"],
                subject=data["subject"] or None,
                template=template,
                to=data["to"] or None,
            )
            if message.status == "failed":
                form.add_error(None, f"The reply was not sent: {message.error}")
                return None
            return f"Reply sent to {message.to}."
    except workflow.TransitionRefused as error:
        form.add_error(None, str(error))
    except attachments.AttachmentRefused as error:
        form.add_error("files" if "files" in form.fields else None, " ".join(error.messages))
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, field_messages in error.message_dict.items():
                target = field if field in form.fields else None
                for message in field_messages:
                    form.add_error(
                        target, message if target else f"{_field_name(field)}: {message}"
                    )
        else:
            for message in error.messages:
                form.add_error(None, message)
    return None


@login_required
@require_http_methods(["GET", "POST"])
def case_detail(request, number: str):
    user = request.user
    case = _case_or_404(user, number)
    action = request.POST.get("action") if request.method == "POST" else None
    outside = action is not None and not works_cases(user) and action not in OUTSIDE_ACTIONS
    if action is not None and (action not in ACTIONS or outside):
        raise Http404("No such action on this case.")
    forms = _forms(case, user, action, request)
    failed = None
    if action is not None:
        form = forms.get(action)
        if form is None:
            raise Http404("No such action on this case.")
        done = _act(request, case, action, form)
        if done is not None:
            messages.success(request, done)
            return redirect(case.get_absolute_url() + f"#{action}")
        failed = action
        case = selectors.case_for_user(user, number)
        forms = {**_forms(case, user), action: form}
    personal.notifications_read(user=user, case=case)
    return render(request, "web/cases/case_detail.html", _page(case, user, forms, failed))


def _page(case: Case, user, forms: dict, failed: str | None) -> dict:
    now = timezone.now()
    hours = services.case_hours(case)
    events = list(selectors.case_timeline(case, user))
    messages_by_event = {m.event_id: m for m in selectors.case_messages(case, user) if m.event_id}
    visible_files = set(selectors.case_attachments(case, user).values_list("pk", flat=True))
    for event in events:
        event.message_shown = messages_by_event.get(event.pk)
        event.files = [a for a in event.attachments.all() if a.pk in visible_files]
        event.is_external = event.visibility == Visibility.EXTERNAL
    instruction = (
        WorkInstruction.objects.filter(case_type=case.case_type).order_by("-version").first()
    )
    return {
        "case": case,
        "title": f"{case.number} {case.title}",
        "works": works_cases(user),
        "subjects": _subjects(case, user),
        "first_response": queue.first_response_state(case, now=now, hours=hours),
        "resolution": queue.resolution_state(case, now=now, hours=hours),
        "paused": case.status in {"waiting_customer"},
        "events": events,
        "forms": forms,
        "failed": failed,
        "instruction": instruction,
        "instruction_html": markdown_html(instruction.body) if instruction else "",
        "may_edit_instruction": instruction_editor(user, case.case_type),
        "event_kinds": EventKind,
        "may_reply": "reply" in forms,
        "claim_panel": claim_panel(case),
    }


@login_required
def case_attachment(request, number: str, pk: int):
    user = request.user
    case = _case_or_404(user, number)
    attachment = selectors.case_attachments(case, user).filter(pk=pk).first()
    if attachment is None:
        raise Http404("No such attachment on this case.")
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- work instructions --------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def case_instruction(request, code: str):
    user = request.user
    _require(user, roles.CASE_STAFF_ROLES)
    case_type = CaseType.objects.filter(code=code).select_related("default_team").first()
    if case_type is None:
        raise Http404("No such case type.")
    editor = instruction_editor(user, case_type)
    versions = list(WorkInstruction.objects.filter(case_type=case_type).order_by("-version"))
    current = versions[0] if versions else None
    form = None
    if editor:
        form = case_forms.WorkInstructionForm(
            request.POST or None, initial={"body": current.body if current else ""}
        )
    elif request.method == "POST":
        raise Http404("No such page.")
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.work_instruction_save(
                case_type,
                actor=user,
                body=form.cleaned_data["body"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            for message in _errors_of(error):
                form.add_error(None, message)
        else:
            if current is not None and saved.pk == current.pk:
                messages.info(request, "Nothing changed: the instruction is as it was.")
            else:
                messages.success(request, f"Saved version {saved.version}.")
            return redirect("web:case_instruction", code=case_type.code)
    shown = current
    asked = request.GET.get("version")
    if asked and asked.isdigit():
        shown = next((v for v in versions if v.version == int(asked)), current)
    context = {
        "title": f"Work instruction: {case_type.name}",
        "case_type": case_type,
        "versions": versions,
        "shown": shown,
        "shown_html": markdown_html(shown.body) if shown else "",
        "form": form,
        "editor": editor,
    }
    return render(request, "web/cases/instruction.html", context)


# --- the SLA dashboard --------------------------------------------------------------------


@login_required
def case_sla(request):
    user = request.user
    _require(user, roles.CASE_STAFF_ROLES)
    now = timezone.now()
    if _sees_everything(user):
        teams = Team.objects.select_related("calendar").order_by("name")
    else:
        teams = Team.objects.filter(pk__in=team_ids_of(user)).select_related("calendar")
    teams = list(teams)
    cases = selectors.case_list(user).filter(team__in=teams)
    figures = queue.sla_figures(cases, teams, now=now)
    breached = queue.breached_oldest(cases.select_related("team__calendar"), now=now)
    queue.clocks_attach(breached, now=now)
    for case in breached:
        case.owner_name = _owner_name(case)
    context = {
        "title": "SLA dashboard",
        "figures": figures,
        "totals": {
            name: sum(getattr(f, name) for f in figures)
            for name in (
                "open",
                "first_response_breached",
                "resolution_breached",
                "due_next_day",
                "paused",
            )
        },
        "breached": breached,
        "now": now,
        "cases_tabs": cases_tabs(user, request.path),
    }
    return render(request, "web/cases/sla.html", context)


# --- notifications ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def case_notifications(request):
    user = request.user
    _require(user, roles.CASE_ROLES)
    if request.method == "POST":
        count = personal.notifications_read(user=user)
        messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} read.")
        return redirect("web:case_notifications")
    notifications = list(user.case_notifications.select_related("case")[:200])
    context = {
        "title": "Notifications",
        "notifications": notifications,
        "unread": sum(1 for n in notifications if n.read_at is None),
        "cases_tabs": cases_tabs(user, request.path),
    }
    return render(request, "web/cases/notifications.html", context)


@login_required
def case_notification_open(request, pk: int):
    """Open a notification: it is marked read, and the case is shown if still yours to see."""
    user = request.user
    _require(user, roles.CASE_ROLES)
    notification = user.case_notifications.select_related("case").filter(pk=pk).first()
    if notification is None:
        raise Http404("No such notification.")
    personal.notifications_read(user=user, ids=[notification.pk])
    if notification.case_id is None:
        link = notification.url
        if link and link.startswith("/") and not link.startswith("//"):
            return redirect(link)
        return redirect("web:case_notifications")
    if selectors.case_for_user(user, notification.case.number) is None:
        messages.info(request, f"{notification.case.number} is no longer among your cases.")
        return redirect("web:case_notifications")
    return redirect(notification.case.get_absolute_url())


def unread_count(user) -> int:
    return selectors.unread_notifications(user).count()
