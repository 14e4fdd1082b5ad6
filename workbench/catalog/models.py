"""Categories, suppliers, products (unified SKUs) and the stock batches stores hold."""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workbench.extensions import db


class Category(db.Model):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)


class Supplier(db.Model):
    __tablename__ = "suppliers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    contact: Mapped[str] = mapped_column(String(40), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    city: Mapped[str] = mapped_column(String(40), default="")


class Product(db.Model):
    """A SKU with one code across all stores; money in fen."""

    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("price_fen > 0", name="price"),
        CheckConstraint("cost_fen >= 0", name="cost"),
        CheckConstraint("shelf_life_days > 0", name="shelf_life"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), index=True)
    spec: Mapped[str] = mapped_column(String(40))  # e.g. "500g/盒"
    unit: Mapped[str] = mapped_column(String(10))  # e.g. "盒"
    price_fen: Mapped[int]
    cost_fen: Mapped[int]
    shelf_life_days: Mapped[int]
    # Short labels such as 低糖 / 有机 / 进口 / 儿童 that tags and topics match against.
    attributes: Mapped[list[str]] = mapped_column(JSON, default=list)
    selling_points: Mapped[str] = mapped_column(Text, default="")
    # Other names members write in 接龙 posts (e.g. "土鸡蛋" for "散养土鸡蛋 30枚").
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    is_active: Mapped[bool] = mapped_column(default=True)

    category: Mapped[Category] = relationship()
    supplier: Mapped[Supplier] = relationship()


class StockBatch(db.Model):
    """What a store holds of one product, received together and expiring together."""

    __tablename__ = "stock_batches"
    __table_args__ = (
        CheckConstraint("quantity >= 0", name="quantity"),
        CheckConstraint("cost_fen >= 0", name="cost"),
        CheckConstraint("expires_on >= received_on", name="expiry_after_receipt"),
        Index("ix_stock_batches_store_expiry", "store_id", "expires_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    quantity: Mapped[int]
    cost_fen: Mapped[int]  # unit cost of this batch
    received_on: Mapped[date]
    expires_on: Mapped[date]

    product: Mapped[Product] = relationship()
