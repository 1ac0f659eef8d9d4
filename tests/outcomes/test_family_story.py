"""A family tells their story through a link, with no account: saved as they go, sent once, and
theirs to keep."""

import datetime
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor

from django.utils import timezone

import pytest

from core.models import AuditEntry
from core.models.audit import AuditAction
from outcomes.enums import CheckpointKind, CheckpointStatus, ConsentScope, MeasureType
from outcomes.models import (
    Checkpoint,
    CheckpointLink,
    DomainScore,
    FrameworkDomain,
    FrameworkVersion,
    Narrative,
    TriagedIssue,
    TriageLevel,
)
from outcomes.services.family_story import story_send
from outcomes.services.links import link_create, link_token
from tests.factories.core import OrganisationFactory, OrganisationMembershipFactory
from tests.factories.outcomes import EpisodeFactory, framework_version

pytestmark = pytest.mark.django_db

PHONE = {"HTTP_USER_AGENT": "Mozilla/5.0 (Linux; Android 14; Pixel 8) Mobile Safari/537.36"}


@pytest.fixture
def episode():
    organisation = OrganisationFactory(name="Millbrook Family Coaching")
    return EpisodeFactory(family__supporting_organisation=organisation)


@pytest.fixture
def practitioner(episode):
    return OrganisationMembershipFactory(organisation=episode.family.supporting_organisation).user


@pytest.fixture
def link(episode, practitioner):
    return link_create(episode=episode, kind=CheckpointKind.ASSESSMENT, by=practitioner)


def url(link, page=""):
    return f"/my-story/{link_token(link)}/{page}"


def level(key):
    return TriageLevel.objects.get(scale__slug="early-help-triage", key=key)


def text(response):
    return response.content.decode()


def checked(response) -> list[str]:
    """The values of the radios and checkboxes a page shows as already chosen."""
    return re.findall(r'value="([^"]*)"\s*checked="checked"', text(response))


def answer_everything(client, link):
    """The whole journey for the shipped early help triage framework, as a family would go."""
    client.post(
        url(link, "help/"), {"areas": ["money", "feelings"], "other": "Getting to appointments"}
    )
    client.post(url(link, "help/money/"), {"level": level("yellow").pk})
    client.post(url(link, "help/feelings/"), {"level": level("green").pk})
    client.post(url(link, "help/something-else/"), {"level": level("blue").pk})
    client.post(url(link, "questions/overall/"), {"score": "4"})
    client.post(
        url(link, "questions/own-goals/"), {"goal_1": "Mornings without shouting", "rating_1": "3"}
    )
    return client.post(
        url(link, "in-your-own-words/"), {"text": "We are behind on the rent.\nI can't sleep."}
    )


