"""The staff admin for the outcomes set-up: frameworks and their versions and domains, triage
scales and their levels, and the codebooks used to code families' narratives. Declared as Wagtail
viewsets in one "Outcomes set-up" menu, registered in outcomes/wagtail_hooks.py.

Access is decided by Django model permissions (core/roles.py grants them to administrators, and
the codebook ones to grants officers). Frameworks, their versions and triage scales are never
deleted here, by anyone: families' records keep the version and scale they were recorded with.
"""

from typing import Any

from django.contrib.auth import get_permission_codename
from django.db.models import Max

from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.viewsets.base import ViewSetGroup

from core.viewsets import ScopedPermissionPolicy, SeedbedModelViewSet
from outcomes.models import (
    Code,
    Codebook,
    Framework,
    FrameworkDomain,
    FrameworkVersion,
    IssueArea,
    TriageLevel,
    TriageScale,
)

# Viewset names: the URL prefix under /admin/ and the URL namespace of each screen.
FRAMEWORKS = "outcome-frameworks"
FRAMEWORK_VERSIONS = "outcome-framework-versions"
FRAMEWORK_DOMAINS = "outcome-framework-domains"
TRIAGE_SCALES = "triage-scales"
TRIAGE_LEVELS = "triage-levels"
CODEBOOKS = "codebooks"
CODES = "codes"
ISSUE_AREAS = "family-issue-areas"

# Permission policies ------------------------------------------------------------------------------

# Records depend on these (PROTECT): change them, or add a new version, instead of deleting.
framework_policy = ScopedPermissionPolicy(Framework, denied_actions=("delete",))
framework_version_policy = ScopedPermissionPolicy(FrameworkVersion, denied_actions=("delete",))
triage_scale_policy = ScopedPermissionPolicy(TriageScale, denied_actions=("delete",))
framework_domain_policy = ScopedPermissionPolicy(FrameworkDomain)
triage_level_policy = ScopedPermissionPolicy(TriageLevel)
codebook_policy = ScopedPermissionPolicy(Codebook)
code_policy = ScopedPermissionPolicy(Code)
# Untick "is active" to retire an area: reports group by its issue, so it is never deleted.
issue_area_policy = ScopedPermissionPolicy(IssueArea, denied_actions=("delete",))


# Filters ------------------------------------------------------------------------------------------


class FrameworkDomainFilterSet(WagtailFilterSet):
    class Meta:
        model = FrameworkDomain
        fields = ["version", "measure"]


class TriageLevelFilterSet(WagtailFilterSet):
    class Meta:
        model = TriageLevel
        fields = ["scale"]


class CodeFilterSet(WagtailFilterSet):
    class Meta:
        model = Code
        fields = ["codebook"]


# Viewsets -----------------------------------------------------------------------------------------


class NoDeleteViewSet(SeedbedModelViewSet):
    """A screen whose records are never deleted: no delete URL, button or permission to grant."""

    def get_common_view_kwargs(self, **kwargs: Any):
        return super().get_common_view_kwargs(delete_url_name=None, **kwargs)

    def get_urlpatterns(self):
        return [pattern for pattern in super().get_urlpatterns() if pattern.name != "delete"]

    def get_permissions_to_register(self):
        return (
            super()
            .get_permissions_to_register()
            .exclude(codename=get_permission_codename("delete", self.model_opts))
        )


class FrameworkViewSet(NoDeleteViewSet):
    model = Framework
    name = FRAMEWORKS
    icon = "list-ul"
    menu_label = "Frameworks"
    permission_policy = framework_policy
    list_select_related = ("triage_scale",)
    list_annotations = {"current_version_number": Max("versions__number")}
    list_display = [
        TitleColumn("name", label="Name", url_name=f"{FRAMEWORKS}:edit", sort_key="name"),
        Column("current_version_number", label="Current version"),
        Column("triage_scale", label="Triage scale"),
        Column("retention_months", label="Kept for (months)"),
    ]
    search_fields = ["name", "description"]
    search_backend_name = None
    ordering = ["name"]
    form_fields = [
        "name",
        "slug",
        "description",
        "source",
        "triage_scale",
        "retention_months",
    ]


