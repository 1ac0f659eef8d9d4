"""What a signed-in person may do, remembered between requests.

Every signed-in page asks what the person may do: their model permissions (two queries, their own
and their roles'), whether their roles need two-step sign-in (two more), and on staff pages the
admin menu built from both. These change when someone's roles change, never in the course of
ordinary work, so they are kept in the shared cache and all fetched in one round trip.

Correctness rests on versions, not on deleting entries. There is a version for each person and
one for everyone. A remembered fact records the two versions as they were *before* it was worked
out, and the person's flags (is_superuser, is_staff, is_active) as they were; it is used only while
all of these are still the same. A change replaces a version with a new random one:

- a person's own change (their roles, their own permissions, their board seats, their locality
  placements, their account): their version;
- anything that changes what a role means (a role's permissions, a role or permission itself, a
  role's two-step sign-in policy, Wagtail's page, collection and site permissions, a migration):
  everyone's.

Lists whose frame shows records (core.admin_frame: the funds a filter offers, say) also use a
version for each such model, replaced whenever one of its records is saved or deleted; a model is
followed so from its app's ready() (`follow_records`), in every process. A fact about a person
that shows such records (the applications of their groups, say) is remembered under those
versions too (`remembered_with_records`).

A version is replaced at once and, inside a transaction, again when it commits: a request that
read the old rows just before the commit stored them under the version the commit then replaces,
so they are never used. Versions are random, so a version lost from the cache is never mistaken
for an earlier one.

Nothing is remembered unless settings.REMEMBER_ACCESS: the cache must be one that every process
shares (Redis), or a change seen by one process would go unnoticed by the others.

Django's signals tell us of every change made through the ORM except `bulk_create`,
`QuerySet.update` and raw SQL. Code that changes roles or permissions that way must call
`access_changed()` afterwards. Facts also expire after ACCESS_TTL, as a backstop.
"""

import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.functional import LazyObject, empty

ACCESS_TTL = 5 * 60  # seconds a remembered fact may be used, at most
VERSION_TTL = 24 * 60 * 60  # a lost version only makes every fact under it a miss
EVERYONE = "access:version:everyone"
#: Facts fetched together on a person's first question in a request (see `fetch_with_access`).
FACTS = ["permissions", "requires_mfa"]

Versions = tuple[str, str]


def _person_key(pk: Any) -> str:
    return f"access:version:person:{pk}"


def fact_key(pk: Any, fact: str) -> str:
    return f"access:{fact}:{pk}"


def flags(user: Any) -> tuple[bool, bool, bool]:
    """The account flags a fact depends on. Checked on every use, because they can be changed by
    QuerySet.update (Wagtail's bulk deactivation does) without a signal."""
    return (bool(user.is_superuser), bool(user.is_staff), bool(user.is_active))


@dataclass
class _Loaded:
    """What this request has fetched for one person (kept on the user object)."""

    versions: Versions | None
    facts: dict[str, Any] = field(default_factory=dict)
    records: dict[str, str] = field(default_factory=dict)


def _valid(entry: Any, versions: Versions | None, user: Any) -> bool:
    return (
        versions is not None
        and isinstance(entry, tuple)
        and len(entry) == 3
        and entry[0] == versions
        and entry[1] == flags(user)
    )


def _unwrapped(user: Any) -> Any:
    """The user itself, not request.user's lazy wrapper (whose own __dict__ would otherwise hold
    what was fetched, hidden from the user object ModelBackend is given)."""
    if isinstance(user, LazyObject):
        if user._wrapped is empty:
            user._setup()
        return user._wrapped
    return user


def _load(user: Any) -> _Loaded:
    user = _unwrapped(user)
    loaded = user.__dict__.get("_access_loaded")
    if loaded is None and not settings.REMEMBER_ACCESS:
        loaded = user.__dict__["_access_loaded"] = _Loaded(None)
    if loaded is None:
        person = _person_key(user.pk)
        records = [_records_key(label) for label in sorted(_FOLLOWED)]
        keys = [EVERYONE, person, *(fact_key(user.pk, fact) for fact in FACTS), *records]
        found = cache.get_many(keys)  # one round trip for all of it
        versions = (found.get(EVERYONE), found.get(person))
        current = versions if None not in versions else None
        loaded = _Loaded(current)
        for fact in FACTS:
            entry = found.get(fact_key(user.pk, fact))
            if _valid(entry, current, user):
                loaded.facts[fact] = entry[2]
        loaded.records = {key: found[key] for key in records if key in found}
        user.__dict__["_access_loaded"] = loaded
    return loaded


def versions_for(user: Any) -> Versions | None:
    """The versions now current for this person, created if the cache has none. Read them
    *before* working something out, and store it under them. None if the cache cannot keep them
    (then nothing is remembered)."""
    loaded = _load(user)
    if loaded.versions is None and settings.REMEMBER_ACCESS:
        person = _person_key(user.pk)
        cache.add(EVERYONE, _new_version(), VERSION_TTL)
        cache.add(person, _new_version(), VERSION_TTL)
        found = cache.get_many([EVERYONE, person])
        versions = (found.get(EVERYONE), found.get(person))
        loaded.versions = versions if None not in versions else None
    return loaded.versions