def test_a_family_reports_on_a_phone_without_an_account(client, link, episode, practitioner):
    start = client.get(url(link), **PHONE)
    page = text(start)
    assert start.status_code == 200
    assert "Tell us how things are" in page
    assert "It takes about 5 minutes" in page
    assert "come back to carry on using this same link" in page
    assert (
        "Only the people supporting you at Millbrook Family Coaching will see your answers" in page
    )
    assert (
        "episode" not in page.lower()
        and "checkpoint" not in page.lower()
        and "triage" not in page.lower()
    )

    areas = client.get(url(link, "help/"), **PHONE)
    assert "What would you like some help with?" in text(areas)
    response = client.post(
        url(link, "help/"),
        {"areas": ["money", "feelings"], "other": "Getting to appointments"},
        **PHONE,
    )
    assert response["Location"] == url(link, "help/money/")
    checkpoint = Checkpoint.objects.get(episode=episode)
    assert checkpoint.status == CheckpointStatus.DRAFT
    assert checkpoint.self_reported and checkpoint.recorded_on == timezone.localdate()
    assert checkpoint.assisted_by is None

    money = client.get(response["Location"], **PHONE)
    assert "How much help would you like with money and bills?" in text(money)
    assert "We need some extra help with this" in text(money)  # the levels' words for families
    response = client.post(url(link, "help/money/"), {"level": level("yellow").pk}, **PHONE)
    assert response["Location"] == url(link, "help/feelings/")
    response = client.post(response["Location"], {"level": level("green").pk}, **PHONE)
    assert response["Location"] == url(link, "help/something-else/")
    assert "How much help would you like with Getting to appointments?" in text(
        client.get(response["Location"])
    )
    response = client.post(response["Location"], {"level": level("blue").pk}, **PHONE)
    assert response["Location"] == url(link, "questions/overall/")

    overall = text(client.get(response["Location"], **PHONE))
    assert "Overall, how are things for your family at the moment?" in overall
    assert "Really hard" in overall and "Really good" in overall
    response = client.post(url(link, "questions/overall/"), {"score": "4"}, **PHONE)
    assert response["Location"] == url(link, "questions/own-goals/")
    response = client.post(
        response["Location"],
        {
            "goal_1": "Mornings without shouting",
            "rating_1": "3",
            "goal_2": "Pay the rent on time",
            "rating_2": "5",
        },
        **PHONE,
    )
    assert response["Location"] == url(link, "in-your-own-words/")
    response = client.post(
        response["Location"], {"text": "We are behind on the rent.\nI can't sleep."}, **PHONE
    )
    assert response["Location"] == url(link, "check/")

    check = text(client.get(url(link, "check/"), **PHONE))
    for words in (
        "Money and bills",
        "We need some extra help with this",
        "Getting to appointments",
        "4 out of 10",
        "Mornings without shouting – 3 out of 10",
        "I can&#x27;t sleep.",
    ):
        assert words in check
    assert url(link, "questions/overall/?change=1") in check

    response = client.post(url(link, "send/"), **PHONE)
    assert response["Location"] == url(link, "sent/")
    sent = text(client.get(response["Location"], **PHONE))
    assert "Your answers have been sent" in sent

    checkpoint.refresh_from_db()
    assert checkpoint.status == CheckpointStatus.SUBMITTED and checkpoint.submitted_at
    assert {(issue.issue, issue.level.key) for issue in checkpoint.issues.all()} == {
        ("money", "yellow"),
        ("emotional wellbeing", "green"),
        ("Getting to appointments", "blue"),
    }
    scores = {score.domain.key: score for score in checkpoint.scores.all()}
    assert scores["overall"].score == 4
    assert scores["own-goals"].goals == [
        {"goal": "Mornings without shouting", "rating": 3},
        {"goal": "Pay the rent on time", "rating": 5},
    ]
    narrative = Narrative.objects.get(checkpoint=checkpoint)
    assert narrative.written_by_family
    assert narrative.text == "We are behind on the rent.\nI can't sleep."
    submitted = AuditEntry.objects.for_object(checkpoint).get(action=AuditAction.TRANSITION)
    assert submitted.actor_id is None and "family" in submitted.reason
    assert (submitted.from_state, submitted.to_state) == ("draft", "submitted")


def test_the_family_can_stop_and_carry_on_later_with_the_same_link(client, link):
    client.post(url(link, "help/"), {"areas": [], "other": ""})
    client.post(url(link, "questions/overall/"), {"score": "6"})

    later = type(client)()  # another day, perhaps another phone
    start = text(later.get(url(link)))

    assert "You have already started" in start
    assert f'href="{url(link, "questions/own-goals/")}"' in start
    assert checked(later.get(url(link, "questions/overall/"))) == ["6"]


def test_submitting_twice_makes_one_submission(client, link):
    answer_everything(client, link)

    first = client.post(url(link, "send/"))
    second = client.post(url(link, "send/"))

    assert first["Location"] == second["Location"] == url(link, "sent/")
    checkpoint = Checkpoint.objects.get()
    assert checkpoint.status == CheckpointStatus.SUBMITTED
    assert (
        AuditEntry.objects.for_object(checkpoint).filter(action=AuditAction.TRANSITION).count() == 1
    )
    checkpoint_again, sent_now = story_send(link=link)
    assert (checkpoint_again.pk, sent_now) == (checkpoint.pk, False)


def test_once_sent_the_answers_can_be_read_and_kept_but_not_changed(client, link):
    answer_everything(client, link)
    client.post(url(link, "send/"))

    change = client.post(url(link, "questions/overall/"), {"score": "9"})
    start = client.get(url(link))

    assert change["Location"] == url(link, "your-answers/")
    assert start["Location"] == url(link, "your-answers/")
    assert DomainScore.objects.get(domain__key="overall").score == 4
    answers = text(client.get(url(link, "your-answers/")))
    assert "What you told us" in answers and "4 out of 10" in answers
    assert "?change=1" not in answers

    download = client.get(url(link, "your-answers/download/"))
    assert download.status_code == 200
    assert download["Content-Type"] == "text/plain; charset=utf-8"
    assert download["Content-Disposition"].startswith('attachment; filename="my-story-')
    story = download.content.decode()
    assert "what you told Millbrook Family Coaching" in story
    assert "We are behind on the rent." in story and "I can't sleep." in story
    assert "Mornings without shouting – 3 out of 10" in story
    assert AuditEntry.objects.filter(action=AuditAction.DOWNLOAD, actor_id=None).exists()


