"""Imports from the browser: the upload form, the column lists, a run's page and its status
fragment (polled every 2 s while the run waits or works) and its report as CSV.

The upload is handed to revdesk.ingest.services.import_run_queue, which stores the file and
queues the very importer `revdesk import` runs; nothing here reads or writes the data. The
"Export for re-import" download is the very workbook `revdesk export KIND --user` writes.
"""

from __future__ import annotations

import tempfile
from pathlib import Path, PurePosixPath

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods

from revdesk.foundation.views import object_for_user, user_has_role
from revdesk.ingest.choices import ImportStatus
from revdesk.ingest.docs import column_requirement
from revdesk.ingest.exporter import export_file
from revdesk.ingest.kinds import KINDS
from revdesk.ingest.models import ImportRun
from revdesk.ingest.profiles import ProfileError, profile_load, shipped_profiles
from revdesk.ingest.report import Problem, problems_csv
from revdesk.ingest.services import UPLOAD_SUFFIXES, import_run_queue, upload_file_name

from . import roles
from .forms import EncodingField
from .views import import_run_by

# The list page of each kind, for "see them" links (kinds without a list page have none).
KIND_LIST_PAGES = {
    "customers": ("web:customer_list", roles.CUSTOMER_ROLES),
    "payees": ("web:payee_list", roles.PAYEE_ROLES),
    "distributors": ("web:distributor_list", roles.DISTRIBUTOR_ROLES),
    "products": ("web:product_list", roles.PRODUCT_ROLES),
    "orders": ("web:order_list", roles.ORDER_ROLES),
    "invoices": ("web:invoice_list", roles.INVOICE_ROLES),
    "payments": ("web:payment_list", roles.PAYMENT_ROLES),
}


def _first_sentence(text: str) -> str:
    head, _, _ = text.partition(". ")
    return head.rstrip(".") + "."


def _kinds() -> list[dict[str, str]]:
    return [
        {
            "name": spec.name,
            "title": spec.title,
            "summary": _first_sentence(spec.description),
            "required": ", ".join(spec.required_columns),
        }
        for spec in KINDS.values()
    ]


def _profiles() -> list[tuple[str, str]]:
    choices = [("", "None: the file has our column names")]
    for path in shipped_profiles():
        try:
            profile = profile_load(path)
        except ProfileError:
            continue
        label = f"{profile.name} ({profile.kind})" if profile.kind else profile.name
        if profile.description:
            label += f": {profile.description}"
        choices.append((path.stem, label))
    return choices


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label="What the file holds", widget=forms.RadioSelect)
    file = forms.FileField(
        label="File",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(UPLOAD_SUFFIXES)}),
    )
    profile = forms.ChoiceField(label="Mapping profile", required=False)
    encoding = EncodingField()
    dry_run = forms.BooleanField(
        label="Check only (dry run): check every row and count, save nothing", required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(spec.name, spec.title) for spec in KINDS.values()]
        self.fields["profile"].choices = _profiles()
        limit = filesizeformat(settings.REVDESK_IMPORT_MAX_BYTES)
        self.fields["file"].help_text = f"A .csv or .xlsx file, up to {limit}."

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload_file_name(upload.name or "")
        suffix = PurePosixPath(name).suffix.lower()
        if suffix not in UPLOAD_SUFFIXES:
            hint = (
                " It is an old Excel 97-2003 workbook: open it in Excel and save it as "
                "'Excel Workbook (.xlsx)'."
                if suffix == ".xls"
                else ""
            )
            raise forms.ValidationError(
                f"{name} is not a .csv or .xlsx file: Revdesk reads only those two.{hint}"
            )
        limit = settings.REVDESK_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"{name} is {filesizeformat(upload.size)}; the largest file this page takes "
                f"is {filesizeformat(limit)}. Split it into smaller files, or ask an "
                "administrator to load it with `revdesk import` on the server."
            )
        if upload.size == 0:
            raise forms.ValidationError(f"{name} is empty: it has no header row and no data.")
        return upload

    def clean(self):
        data = super().clean()
        kind, name = data.get("kind"), data.get("profile")
        if kind and name:
            profile = profile_load(name)
            if profile.kind and profile.kind != kind:
                self.add_error(
                    "profile",
                    f"Profile {profile.name} is for {KINDS[profile.kind].title.lower()}, not "
                    f"{KINDS[kind].title.lower()}.",
                )
        return data