def records_versions(user: Any, models: Iterable[Any]) -> tuple[str, ...] | None:
    """The current version of each model's records (see `follow_records`), created if the cache
    has none; None if a model is not followed or the cache cannot keep versions. For a signed-in
    person they came with the rest of what was fetched for them; otherwise this fetches them."""
    if not settings.REMEMBER_ACCESS:
        return None
    keys = []
    for model in models:
        label = model._meta.label_lower
        if label not in _FOLLOWED:
            return None
        keys.append(_records_key(label))
    signed_in = user is not None and user.is_authenticated and user.pk is not None
    known = _load(user).records if signed_in else {}
    missing = [key for key in keys if key not in known]
    if missing:
        found = cache.get_many(missing)
        for key in missing:
            if key not in found and cache.add(key, version := _new_version(), VERSION_TTL):
                found[key] = version
        if len(found) < len(missing):
            found |= cache.get_many([key for key in missing if key not in found])
        known.update(found)
    if any(key not in known for key in keys):
        return None
    return tuple(known[key] for key in keys)


_MISSING = object()


def recall(user: Any, fact: str) -> Any:
    """The remembered fact, or `_MISSING`. Ensures the versions exist, so that whatever the
    caller works out next can be stored under them."""
    loaded = _load(user)
    if fact in loaded.facts:
        return loaded.facts[fact]
    versions_for(user)
    return _MISSING


def remember(user: Any, fact: str, value: Any) -> None:
    """Store a fact worked out after `recall` (or `versions_for`) read the versions."""
    loaded = _load(user)
    loaded.facts[fact] = value
    if loaded.versions is not None:
        cache.set(fact_key(user.pk, fact), (loaded.versions, flags(user), value), ACCESS_TTL)


def remembered[T](user: Any, fact: str, work_out: Callable[[], T]) -> T:
    """`work_out()` for this person, remembered across requests under their versions."""
    if user.pk is None:
        return work_out()
    value = recall(user, fact)
    if value is _MISSING:
        value = work_out()
        remember(user, fact, value)
    return value


def fetch_with_access(*facts: str) -> None:
    """Fetch these facts in the one round trip made for a person's first question in a request,
    rather than asking the cache for each when it is needed. Call it from an app's ready()."""
    for fact in facts:
        if fact not in FACTS:
            FACTS.append(fact)


def remembered_with_records[T](
    user: Any, fact: str, models: Iterable[Any], work_out: Callable[[], T], *, also: Any = None
) -> T:
    """`work_out()` for this person, remembered across requests under their versions, the
    versions of these models' records (each followed with `follow_records`) and `also`, anything
    else it depends on (today's date, say). Name the fact with `fetch_with_access`."""
    if user.pk is None or not user.is_authenticated:
        return work_out()
    records = records_versions(user, models)  # read before working it out
    if records is None:
        return work_out()
    depends_on = (records, also)
    kept = recall(user, fact)
    if isinstance(kept, tuple) and len(kept) == 2 and kept[0] == depends_on:
        return kept[1]
    value = work_out()
    remember(user, fact, (depends_on, value))
    return value


class RememberedPermissions:
    """Django's ModelBackend keeps a person's permissions on the user object for the rest of the
    request, in `_perm_cache`, and works them out with two queries when it is not there. As this
    descriptor on the user model, `_perm_cache` is also remembered between requests.

    ModelBackend asks `hasattr(user, "_perm_cache")`, then sets it: a remembered set answers the
    first, and whatever it works out is remembered by the second. Nothing else changes: inactive
    and anonymous users, and object permissions, never reach it."""

    name = "_perm_cache"

    def __get__(self, user: Any, owner: type | None = None) -> Any:
        if user is None:
            return self
        try:
            return user.__dict__[self.name]
        except KeyError:
            pass
        if user.pk is not None:
            permissions = recall(user, "permissions")
            if permissions is not _MISSING:
                user.__dict__[self.name] = set(permissions)
                return user.__dict__[self.name]
        raise AttributeError(self.name)

    def __set__(self, user: Any, value: set[str]) -> None:
        user.__dict__[self.name] = value
        if user.pk is not None:
            remember(user, "permissions", frozenset(value))

    def __delete__(self, user: Any) -> None:
        try:
            del user.__dict__[self.name]
        except KeyError:
            raise AttributeError(self.name) from None


# Changes ------------------------------------------------------------------------------------------


def _new_version() -> str:
    return secrets.token_hex(8)


def _replace(keys: list[str]) -> None:
    if len(keys) == 1:  # most changes: one SET, where set_many sends two commands in a pipeline
        cache.set(keys[0], _new_version(), VERSION_TTL)
    else:
        cache.set_many({key: _new_version() for key in keys}, VERSION_TTL)


def _replace_now_and_on_commit(keys: list[str]) -> None:
    if not keys:
        return
    _replace(keys)
    # Outside a transaction the change is already committed, and "on commit" would be now again.
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _replace(keys))