def test_an_expired_link_shows_nothing_of_the_family(client, link, episode):
    answer_everything(client, link)
    CheckpointLink.objects.filter(pk=link.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )

    for page in (
        "",
        "help/",
        "questions/overall/",
        "check/",
        "your-answers/",
        "your-answers/download/",
    ):
        response = client.get(url(link, page))
        body = text(response)
        assert response.status_code == 410, page
        assert "Ask the person who gave you the link for a new one" in body
        for secret in (
            episode.family.reference,
            episode.reference,
            "Millbrook Family Coaching",
            "rent",
        ):
            assert secret not in body, (page, secret)
    assert client.post(url(link, "send/")).status_code == 410
    assert Checkpoint.objects.get().status == CheckpointStatus.DRAFT


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: "9" + token,
        lambda token: "not-a-link",
        lambda token: token.replace(".", ":"),
    ],
    ids=["signature", "id", "nonsense", "separator"],
)
def test_a_tampered_link_shows_a_kind_page_and_nothing_else(client, link, tamper):
    response = client.get(f"/my-story/{tamper(link_token(link))}/")

    assert response.status_code == 404
    assert "This link does not work" in text(response)
    assert "Millbrook" not in text(response)
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"


def test_a_link_for_one_family_cannot_open_another_familys_record(client, link, practitioner):
    other = EpisodeFactory()
    other_practitioner = OrganisationMembershipFactory(
        organisation=other.family.supporting_organisation
    ).user
    other_link = link_create(episode=other, kind=CheckpointKind.ASSESSMENT, by=other_practitioner)
    client.post(url(other_link, "questions/overall/"), {"score": "2"})

    # The id in the token is signed: putting the other link's id in this family's token fails.
    _, stamp, signature = link_token(link).split(".")
    forged = f"{other_link.pk}.{stamp}.{signature}"
    assert client.get(f"/my-story/{forged}/").status_code == 404

    # This family's link writes only to this family's record.
    client.post(url(link, "questions/overall/"), {"score": "8"})
    assert Checkpoint.objects.get(episode=link.episode).scores.get().score == 8
    assert Checkpoint.objects.get(episode=other).scores.get().score == 2
    assert checked(client.get(url(other_link, "questions/overall/"))) == ["2"]


def test_a_question_left_unanswered_says_what_to_do_and_saves_nothing(client, link):
    response = client.post(url(link, "questions/overall/"), {})

    page = text(response)
    assert response.status_code == 200
    assert "<title>Error: " in page
    assert "There is a problem" in page and "Select a number from 1 to 10" in page
    assert 'href="#id_score_1"' in page and 'id="id_score_1"' in page
    assert not Checkpoint.objects.exists()


def test_a_goal_needs_a_rating_from_0_to_10(client, link):
    response = client.post(
        url(link, "questions/own-goals/"), {"goal_1": "Sleep better", "rating_1": "11"}
    )

    assert "Enter a number from 0 to 10" in text(response)
    response = client.post(url(link, "questions/own-goals/"), {"goal_1": "Sleep better"})
    assert "Enter how close you are to it, from 0 to 10" in text(response)
    assert not DomainScore.objects.exists()


def test_changing_an_answer_from_the_check_page_goes_back_to_it(client, link):
    answer_everything(client, link)

    response = client.post(url(link, "questions/overall/?change=1"), {"score": "7"})
    assert response["Location"] == url(link, "check/")

    response = client.post(url(link, "help/?change=1"), {"areas": ["money", "home"], "other": ""})
    assert response["Location"] == url(link, "help/home/?change=1")
    response = client.post(response["Location"], {"level": level("orange").pk})
    assert response["Location"] == url(link, "check/")
    issues = {issue.issue: issue.level.key for issue in TriagedIssue.objects.all()}
    assert issues == {"money": "yellow", "housing": "orange"}
    assert DomainScore.objects.get(domain__key="overall").score == 7


def test_a_question_can_be_skipped_and_shows_as_not_answered(client, link):
    client.post(url(link, "help/"), {"areas": []})
    page = text(client.get(url(link, "questions/overall/")))

    assert f'href="{url(link, "questions/own-goals/")}"' in page
    assert "Skip this question" in page
    check = text(client.get(url(link, "check/")))
    assert "Not answered" in check and "Send my answers" in check


def test_something_else_that_is_on_the_list_is_taken_as_that(client, link):
    response = client.post(url(link, "help/"), {"areas": [], "other": "Money and bills"})

    assert response["Location"] == url(link, "help/money/")
    client.post(response["Location"], {"level": level("green").pk})
    assert [(issue.issue, issue.level.key) for issue in TriagedIssue.objects.all()] == [
        ("money", "green")
    ]


