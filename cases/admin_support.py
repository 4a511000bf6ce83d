"""What every trainer's page of the admin shares: ordered inlines (dragged
by their heading, or moved with "Move up"/"Move down"), a preview of each
Markdown field rendered as a learner sees it, labelled inputs in tabular
inlines, and slugs made from titles written in Chinese."""

from __future__ import annotations

from adminsortable2.admin import CustomInlineFormSetMixin, SortableInlineAdminMixin
from django import forms
from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.urls import reverse
from django.utils import translation
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from modeltranslation.admin import TranslationStackedInline, TranslationTabularInline
from pypinyin import lazy_pinyin

from cases.templatetags.rich_text import render_rich_text

# The longest text a preview renders: the longest field holds far less.
PREVIEW_LIMIT = 50_000

ADMIN_MEDIA = forms.Media(css={"all": ["css/admin.css"]}, js=["js/admin.js"])


def is_markdown(db_field) -> bool:
    """Fields whose name (in English) says "(Markdown)" are rendered by the
    rich_text filter; the language columns are named after their field."""
    original = getattr(db_field, "translated_field", db_field)
    with translation.override("en"):
        return "(Markdown)" in str(original.verbose_name)


class TrainerFormMixin:
    """Marks Markdown text areas for the preview, and labels every input of
    a tabular inline (whose only visible label is its column heading)."""

    tabular = False

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is None:
            return field
        if is_markdown(db_field) and isinstance(field.widget, forms.Textarea):
            field.widget.attrs.update(
                {
                    "data-markdown-preview": _("Preview as a learner sees it"),
                    "data-preview-url": reverse("admin:markdown_preview"),
                    "data-preview-error": _("The preview could not be made. Try again."),
                    "data-preview-label": _("Preview"),
                }
            )
        if self.tabular:
            field.widget.attrs.setdefault("aria-label", capfirst(field.label or db_field.name))
        return field

    @property
    def media(self):
        return super().media + ADMIN_MEDIA


class OrderedFormSet(CustomInlineFormSetMixin, BaseInlineFormSet):
    """django-admin-sortable2's formset: the order field is hidden and set
    by dragging (or the move buttons); a new item goes last."""


class OrderedStackedInline(TrainerFormMixin, SortableInlineAdminMixin, TranslationStackedInline):
    template = "admin/edit_inline/ordered_stacked.html"
    formset = OrderedFormSet
    extra = 0


class OrderedTabularInline(TrainerFormMixin, SortableInlineAdminMixin, TranslationTabularInline):
    template = "adminsortable2/edit_inline/tabular-django-5.2.html"
    formset = OrderedFormSet
    tabular = True
    extra = 0


SLUG_HELP = _(
    "The page's address on the site, in small Latin letters, digits and hyphens, "
    "e.g. classified-papers-taken-home. Leave it empty and it is made from the "
    "title (a Chinese title in pinyin)."
)


def slug_from(title: str, *, model, exclude_pk=None, max_length: int = 50) -> str:
    """A slug for `title`, Chinese characters written in pinyin, unique
    among `model`'s rows (a number added when taken)."""
    words = lazy_pinyin(title or "")
    base = slugify(" ".join(words))[:max_length].strip("-") or "item"
    slug, number = base, 2
    taken = model._default_manager.exclude(pk=exclude_pk)
    while taken.filter(slug=slug).exists():
        suffix = f"-{number}"
        slug = f"{base[: max_length - len(suffix)]}{suffix}"
        number += 1
    return slug


class SlugFromTitleForm(forms.ModelForm):
    """A form whose slug may be left empty: it is made from the title in
    the first language that has one (English, then Chinese)."""

    title_fields = ("title_en", "title_zh_hans")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = SLUG_HELP

    def clean(self):
        cleaned = super().clean()
        if "slug" in self.fields and not cleaned.get("slug"):
            title = next((cleaned.get(name) for name in self.title_fields if cleaned.get(name)), "")
            if title:
                cleaned["slug"] = slug_from(
                    title, model=self._meta.model, exclude_pk=self.instance.pk
                )
                self.instance.slug = cleaned["slug"]
            else:
                self.add_error("slug", _("Give a title or a slug."))
        return cleaned


@require_POST
def markdown_preview(request: HttpRequest) -> HttpResponse:
    """The Markdown of one field rendered as a learner's page renders it."""
    text = request.POST.get("text", "")
    if len(text) > PREVIEW_LIMIT:
        return HttpResponseBadRequest(_("The text is too long to preview."))
    return HttpResponse(render_rich_text(text))


def install_site(site: admin.AdminSite) -> None:
    """The admin branded as the site, with the preview's address."""
    site.site_header = _("Awareness · administration")
    site.site_title = _("Awareness · administration")
    site.index_title = _("Training content and records")
    original_get_urls = site.get_urls

    def get_urls():
        from django.urls import path

        return [
            path(
                "markdown-preview/",
                site.admin_view(markdown_preview),
                name="markdown_preview",
            ),
            *original_get_urls(),
        ]

    site.get_urls = get_urls