def access_changed(people: Iterable[Any] | None = None) -> None:
    """Forget what is remembered about these people (primary keys), or about everyone. Now, and
    again when the current transaction commits (see the module's docstring)."""
    keys = [EVERYONE] if people is None else [_person_key(pk) for pk in set(people)]
    _replace_now_and_on_commit(keys)


def _records_key(label: str) -> str:
    return f"access:version:records:{label}"


#: Models whose records' version is kept (`follow_records`), by label.
_FOLLOWED: set[str] = set()


def _on_save_and_delete(receiver: Callable[..., None], models: Iterable[Any], uid: str) -> None:
    """Connect `receiver` to each model's post_save and post_delete."""
    from django.db.models.signals import post_delete, post_save

    for model in models:
        for signal in (post_save, post_delete):
            signal.connect(
                receiver,
                sender=model,
                dispatch_uid=f"{uid}.{signal is post_save}.{model._meta.label_lower}",
            )


def follow_records(*models: Any) -> None:
    """Keep a version of these models' records, replaced whenever one is saved or deleted. Call
    it from the app's ready(), so that every process (web, worker, command) replaces it."""
    _FOLLOWED.update(model._meta.label_lower for model in models)
    _on_save_and_delete(_records_saved_or_deleted, models, "core.access.records")


def records_changed(model: Any) -> None:
    """Forget what is remembered about this model's records (after a bulk_create or update)."""
    _replace_now_and_on_commit([_records_key(model._meta.label_lower)])


def _records_saved_or_deleted(sender: Any, **kwargs: Any) -> None:
    records_changed(sender)


def _everyone_changed(**kwargs: Any) -> None:
    access_changed()


def _account_saved(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    # Signing in saves last_login, which no fact depends on.
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    access_changed([instance.pk])


def _account_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    access_changed([instance.pk])


def _person_row_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A row that belongs to one person: a role membership, an own permission, a board seat, a
    locality placement."""
    access_changed([instance.user_id])


def _person_row_moving(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A row given to someone else (a placement or a board seat edited in the admin): the person
    it is taken from changes too, and post_save knows only the one it is given to."""
    if instance._state.adding or instance.pk is None:
        return
    previous = (
        sender._default_manager.filter(pk=instance.pk).values_list("user_id", flat=True).first()
    )
    if previous is not None and previous != instance.user_id:
        access_changed([previous])


def _memberships_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any
) -> None:
    """user.groups / user.user_permissions, from either side."""
    if not action.startswith("post_"):
        return
    if not reverse:
        access_changed([instance.pk])
    elif pk_set:
        access_changed(pk_set)
    else:  # group.user_set.clear(): the people it had are no longer known
        access_changed()


def _role_permissions_changed(action: str, **kwargs: Any) -> None:
    if action.startswith("post_"):
        access_changed()


def connect_signals() -> None:
    """Called once, from CoreConfig.ready()."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission
    from django.db.models.signals import (
        m2m_changed,
        post_delete,
        post_migrate,
        post_save,
        pre_save,
    )

    from wagtail.models import GroupCollectionPermission, GroupPagePermission, GroupSitePermission
    from wagtail.signals import post_page_move

    from core.models import BoardMembership, LocalityStaff, RolePolicy

    user_model = get_user_model()
    uid = "core.access"
    post_save.connect(_account_saved, sender=user_model, dispatch_uid=f"{uid}.account-saved")
    post_delete.connect(_account_deleted, sender=user_model, dispatch_uid=f"{uid}.account-deleted")

    # A person's own rows. Receivers on the through models also make QuerySet.delete() of them
    # send these signals (Django only deletes without signals when nobody listens).
    person_rows = (
        user_model.groups.through,
        user_model.user_permissions.through,
        BoardMembership,
        LocalityStaff,  # which localities' records they see
    )
    _on_save_and_delete(_person_row_changed, person_rows, uid)
    for model in person_rows:
        pre_save.connect(
            _person_row_moving, sender=model, dispatch_uid=f"{uid}.moving.{model._meta.label_lower}"
        )
    for through in (user_model.groups.through, user_model.user_permissions.through):
        m2m_changed.connect(
            _memberships_changed, sender=through, dispatch_uid=f"{uid}.m2m.{through._meta.label}"
        )

    # What a role means. Wagtail's group editor saves the group whenever it saves the group's
    # page and collection permissions (which it bulk-creates), so the group's post_save covers
    # those too.
    role_rows = (
        Group,
        Permission,
        RolePolicy,
        GroupPagePermission,
        GroupCollectionPermission,
        GroupSitePermission,
    )
    _on_save_and_delete(_everyone_changed, role_rows, uid)
    m2m_changed.connect(
        _role_permissions_changed,
        sender=Group.permissions.through,
        dispatch_uid=f"{uid}.m2m.group-permissions",
    )
    # Where the admin's page explorer starts depends on the page tree.
    post_page_move.connect(_everyone_changed, dispatch_uid=f"{uid}.page-moved")
    post_migrate.connect(_everyone_changed, dispatch_uid=f"{uid}.migrated")