class FrameworkVersionViewSet(NoDeleteViewSet):
    model = FrameworkVersion
    name = FRAMEWORK_VERSIONS
    icon = "history"
    menu_label = "Framework versions"
    permission_policy = framework_version_policy
    list_select_related = ("framework",)
    initial_from_query = ("framework",)
    list_display = ["__str__", "framework", "number", "created_at"]
    list_filter = ["framework"]
    inspect_view_enabled = True
    inspect_view_fields = ["framework", "number", "notes", "created_at"]
    ordering = ["framework__name", "-number"]
    form_fields = ["framework", "number", "notes"]


class FrameworkDomainViewSet(SeedbedModelViewSet):
    model = FrameworkDomain
    name = FRAMEWORK_DOMAINS
    icon = "tasks"
    menu_label = "Framework domains"
    permission_policy = framework_domain_policy
    list_select_related = ("version__framework",)
    initial_from_query = ("version",)
    list_display = ["label", "key", "version", "measure", "order"]
    filterset_class = FrameworkDomainFilterSet
    search_fields = ["label", "key", "question"]
    search_backend_name = None
    ordering = ["version__framework__name", "-version__number", "order"]
    form_fields = [
        "version",
        "key",
        "label",
        "question",
        "measure",
        "low_label",
        "high_label",
        "order",
    ]


class TriageScaleViewSet(NoDeleteViewSet):
    model = TriageScale
    name = TRIAGE_SCALES
    icon = "pick"
    menu_label = "Triage scales"
    permission_policy = triage_scale_policy
    list_display = ["name", "slug"]
    ordering = ["name"]
    form_fields = ["name", "slug"]


class TriageLevelViewSet(SeedbedModelViewSet):
    model = TriageLevel
    name = TRIAGE_LEVELS
    icon = "pick"
    menu_label = "Triage levels"
    permission_policy = triage_level_policy
    list_select_related = ("scale",)
    initial_from_query = ("scale",)
    list_display = ["key", "label", "family_label", "colour", "scale", "order"]
    filterset_class = TriageLevelFilterSet
    ordering = ["scale__name", "order"]
    form_fields = ["scale", "key", "label", "family_label", "colour", "order"]


class CodebookViewSet(SeedbedModelViewSet):
    model = Codebook
    name = CODEBOOKS
    icon = "doc-full"
    menu_label = "Codebooks"
    permission_policy = codebook_policy
    list_display = ["name", "description"]
    ordering = ["name"]
    form_fields = ["name", "description"]


class CodeViewSet(SeedbedModelViewSet):
    model = Code
    name = CODES
    icon = "tag"
    menu_label = "Codes"
    permission_policy = code_policy
    list_select_related = ("codebook",)
    initial_from_query = ("codebook",)
    list_display = ["label", "key", "codebook"]
    filterset_class = CodeFilterSet
    search_fields = ["label", "key", "description", "keywords"]
    search_backend_name = None
    ordering = ["codebook__name", "label"]
    form_fields = ["codebook", "key", "label", "description", "keywords"]


class IssueAreaViewSet(NoDeleteViewSet):
    model = IssueArea
    name = ISSUE_AREAS
    icon = "help"
    menu_label = "What families can ask help with"
    permission_policy = issue_area_policy
    list_display = ["label", "issue", "position", "is_active"]
    ordering = ["position", "pk"]
    form_fields = ["label", "subject", "issue", "slug", "position", "is_active"]


class OutcomesSetUpGroup(ViewSetGroup):
    menu_label = "Outcomes set-up"
    menu_icon = "list-ul"
    menu_order = 230
    items = (
        FrameworkViewSet,
        FrameworkVersionViewSet,
        FrameworkDomainViewSet,
        TriageScaleViewSet,
        TriageLevelViewSet,
        CodebookViewSet,
        CodeViewSet,
        IssueAreaViewSet,
    )


def all_viewsets() -> tuple[Any, ...]:
    """The outcomes set-up screens, as wagtail_hooks.py registers them."""
    return (OutcomesSetUpGroup(),)
