"""Admin for platform support. Curators work in /curate/; practices in /library/."""

from django.contrib import admin
from django_scopes import scopes_disabled

from library.models import Activity, CuratedActivity, CuratedActivityVersion, CuratedMedia


class CuratedVersionInline(admin.TabularInline):
    model = CuratedActivityVersion
    fields = ["number", "title", "kind", "published_at", "created_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(CuratedActivity)
class CuratedActivityAdmin(admin.ModelAdmin):
    list_display = ["slug", "status", "current_version", "updated_at"]
    list_filter = ["status"]
    search_fields = ["slug", "current_version__title"]
    readonly_fields = ["current_version", "draft_version", "created_at", "updated_at"]
    inlines = [CuratedVersionInline]


@admin.register(CuratedMedia)
class CuratedMediaAdmin(admin.ModelAdmin):
    list_display = ["original_name", "kind", "size", "created_at"]
    readonly_fields = ["file", "kind", "content_type", "original_name", "size", "uploaded_by"]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    """Every practice's activities, read-only, for support. Reading across practices is the
    point here, so the scope (and the row-level wall under it) is lifted for these pages, and
    each page is rendered inside, where its queries run."""

    list_display = ["__str__", "practice", "status", "shared", "is_customised", "updated_at"]
    list_filter = ["status", "is_customised"]
    list_select_related = ["practice", "current_version"]

    def _unscoped(self, view, *args):
        with scopes_disabled():
            response = view(*args)
            if hasattr(response, "render"):
                response.render()
        return response

    def changelist_view(self, request, extra_context=None):
        return self._unscoped(super().changelist_view, request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return self._unscoped(super().change_view, request, object_id, form_url, extra_context)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