def test_things_ticked_but_not_yet_answered_show_on_the_check_page(client, link):
    client.post(url(link, "help/"), {"areas": ["health"], "other": "Getting to appointments"})

    check = text(client.get(url(link, "check/")))

    assert "Health" in check and "Getting to appointments" in check
    assert check.count("Not answered") == 5  # two levels, two questions and their own words
    assert url(link, "help/health/?change=1") in check
    assert url(link, "help/something-else/?change=1") in check


@pytest.mark.parametrize(
    ("scope", "words"),
    [
        (ConsentScope.SUPPORT_ONLY, "Only the people supporting you"),
        (ConsentScope.PARTNERS, "and so will the early help team"),
        (ConsentScope.ANONYMOUS_REPORTING, "and so will the early help team"),
    ],
)
def test_the_start_page_says_who_will_see_the_answers(client, link, scope, words):
    family = link.episode.family
    family.consent_scope = scope
    family.save()

    page = text(client.get(url(link)))
    assert words in page
    # Everyone is told, whatever they chose, that answers are counted together without identifying them.
    assert "without names or anything that could identify you" in page


def test_family_pages_are_never_cached_and_never_send_a_referrer(client, link):
    for page in ("", "help/", "questions/overall/", "check/"):
        response = client.get(url(link, page))
        assert "no-store" in response["Cache-Control"], page
        assert response["Referrer-Policy"] == "no-referrer", page
        assert '<meta name="referrer" content="no-referrer">' in text(response)
        assert "https://" not in text(response).split("<body")[0], "nothing from anyone else"


def test_no_page_asks_for_a_name(client, link):
    """The only things a family is asked are the questions themselves: no name, no contact details."""
    client.post(url(link, "help/"), {"areas": ["money"]})
    pages = [
        "",
        "help/",
        "help/money/",
        "questions/overall/",
        "questions/own-goals/",
        "in-your-own-words/",
        "check/",
    ]
    asked = set()
    for page in pages:
        asked |= set(
            re.findall(
                r'<(?:input|textarea|select)\b[^>]*\bname="([^"]+)"',
                text(client.get(url(link, page))),
            )
        )
    goals = {f"{part}_{slot}" for part in ("goal", "rating") for slot in (1, 2, 3)}
    assert asked == {"continue", "areas", "other", "level", "score", "text"} | goals


def test_an_assisted_link_records_who_helped(client, episode, practitioner):
    link = link_create(episode=episode, kind=CheckpointKind.REVIEW, by=practitioner, assisted=True)

    assert "together with the person who is supporting you" in text(client.get(url(link)))
    client.post(url(link, "questions/overall/"), {"score": "5"})
    client.post(url(link, "send/"))

    checkpoint = Checkpoint.objects.get(kind=CheckpointKind.REVIEW)
    assert checkpoint.assisted_by == practitioner and checkpoint.self_reported
    assert checkpoint.status == CheckpointStatus.SUBMITTED
    transition = AuditEntry.objects.for_object(checkpoint).get(action=AuditAction.TRANSITION)
    assert "practitioner" in transition.reason


def test_each_review_link_fills_in_its_own_review(client, episode, practitioner):
    first = link_create(episode=episode, kind=CheckpointKind.REVIEW, by=practitioner)
    client.post(url(first, "questions/overall/"), {"score": "3"})
    client.post(url(first, "send/"))
    second = link_create(episode=episode, kind=CheckpointKind.REVIEW, by=practitioner)

    assert "You have already started" not in text(client.get(url(second)))
    client.post(url(second, "questions/overall/"), {"score": "8"})
    client.post(url(second, "send/"))

    reviews = Checkpoint.objects.filter(kind=CheckpointKind.REVIEW).order_by("id")
    assert [review.scores.get().score for review in reviews] == [3, 8]
    assert all(review.status == CheckpointStatus.SUBMITTED for review in reviews)
    # Each link still shows the family what they said through it, and only that.
    assert "3 out of 10" in text(client.get(url(first, "your-answers/")))
    assert "8 out of 10" not in text(client.get(url(first, "your-answers/")))
    assert "8 out of 10" in text(client.get(url(second, "your-answers/")))


def test_a_new_link_carries_on_the_answers_already_given(client, episode, practitioner, link):
    client.post(url(link, "questions/overall/"), {"score": "6"})
    again = link_create(episode=episode, kind=CheckpointKind.ASSESSMENT, by=practitioner)

    assert client.get(url(link)).status_code == 410
    assert "You have already started" in text(client.get(url(again)))
    assert Checkpoint.objects.count() == 1