def _require(user) -> None:
    if not user_has_role(user, roles.IMPORT_ROLES):
        raise Http404("No such page.")


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    _require(request.user)
    initial = {"kind": request.GET.get("kind", "")}
    form = ImportUploadForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        run = import_run_queue(
            kind=data["kind"],
            upload=data["file"],
            actor=request.user,
            profile=data["profile"],
            encoding=data["encoding"],
            dry_run=data["dry_run"],
        )
        return redirect(reverse("web:import_detail", args=[run.pk]))
    return render(
        request,
        "web/import_upload.html",
        {"form": form, "kinds": _kinds(), "selected_kind": form["kind"].value()},
    )


@login_required
def import_columns(request):
    _require(request.user)
    kinds = []
    for spec in KINDS.values():
        kinds.append(
            {
                "name": spec.name,
                "title": spec.title,
                "description": spec.description,
                "notes": spec.notes,
                "key": " + ".join(spec.key),
                "columns": [
                    {
                        "name": column.name,
                        "type": column.type_label,
                        "requirement": column_requirement(column),
                        "description": column.description,
                    }
                    for column in spec.columns
                ],
            }
        )
    return render(request, "web/import_columns.html", {"kinds": kinds})


def _run_context(request, run: ImportRun) -> dict:
    finished = run.status in ImportStatus.finished()
    list_url = None
    page = KIND_LIST_PAGES.get(run.kind)
    if page is not None and not run.dry_run and user_has_role(request.user, page[1]):
        list_url = reverse(page[0])
    title = KINDS[run.kind].title if run.kind in KINDS else run.kind
    return {
        "run": run,
        "run_by": import_run_by(run),
        "finished": finished,
        "kind_title": title,
        "list_url": list_url,
        "status_url": reverse("web:import_status", args=[run.pk]),
        "report_url": reverse("web:import_report", args=[run.pk]),
    }


@login_required
def import_detail(request, pk: int):
    _require(request.user)
    run = object_for_user(ImportRun.objects.all(), request.user, pk=pk)
    return render(request, "web/import_detail.html", _run_context(request, run))


@login_required
def import_status(request, pk: int):
    """The part of a run's page that changes while it runs (polled every 2 s)."""
    _require(request.user)
    run = object_for_user(ImportRun.objects.all(), request.user, pk=pk)
    return render(request, "web/partials/_import_status.html", _run_context(request, run))


@login_required
def import_report(request, pk: int):
    """Every problem of a run as CSV (line, column, value, expected, severity), for Excel."""
    _require(request.user)
    run = object_for_user(ImportRun.objects.all(), request.user, pk=pk)
    problems = [Problem(**row) for row in [*run.errors, *run.warnings]]
    response = HttpResponse(
        problems_csv(problems, bom=True), content_type="text/csv; charset=utf-8"
    )
    stem = slugify(PurePosixPath(run.file_name).stem) or "import"
    response["Content-Disposition"] = f'attachment; filename="{stem}-report-{run.pk}.csv"'
    return response


@login_required
def import_export(request, kind: str):
    """Every row of one kind the person may see, as the .xlsx the import reads back."""
    _require(request.user)
    page = KIND_LIST_PAGES.get(kind)
    if page is None or not user_has_role(request.user, page[1]):
        raise Http404("No such page.")
    with tempfile.TemporaryDirectory(prefix="revdesk-export-") as folder:
        path = Path(folder) / f"{kind}.xlsx"
        export_file(kind=kind, fmt="xlsx", out=path, user=request.user)
        content = path.read_bytes()
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{kind}-for-import.xlsx"'
    return response
