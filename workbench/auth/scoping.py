"""The one place that decides which stores a user may see.

Every query an owner or regional manager can reach goes through ``scoped`` (or
``get_scoped_or_404`` for a single row), so a missing filter cannot leak another
store's data: HQ and admins see every store, a regional manager the stores of one
region, an owner only their own store.
"""

from __future__ import annotations

from typing import TypeVar

from flask import abort
from flask_login import current_user
from sqlalchemy import ColumnElement, Select, false, select, true

from workbench.auth.models import Role, User
from workbench.extensions import db
from workbench.stores.models import Store

T = TypeVar("T")


def store_condition(store_id_column, user: User | None = None) -> ColumnElement[bool]:
    """A WHERE clause limiting ``store_id_column`` to the stores ``user`` may see."""
    user = user if user is not None else current_user
    if not getattr(user, "is_authenticated", False):
        return false()
    if user.role in (Role.HQ, Role.ADMIN):
        return true()
    if user.role == Role.REGIONAL:
        return store_id_column.in_(select(Store.id).where(Store.region_id == user.region_id))
    store = user.store
    return store_id_column == store.id if store is not None else false()


def store_column(model):
    """The column holding a model's store id (a store's own id for ``Store``)."""
    return model.id if model is Store else model.store_id


def scoped(stmt: Select, model, user: User | None = None) -> Select:
    """``stmt`` restricted to rows of ``model`` in the user's visible stores.

    For a model without a store column, join to one that has it and pass that one.
    """
    return stmt.where(store_condition(store_column(model), user))


def get_scoped_or_404(model: type[T], ident, user: User | None = None) -> T:
    """The row with primary key ``ident`` if the user may see it, else 404.

    404, not 403: an owner must not learn that another store's order 123 exists.
    """
    row = db.session.scalar(scoped(select(model).where(model.id == ident), model, user))
    if row is None:
        abort(404)
    return row


def visible_stores(user: User | None = None) -> Select:
    """``select(Store)`` of the stores the user may see, ordered by code."""
    return scoped(select(Store), Store, user).order_by(Store.code)


def current_store() -> Store:
    """The logged-in owner's store; owner views get their store only through this.

    Views behind ``owner_required`` call it, so ``None`` cannot happen there; anywhere
    else a missing store is a 403, never a silent empty page.
    """
    store = getattr(current_user, "store", None) if current_user.is_authenticated else None
    if store is None or current_user.role != Role.OWNER:
        abort(403)
    return store