def test_every_kind_of_question_is_asked_and_kept(client, practitioner):
    """A council's own framework may ask yes/no questions and for a level on the triage scale."""
    base = framework_version()
    version = FrameworkVersion.objects.create(framework=base.framework, number=base.number + 1)
    FrameworkDomain.objects.create(
        version=version,
        order=1,
        key="school",
        label="School",
        measure=MeasureType.YES_NO,
        question="Are the children going to school most days?",
    )
    FrameworkDomain.objects.create(
        version=version,
        order=2,
        key="safety",
        label="Safety",
        measure=MeasureType.TRIAGE_LEVEL,
        question="How much help would you like to feel safe at home?",
    )
    episode = EpisodeFactory(framework_version=version)
    OrganisationMembershipFactory(
        organisation=episode.family.supporting_organisation, user=practitioner
    )
    link = link_create(episode=episode, kind=CheckpointKind.CLOSURE, by=practitioner)

    assert "Tell us how things are now" in text(client.get(url(link)))
    page = text(client.get(url(link, "questions/school/")))
    assert 'value="yes"' in page and 'value="no"' in page
    client.post(url(link, "questions/school/"), {"answer": "no"})
    assert "We can sort this out ourselves" in text(client.get(url(link, "questions/safety/")))
    client.post(url(link, "questions/safety/"), {"level": level("green").pk})
    client.post(url(link, "send/"))

    scores = {
        score.domain.key: score for score in DomainScore.objects.filter(checkpoint__episode=episode)
    }
    assert scores["school"].answer is False
    assert scores["safety"].level.key == "green"
    assert Checkpoint.objects.get(episode=episode).kind == CheckpointKind.CLOSURE


def test_the_my_story_address_without_a_link_explains_what_to_do(client):
    response = client.get("/my-story/")

    assert response.status_code == 200
    assert "use the link that the person supporting you gave you" in text(response)


def test_answers_save_from_a_browser_that_sends_no_origin(link):
    """With no referrer allowed, a browser sends `Origin: null` with the family's form. The link in
    the address is what lets them in, so their answers are still saved."""
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    response = browser.post(url(link, "questions/overall/"), {"score": "6"}, HTTP_ORIGIN="null")

    assert response.status_code == 302
    assert DomainScore.objects.get().score == 6


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="SQLite runs one writer at a time; the row lock being tested is PostgreSQL's",
)
@pytest.mark.django_db(transaction=True)
def test_two_sends_at_the_same_moment_make_one_submission(link):
    """A double tap on a slow phone sends twice at once; the database lets only one through."""
    from django.db import connection
    from django.test import Client

    Client().post(url(link, "questions/overall/"), {"score": "6"})
    both_ready = threading.Barrier(2)

    def send_once(_):
        try:
            both_ready.wait(timeout=10)
            return story_send(link=link)[1]
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(send_once, range(2)))

    assert sorted(results) == [False, True]
    checkpoint = Checkpoint.objects.get()
    assert checkpoint.status == CheckpointStatus.SUBMITTED
    transitions = AuditEntry.objects.for_object(checkpoint).filter(action=AuditAction.TRANSITION)
    assert transitions.count() == 1


def test_the_areas_families_can_ask_help_with_are_the_councils_own(client, link):
    """The list is data: an administrator renames one, adds one and retires one in the admin,
    and the family's page follows; reports keep grouping the retired area's answers by its issue."""
    from outcomes.models import IssueArea
    from tests.outcomes.test_setup_admin import staff

    client.post(url(link, "help/"), {"areas": ["money", "feelings"], "other": ""})
    admin = client.__class__()
    staff(admin, superuser=True)
    money = IssueArea.objects.get(slug="money")
    response = admin.post(
        f"/admin/family-issue-areas/edit/{money.pk}/",
        {
            "label": "Money, debts and bills",
            "subject": "money, debts and bills",
            "issue": "money",
            "slug": "money",
            "position": money.position,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    response = admin.post(
        "/admin/family-issue-areas/new/",
        {
            "label": "Getting to appointments",
            "subject": "getting to appointments",
            "issue": "transport",
            "slug": "transport",
            "position": 20,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    IssueArea.objects.filter(slug="feelings").update(is_active=False)
    from django.core.cache import cache

    cache.clear()  # a direct update skips the model's own cache reset; the admin's save does not

    page = client.get(url(link, "help/")).content.decode()
    assert "Money, debts and bills" in page
    assert "Getting to appointments" in page
    assert "Feeling worried, low or stressed" not in page
    assert admin.get("/admin/family-issue-areas/delete/1/").status_code == 404
