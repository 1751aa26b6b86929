from django.contrib import admin

from . import models, services


@admin.register(models.Checklist)
class ChecklistAdmin(admin.ModelAdmin):
    """Saving a checklist makes a new version (services.checklist_save): reviews already
    made keep the questions they were answered against."""

    list_display = ["name", "source", "version", "note", "created_at"]
    list_filter = ["source"]
    readonly_fields = ["version"]
    fields = ["source", "name", "questions", "note", "version"]

    def save_model(self, request, obj, form, change):
        saved = services.checklist_save(
            source=obj.source,
            name=obj.name,
            questions=obj.questions,
            note=obj.note,
            actor=request.user,
        )
        obj.pk, obj.version = saved.pk, saved.version
        obj._state.adding = False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(models.QualityReview)
class QualityReviewAdmin(admin.ModelAdmin):
    """Read-only here: reviews are sampled by `revdesk quality sample` and recorded on
    their page (services, audit, feedback)."""

    list_display = ["label", "week", "person", "reviewer", "team", "source", "result"]
    list_filter = ["result", "source", "team", "week"]
    search_fields = ["label", "person__username", "reviewer__username"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
