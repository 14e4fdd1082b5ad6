"""Creating members where orders come in (接龙 paste, the campaign page, CSV import)."""

from __future__ import annotations

import secrets
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.members.models import Member
from workbench.stores.models import Community

PICKUP_CODE_DIGITS = 6


def new_pickup_code(session: Session, store_id: int) -> str:
    """A six-digit 提货码 not yet used in the store (the unique constraint is the backstop)."""
    taken = set(session.scalars(select(Member.pickup_code).where(
        Member.store_id == store_id, Member.pickup_code.is_not(None))))
    while True:
        code = f"{secrets.randbelow(10 ** PICKUP_CODE_DIGITS):0{PICKUP_CODE_DIGITS}d}"
        if code not in taken:
            return code


def ensure_pickup_code(session: Session, member: Member) -> str:
    """The member's code, assigned on first use (members from before codes existed)."""
    if not member.pickup_code:
        member.pickup_code = new_pickup_code(session, member.store_id)
        session.flush()
    return member.pickup_code


def create_member(
    session: Session,
    store_id: int,
    *,
    phone: str,
    name: str,
    joined_on: date,
    building_id: int | None = None,
    room: str = "",
    community_id: int | None = None,
) -> Member:
    """Add a member to the store (its first community unless given) with a pickup code."""
    if community_id is None:
        community_id = session.scalar(
            select(Community.id).where(Community.store_id == store_id).order_by(Community.id).limit(1))
        if community_id is None:
            raise ValueError(f"store {store_id} has no community")
    member = Member(store_id=store_id, community_id=community_id, building_id=building_id, phone=phone,
                    name=name, room=room, joined_on=joined_on,
                    pickup_code=new_pickup_code(session, store_id))
    session.add(member)
    session.flush()
    return member
