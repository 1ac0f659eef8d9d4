"""A family's own pages, reached through the link a practitioner gave them. No account, no names.

Every page is reached through the signed token in its address. A link that is expired, stopped or
altered shows one kind page that says nothing about whose link it was. The token is in the URL, so
no page is cached or sends a referrer, not even to this site (whose access logs would keep it).

These pages are exempt from Django's CSRF check, on purpose. Under `Referrer-Policy: no-referrer`
a browser sends `Origin: null` with every form, which that check refuses. And it would protect
nothing here: what lets a family in is the token in the address, never a cookie, so a form on
another site can act on a family's answers only if it already holds their link.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from outcomes.enums import MeasureType
from outcomes.forms_family import AreasForm, DomainForm, HelpLevelForm, OwnWordsForm
from outcomes.models import CheckpointLink
from outcomes.services.family_story import (
    KIND_INTROS,
    OTHER_SLUG,
    NothingToSend,
    Story,
    StoryAlreadySent,
    area_subject,
    areas_by_slug,
    issue_areas,
    story_answers,
    story_areas_save,
    story_downloaded,
    story_help_save,
    story_load,
    story_own_words_save,
    story_score_save,
    story_send,
    story_sent_on,
)
from outcomes.services.links import LinkUnusable, link_from_token

FamilyView = Callable[..., HttpResponse]


def _private(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, no_store=True, private=True, max_age=0)
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def family_page(view: FamilyView) -> Callable[..., HttpResponse]:
    """Open the link in the address, or show the kind page for a link that no longer works."""

    @csrf_exempt
    @wraps(view)
    def wrapped(request: HttpRequest, token: str, **kwargs: Any) -> HttpResponse:
        try:
            link = link_from_token(token)
        except LinkUnusable as exc:
            response = render(
                request,
                "outcomes/family/link_unusable.html",
                {"problem": exc.problem.name.lower()},
                status=exc.status,
            )
        else:
            response = view(request, link=link, token=token, **kwargs)
        return _private(response)

    return wrapped


# Which pages come in which order -----------------------------------------------------------------

SESSION_KEY = "family-story-{}"


def _remembered(request: HttpRequest, story: Story) -> dict:
    """The areas a family ticked, remembered until they have said how much help they want with
    each. Only the choices are kept, on this device; the answers themselves are saved."""
    return request.session.get(SESSION_KEY.format(story.link.pk), {})


def _chosen_areas(request: HttpRequest, story: Story) -> list[str]:
    remembered = _remembered(request, story)
    by_slug = areas_by_slug()
    chosen = [slug for slug in remembered.get("areas", []) if slug in by_slug]
    answered = story.area_slugs_with_answers()
    slugs = [area.slug for area in issue_areas() if area.slug in chosen or area.slug in answered]
    if remembered.get("other") or story.other_issue:
        slugs.append(OTHER_SLUG)
    return slugs


def _steps(request: HttpRequest, story: Story) -> list[tuple[str, str]]:
    steps: list[tuple[str, str]] = []
    if story.asks_about_help:
        steps.append(("areas", ""))
        steps += [("help", slug) for slug in _chosen_areas(request, story)]
    steps += [("question", domain.key) for domain in story.domains]
    steps += [("own-words", ""), ("check", "")]
    return steps


def _url(token: str, step: tuple[str, str], *, change: bool = False) -> str:
    name, key = step
    if name == "start":
        return reverse("outcomes:family_start", args=[token])
    if name == "help":
        url = reverse("outcomes:family_help", args=[token, key])
    elif name == "question":
        url = reverse("outcomes:family_question", args=[token, key])
    else:
        url = reverse(f"outcomes:family_{name.replace('-', '_')}", args=[token])
    return f"{url}?change=1" if change and name != "check" else url


def _neighbours(request: HttpRequest, story: Story, step: tuple[str, str]) -> tuple[str, str]:
    """The addresses of the page before this one and the page after it."""
    token = request.resolver_match.kwargs["token"]
    steps = _steps(request, story)
    index = steps.index(step) if step in steps else 0
    before = steps[index - 1] if index > 0 else ("start", "")
    after = steps[index + 1] if index + 1 < len(steps) else ("check", "")
    return _url(token, before), _url(token, after)


def _unrated_area(request: HttpRequest, story: Story) -> str | None:
    answered = set(story.area_slugs_with_answers())
    return next((slug for slug in _chosen_areas(request, story) if slug not in answered), None)


def _after_saving(
    request: HttpRequest, token: str, story: Story, step: tuple[str, str]
) -> HttpResponse:
    """Go on to the next question; when changing an answer, back to the check page (by way of any
    area just ticked that still needs an answer)."""
    changing = request.GET.get("change") == "1"
    story = story_load(story.link)
    if step[0] in {"areas", "help"} and changing:
        unrated = _unrated_area(request, story)
        if unrated:
            return redirect(_url(token, ("help", unrated), change=True))
    if changing:
        return redirect(_url(token, ("check", "")))
    return redirect(_neighbours(request, story, step)[1])


def _page(request: HttpRequest, template: str, story: Story, **context: Any) -> HttpResponse:
    return render(
        request,
        f"outcomes/family/{template}",
        {"story": story, "link": story.link, "family": story.family, **context},
    )


def _question_context(
    request: HttpRequest, story: Story, step: tuple[str, str], *, skippable: bool = True
) -> dict:
    """Back to the page before (or to the check page when changing an answer), and a way past a
    question the family would rather not answer."""
    back, skip = _neighbours(request, story, step)
    if request.GET.get("change") == "1":
        back = skip = _url(request.resolver_match.kwargs["token"], ("check", ""))
    return {"back_url": back, "skip_url": skip if skippable else ""}


def _answer_page(
    request: HttpRequest,
    *,
    token: str,
    story: Story,
    step: tuple[str, str],
    form,
    save: Callable[[], None],
    skippable: bool = True,
) -> HttpResponse:
    """Every question page ends the same way: save a valid answer and go on, or show the question
    (with its errors) again. A story already sent is never changed."""
    if request.method == "POST" and form.is_valid():
        try:
            save()
        except StoryAlreadySent:
            return redirect("outcomes:family_answers", token)
        return _after_saving(request, token, story, step)
    context = _question_context(request, story, step, skippable=skippable)
    return _page(request, "question.html", story, form=form, **context)


def _posted(request: HttpRequest):
    """The answers sent, even when none were chosen (an empty POST is still an answer to check)."""
    return request.POST if request.method == "POST" else None


# The pages ---------------------------------------------------------------------------------------


@require_GET
def no_link(request: HttpRequest) -> HttpResponse:
    return _private(render(request, "outcomes/family/no_link.html"))


@require_GET
@family_page
def start(request: HttpRequest, *, link: CheckpointLink, token: str) -> HttpResponse:
    story = story_load(link)
    if story.sent:
        return redirect("outcomes:family_answers", token)
    return _page(
        request,
        "start.html",
        story,
        heading=KIND_INTROS[link.kind],
        first_url=_url(token, _steps(request, story)[0]),
        carry_on_url=_url(token, story.first_unanswered()),
    )


@require_http_methods(["GET", "POST"])
@family_page
def areas(request: HttpRequest, *, link: CheckpointLink, token: str) -> HttpResponse:
    story = story_load(link)
    if story.sent:
        return redirect("outcomes:family_answers", token)
    if not story.asks_about_help:
        return redirect(_url(token, _steps(request, story)[0]))
    remembered = _remembered(request, story)
    initial = {
        "areas": [slug for slug in _chosen_areas(request, story) if slug != OTHER_SLUG],
        "other": story.other_issue.issue if story.other_issue else remembered.get("other", ""),
    }
    form = AreasForm(_posted(request), initial=initial)

    def save() -> None:
        chosen, other = form.cleaned_data["areas"], form.cleaned_data["other"]
        story_areas_save(link=link, areas=chosen, other=other)
        request.session[SESSION_KEY.format(link.pk)] = {"areas": chosen, "other": other}

    return _answer_page(
        request, token=token, story=story, step=("areas", ""), form=form, save=save, skippable=False
    )


@require_http_methods(["GET", "POST"])
@family_page
def help_level(
    request: HttpRequest, *, link: CheckpointLink, token: str, area: str
) -> HttpResponse:
    story = story_load(link)
    if story.sent:
        return redirect("outcomes:family_answers", token)
    other_words = _remembered(request, story).get("other", "")
    subject = area_subject(story, area) or (other_words if area == OTHER_SLUG else None)
    if not subject or not story.asks_about_help:
        return redirect(_url(token, ("areas", "")))
    existing = story.other_issue if area == OTHER_SLUG else story.issue_for(areas_by_slug()[area])
    form = HelpLevelForm(
        _posted(request),
        levels=story.levels,
        subject=subject,
        initial={"level": str(existing.level_id) if existing else None},
    )
    return _answer_page(
        request,
        token=token,
        story=story,
        step=("help", area),
        form=form,
        save=lambda: story_help_save(link=link, slug=area, level=form.chosen_level, other=subject),
    )


@require_http_methods(["GET", "POST"])
@family_page
def question(request: HttpRequest, *, link: CheckpointLink, token: str, key: str) -> HttpResponse:
    story = story_load(link)
    if story.sent:
        return redirect("outcomes:family_answers", token)
    domain = story.domain(key)
    if domain is None:
        return redirect("outcomes:family_start", token)
    levels = story.levels if domain.measure == MeasureType.TRIAGE_LEVEL else ()
    form = DomainForm(
        _posted(request),
        domain=domain,
        levels=levels,
        initial=DomainForm.initial_for(domain, story.scores.get(domain.pk)),
    )
    return _answer_page(
        request,
        token=token,
        story=story,
        step=("question", key),
        form=form,
        save=lambda: story_score_save(link=link, domain=domain, **form.answer()),
    )


@require_http_methods(["GET", "POST"])
@family_page
def own_words(request: HttpRequest, *, link: CheckpointLink, token: str) -> HttpResponse:
    story = story_load(link)
    if story.sent:
        return redirect("outcomes:family_answers", token)
    initial = {"text": story.narrative.text if story.narrative else ""}
    form = OwnWordsForm(_posted(request), initial=initial)
    return _answer_page(
        request,
        token=token,
        story=story,
        step=("own-words", ""),
        form=form,
        save=lambda: story_own_words_save(link=link, text=form.cleaned_data["text"]),
        skippable=False,
    )


@require_GET
@family_page
def check(request: HttpRequest, *, link: CheckpointLink, token: str) -> HttpResponse:
    story = story_load(link)
    if story.sent:
        return redirect("outcomes:family_answers", token)
    sections = story_answers(
        story,
        chosen=_chosen_areas(request, story),
        other=_remembered(request, story).get("other", ""),
    )
    for section in sections:
        for answer in section.answers:
            step = (answer.step, answer.key)
            answer.change_url = _url(token, step, change=True)  # type: ignore[attr-defined]
    back_url, _ = _neighbours(request, story, ("check", ""))
    return _page(
        request,
        "check.html",
        story,
        sections=sections,
        back_url=back_url,
        start_url=_url(token, _steps(request, story)[0]),
    )


@require_POST
@family_page
def send(request: HttpRequest, *, link: CheckpointLink, token: str) -> HttpResponse:
    try:
        story_send(link=link)
    except NothingToSend:
        return redirect("outcomes:family_check", token)
    request.session.pop(SESSION_KEY.format(link.pk), None)
    return redirect("outcomes:family_sent", token)


@require_GET
@family_page
def sent(request: HttpRequest, *, link: CheckpointLink, token: str) -> HttpResponse:
    story = story_load(link)
    if not story.sent:
        return redirect("outcomes:family_check", token)
    return _page(request, "sent.html", story)


@require_GET
@family_page
def answers(request: HttpRequest, *, link: CheckpointLink, token: str) -> HttpResponse:
    story = story_load(link)
    if not story.sent:
        return redirect("outcomes:family_start", token)
    return _page(
        request, "answers.html", story, sections=story_answers(story), sent_on=story_sent_on(story)
    )


@require_GET
@family_page
def download(request: HttpRequest, *, link: CheckpointLink, token: str) -> HttpResponse:
    story = story_load(link)
    if not story.sent:
        return redirect("outcomes:family_start", token)
    sent_on = story_sent_on(story)
    text = render_to_string(
        "outcomes/family/story.txt",
        {"story": story, "sections": story_answers(story), "sent_on": sent_on},
        request=request,
    )
    story_downloaded(story)
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="my-story-{sent_on:%Y-%m-%d}.txt"'
    return response
