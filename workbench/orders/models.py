"""Group-buy campaigns (团购活动), orders, their history, refunds and pickups."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workbench.extensions import db
from workbench.types import UTCDateTime, in_check, utcnow


class CampaignStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    GROUPED = "grouped"  # reached its threshold (成团)
    FAILED = "failed"  # did not reach it
    CLOSED = "closed"
    CANCELLED = "cancelled"


class OrderStatus(StrEnum):
    PLACED = "placed"
    PAID = "paid"
    GROUPED = "grouped"
    FAILED = "failed"
    PACKED = "packed"
    SHIPPED = "shipped"
    ARRIVED = "arrived"
    PICKED_UP = "picked_up"
    REFUNDED = "refunded"
    CANCELLED = "cancelled"


#: Orders that did not turn into a sale: they count towards no GMV, KPI or forecast.
NOT_SALES = (OrderStatus.CANCELLED, OrderStatus.REFUNDED, OrderStatus.FAILED)


class OrderSource(StrEnum):
    JIELONG = "jielong"  # pasted from a WeChat 接龙
    QR = "qr"  # the campaign order page
    CSV = "csv"
    COUNTER = "counter"
    DEMO = "demo"


class PickupMethod(StrEnum):
    PHONE_TAIL = "phone_tail"
    ORDER_CODE = "order_code"
    QR = "qr"
    MANUAL = "manual"


class Campaign(db.Model):
    __tablename__ = "campaigns"
    __table_args__ = (
        CheckConstraint(in_check("status", CampaignStatus), name="status"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_campaigns_store_start", "store_id", "starts_at"),
        # A pickup day's batch across all stores (HQ's shipping and purchase pages) starts here.
        Index("ix_campaigns_pickup_on", "pickup_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    title: Mapped[str] = mapped_column(String(80))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    pickup_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(10), default=CampaignStatus.DRAFT)
    has_live: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    products: Mapped[list[CampaignProduct]] = relationship(back_populates="campaign")


class CampaignProduct(db.Model):
    __tablename__ = "campaign_products"
    __table_args__ = (
        UniqueConstraint("campaign_id", "product_id"),
        CheckConstraint("group_price_fen > 0", name="group_price"),
        CheckConstraint("threshold_qty >= 1", name="threshold"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    group_price_fen: Mapped[int]
    threshold_qty: Mapped[int]  # 成团门槛

    campaign: Mapped[Campaign] = relationship(back_populates="products")
    product: Mapped[Product] = relationship()  # noqa: F821


class Order(db.Model):
    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint(in_check("status", OrderStatus), name="status"),
        CheckConstraint(in_check("source", OrderSource), name="source"),
        CheckConstraint("total_fen >= 0", name="total"),
        Index("ix_orders_store_placed", "store_id", "placed_at"),
        Index("ix_orders_store_status", "store_id", "status"),
        # The pickup counter's "picked up today" and the commission's earned-on-pickup.
        Index("ix_orders_store_picked", "store_id", "picked_up_at"),
        # Idempotent imports: the same 接龙 line or CSV row lands once per store.
        UniqueConstraint("store_id", "source_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)  # shown to members
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"), index=True)
    pickup_point_id: Mapped[int | None] = mapped_column(ForeignKey("pickup_points.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default=OrderStatus.PLACED)
    source: Mapped[str] = mapped_column(String(10))
    total_fen: Mapped[int]
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    picked_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Where an imported order came from: a hash of its 接龙 line / CSV row, and the line itself.
    source_key: Mapped[str | None] = mapped_column(String(64))
    source_text: Mapped[str] = mapped_column(String(300), default="", server_default="")

    items: Mapped[list[OrderItem]] = relationship(back_populates="order")
    member: Mapped[Member] = relationship()  # noqa: F821


class OrderItem(db.Model):
    __tablename__ = "order_items"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity"),
        CheckConstraint("unit_price_fen >= 0", name="unit_price"),
        CheckConstraint("list_price_fen >= unit_price_fen", name="discount_not_markup"),
        CheckConstraint("amount_fen = quantity * unit_price_fen", name="amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    campaign_product_id: Mapped[int | None] = mapped_column(ForeignKey("campaign_products.id"))
    quantity: Mapped[int]
    unit_price_fen: Mapped[int]  # what the member paid per unit
    list_price_fen: Mapped[int]  # the product's price at the time, for discount depth
    amount_fen: Mapped[int]

    order: Mapped[Order] = relationship(back_populates="items")
    product: Mapped[Product] = relationship()  # noqa: F821


class OrderEvent(db.Model):
    """One status transition: who moved the order from what to what, and when."""

    __tablename__ = "order_events"
    __table_args__ = (
        CheckConstraint(in_check("to_status", OrderStatus), name="to_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(10))
    to_status: Mapped[str] = mapped_column(String(10))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Refund(db.Model):
    """Money returned for part or all of one order line."""

    __tablename__ = "refunds"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity"),
        CheckConstraint("amount_fen > 0", name="amount"),
        # A store's refunds of a period (收益, commission clawbacks).
        Index("ix_refunds_store_created", "store_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Derivable through the order, but stored so refunds are scoped like every other row.
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    order_item_id: Mapped[int] = mapped_column(ForeignKey("order_items.id"), index=True)
    quantity: Mapped[int]
    amount_fen: Mapped[int]
    reason: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PickupVerification(db.Model):
    """The counter's record that an order was handed over; undone rows stay for audit."""

    __tablename__ = "pickup_verifications"
    __table_args__ = (
        CheckConstraint(in_check("method", PickupMethod), name="method"),
        Index("ix_pickup_verifications_store_verified", "store_id", "verified_at"),
        # At most one live (not undone) verification per order, enforced by the database.
        Index(
            "uq_pickup_verifications_live_order",
            "order_id",
            unique=True,
            sqlite_where=text("undone_at IS NULL"),
            postgresql_where=text("undone_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Derivable through the order; stored so the counter's undo is scoped like every other row.
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    method: Mapped[str] = mapped_column(String(12))
    verified_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class TicketKind(StrEnum):
    SHORTAGE = "shortage"  # 缺货: fewer units arrived than were ordered
    DAMAGE = "damage"  # 破损


class TicketStatus(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"  # HQ agrees: refund or resend follows
    REJECTED = "rejected"


class AfterSalesTicket(db.Model):
    """A shortage or damage report from the counter, for HQ to resolve (售后工单)."""

    __tablename__ = "after_sales_tickets"
    __table_args__ = (
        CheckConstraint(in_check("kind", TicketKind), name="kind"),
        CheckConstraint(in_check("status", TicketStatus), name="status"),
        CheckConstraint("quantity > 0", name="quantity"),
        CheckConstraint("(status = 'open') = (resolved_at IS NULL)", name="resolved_iff_closed"),
        Index("ix_after_sales_tickets_store_created", "store_id", "created_at"),
        Index("ix_after_sales_tickets_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    order_item_id: Mapped[int] = mapped_column(ForeignKey("order_items.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    quantity: Mapped[int]
    note: Mapped[str] = mapped_column(String(300), default="")
    # Path of the photo under the instance's upload folder ("" when none was taken).
    photo: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(10), default=TicketStatus.OPEN)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolution: Mapped[str] = mapped_column(String(300), default="")

    order: Mapped[Order] = relationship()
    item: Mapped[OrderItem] = relationship()
