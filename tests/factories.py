"""Test data builders: small, explicit, and complete enough to cross-check scoping."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import count

from sqlalchemy.orm import Session

from workbench.models import (
    AfterSalesTicket,
    Brand,
    Building,
    Campaign,
    CampaignProduct,
    CampaignStatus,
    Category,
    CommissionPlan,
    CommissionPlanVersion,
    CommissionTier,
    Community,
    Interaction,
    JobRecord,
    LiveSession,
    Member,
    MemberTag,
    Order,
    OrderItem,
    OrderStatus,
    PickupPoint,
    PickupVerification,
    Product,
    Region,
    Review,
    Role,
    StockBatch,
    Store,
    Suggestion,
    Supplier,
    Tag,
    User,
    Weather,
)

PASSWORD = "test-pass-123"
_seq = count(1)


def gen_user(session: Session, role: Role, *, region: Region | None = None, username: str | None = None,
             phone: str | None = None) -> User:
    n = next(_seq)
    user = User(username=username or f"{role.value}{n}", phone=phone, name=f"用户{n}", role=role,
                region_id=region.id if region else None)
    # A cheap hash keeps the suite fast; production uses werkzeug's default (scrypt).
    from werkzeug.security import generate_password_hash

    user.password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    session.add(user)
    session.flush()
    return user


def gen_product(session: Session, category: Category, supplier: Supplier, name: str, price_fen: int,
                **kw) -> Product:
    n = next(_seq)
    product = Product(sku=f"SKU{n:05d}", name=name, category_id=category.id, supplier_id=supplier.id,
                      spec=kw.pop("spec", "500g"), unit=kw.pop("unit", "份"), price_fen=price_fen,
                      cost_fen=kw.pop("cost_fen", price_fen * 6 // 10),
                      shelf_life_days=kw.pop("shelf_life_days", 5), **kw)
    session.add(product)
    session.flush()
    return product


# ------------------------------------------------------------------ orders, campaigns, members
# Every test that needs one of these rows builds it here, so a new non-null column (or a new
# check constraint) is one edit. Arguments that name a row take the model or its id.


def _id(row) -> int | None:
    return row if row is None or isinstance(row, int) else row.id


@dataclass(frozen=True)
class Line:
    """One order line: ``quantity`` of ``product`` at ``unit_price_fen`` (the product's price
    unless given); the list price is the product's price, or the unit price if that is higher."""

    product: Product
    quantity: int = 1
    unit_price_fen: int | None = None
    list_price_fen: int | None = None

    @property
    def unit(self) -> int:
        return self.product.price_fen if self.unit_price_fen is None else self.unit_price_fen

    @property
    def amount_fen(self) -> int:
        return self.quantity * self.unit


def _line(spec) -> Line:
    """``Line``, ``product``, or a tuple ``(product, quantity[, unit_price_fen[, list_price_fen]])``."""
    if isinstance(spec, Line):
        return spec
    if isinstance(spec, tuple):
        return Line(*spec)
    return Line(spec)


def item_values(order, line) -> dict:
    """An ``order_items`` row's columns (for ``OrderItem(**…)`` or a bulk insert)."""
    line = _line(line)
    unit = line.unit
    listed = max(unit, line.product.price_fen) if line.list_price_fen is None else line.list_price_fen
    return {"order_id": _id(order), "product_id": line.product.id, "quantity": line.quantity,
            "unit_price_fen": unit, "list_price_fen": listed, "amount_fen": line.amount_fen}


def order_values(store, member, *, code: str | None = None, code_prefix: str = "O",
                 status: str = OrderStatus.PAID, source: str = "demo", total_fen: int = 0,
                 placed_at: datetime | None = None, campaign=None, pickup_point=None, **kw) -> dict:
    """An ``orders`` row's columns (for ``Order(**…)`` or a bulk insert); the code is unique
    in the test run unless given. Other columns (``arrived_at``, ``picked_up_at``…) pass through."""
    return {"code": code or f"{code_prefix}{next(_seq):07d}", "store_id": _id(store), "member_id": _id(member),
            "campaign_id": _id(campaign), "pickup_point_id": _id(pickup_point), "status": status,
            "source": source, "total_fen": total_fen, "placed_at": placed_at or datetime.now(UTC), **kw}


def gen_order(session: Session, store, member, items=(), *, total_fen: int | None = None, **kw) -> Order:
    """An order with its lines (see ``_line``), flushed; the total is the lines' sum unless given."""
    lines = [_line(spec) for spec in items]
    total = sum(line.amount_fen for line in lines) if total_fen is None else total_fen
    order = Order(**order_values(store, member, total_fen=total, **kw))
    # Through the relationship: one flush writes both, and ``order.items`` needs no query.
    order.items = [OrderItem(**item_values(None, line)) for line in lines]
    session.add(order)
    session.flush()
    return order


def gen_member(session: Session, store, community, *, building=None, phone: str | None = None,
               name: str | None = None, joined_on: date | None = None, flush: bool = True, **kw) -> Member:
    """A member of ``store`` living in ``community`` (joined 90 days ago unless given);
    ``flush=False`` only adds it, for a test that makes hundreds and flushes once."""
    n = next(_seq)
    member = Member(store_id=_id(store), community_id=_id(community), building_id=_id(building),
                    phone=phone or f"135{n:08d}", name=name or f"会员{n}",
                    joined_on=joined_on or date.today() - timedelta(days=90), **kw)
    session.add(member)
    if flush:
        session.flush()
    return member


def gen_campaign(session: Session, store, *, title: str = "周末水果团", starts_at: datetime | None = None,
                 ends_at: datetime | None = None, pickup_on: date | None = None,
                 status: str = CampaignStatus.ACTIVE, products=(), **kw) -> Campaign:
    """A campaign (by default running from two days ago to tomorrow, picked up in two days)
    with its campaign products: each ``product`` or ``(product, group_price_fen[, threshold_qty])``,
    at 1 元 off and a threshold of 10 unless given."""
    now = datetime.now(UTC)
    campaign = Campaign(store_id=_id(store), title=title, starts_at=starts_at or now - timedelta(days=2),
                        ends_at=ends_at or now + timedelta(days=1),
                        pickup_on=pickup_on or date.today() + timedelta(days=2), status=status, **kw)
    session.add(campaign)
    session.flush()
    if products:
        session.add_all([gen_campaign_product(campaign, *(spec if isinstance(spec, tuple) else (spec,)))
                         for spec in products])
        session.flush()
    return campaign


def gen_campaign_product(campaign, product: Product, group_price_fen: int | None = None,
                         threshold_qty: int = 10) -> CampaignProduct:
    """An unsaved campaign product (``gen_campaign`` adds them; a test may add one more)."""
    price = product.price_fen - 100 if group_price_fen is None else group_price_fen
    return CampaignProduct(campaign_id=_id(campaign), product_id=product.id, group_price_fen=price,
                           threshold_qty=threshold_qty)


@dataclass
class StoreWorld:
    """One store with a little of everything an owner page can show."""

    store: Store
    owner: User
    community: Community
    building: Building
    pickup_point: PickupPoint
    members: list[Member] = field(default_factory=list)
    orders: list[Order] = field(default_factory=list)
    campaign: Campaign | None = None
    stock: StockBatch | None = None
    verification: PickupVerification | None = None  # of orders[0], the picked-up one
    ticket: AfterSalesTicket | None = None  # an open 破损 report on orders[0]


@dataclass
class World:
    brand: Brand
    region1: Region
    region2: Region
    a: StoreWorld
    b: StoreWorld
    c: StoreWorld
    products: list[Product]
    regional: User
    hq: User
    admin: User

    @property
    def owner_a(self) -> User:
        return self.a.owner

    @property
    def owner_b(self) -> User:
        return self.b.owner


def gen_store(session: Session, region: Region, code: str, name: str, city: str,
              products: list[Product], today: date) -> StoreWorld:
    owner = gen_user(session, Role.OWNER, username=f"owner_{code.lower()}", phone=f"1390000{next(_seq):04d}")
    store = Store(region_id=region.id, code=code, name=name, city=city, owner_id=owner.id,
                  opened_on=today - timedelta(days=400))
    session.add(store)
    session.flush()
    community = Community(store_id=store.id, name=f"{name}花园", profile="young_family", households=800)
    session.add(community)
    session.flush()
    building = Building(community_id=community.id, name="3栋", household_type="young_family", households=120)
    point = PickupPoint(store_id=store.id, community_id=community.id, name=f"{name}自提点")
    session.add_all([building, point])
    session.flush()
    sw = StoreWorld(store, owner, community, building, point)
    now = datetime.now(UTC)
    for i in range(3):
        sw.members.append(gen_member(session, store, community, building=building, phone=f"138{store.id:04d}{i:04d}",
                                     name=f"会员{code}{i}", room=f"1单元{501 + i}",
                                     joined_on=today - timedelta(days=90), pickup_code=f"{store.id:03d}{i:03d}",
                                     flush=False))
    session.flush()
    campaign = gen_campaign(session, store, title=f"{name}周末水果团", starts_at=now - timedelta(days=2),
                            ends_at=now + timedelta(days=1), pickup_on=today + timedelta(days=2),
                            status=CampaignStatus.ACTIVE, products=[(products[0], products[0].price_fen - 100, 10)])
    sw.campaign = campaign
    for i, (status, days_ago) in enumerate([(OrderStatus.PICKED_UP, 3), (OrderStatus.ARRIVED, 1),
                                             (OrderStatus.PAID, 0)]):
        p = products[i % len(products)]
        sw.orders.append(gen_order(session, store, sw.members[i], [(p, 2)], code_prefix=code, status=status,
                                   campaign=campaign if i == 2 else None, pickup_point=point,
                                   placed_at=now - timedelta(days=days_ago)))
    stock = StockBatch(store_id=store.id, product_id=products[0].id, quantity=12, cost_fen=products[0].cost_fen,
                       received_on=today - timedelta(days=3), expires_on=today + timedelta(days=1))
    session.add(stock)
    sw.stock = stock
    live = LiveSession(store_id=store.id, campaign_id=campaign.id, title=f"{name}晚间直播",
                       started_at=now - timedelta(days=1, hours=2), ended_at=now - timedelta(days=1, hours=1),
                       viewers=42)
    session.add(live)
    session.flush()
    session.add(Interaction(store_id=store.id, member_id=sw.members[0].id, kind="group_message", topic="水果",
                            occurred_at=now - timedelta(hours=5)))
    session.add(Review(store_id=store.id, member_id=sw.members[0].id, order_id=sw.orders[0].id, rating=5, nps=9,
                       text="很新鲜"))
    sw.verification = PickupVerification(store_id=store.id, order_id=sw.orders[0].id, verified_by_id=owner.id,
                                         method="manual", verified_at=now - timedelta(days=3))
    session.add(sw.verification)
    session.flush()
    sw.ticket = AfterSalesTicket(store_id=store.id, order_id=sw.orders[0].id,
                                 order_item_id=sw.orders[0].items[0].id, kind="damage", quantity=1,
                                 note="盒子压坏了", created_by_id=owner.id, created_at=now - timedelta(days=3))
    session.add(sw.ticket)
    # An old card, outside today and the 14-day window, so the access walk has one per store.
    session.add(Suggestion(store_id=store.id, for_date=today - timedelta(days=90), kind="bundle", rank=1,
                           metrics={}, reasons=[]))
    session.flush()
    return sw


def build_world(session: Session, today: date | None = None) -> World:
    """Brand → 2 regions → stores A, B (region 1) and C (region 2), plus staff users."""
    today = today or date.today()
    brand = Brand(name="邻里优选")
    session.add(brand)
    session.flush()
    region1 = Region(brand_id=brand.id, name="华东一区")
    region2 = Region(brand_id=brand.id, name="华东二区")
    session.add_all([region1, region2])
    supplier = Supplier(name="鲜果供应链")
    fruit = Category(code="fruit", name="水果")
    dairy = Category(code="dairy", name="乳品")
    session.add_all([supplier, fruit, dairy])
    plan = CommissionPlan(name="标准佣金方案")
    session.add(plan)
    session.flush()
    version = CommissionPlanVersion(plan_id=plan.id, effective_from=date(2026, 1, 1), tier_mode="whole",
                                    after_sales_days=7)
    session.add(version)
    session.flush()
    session.add_all([
        CommissionTier(version_id=version.id, min_gmv_fen=0, rate_bp=800),
        CommissionTier(version_id=version.id, min_gmv_fen=2_000_000, rate_bp=1000),
    ])
    products = [
        gen_product(session, fruit, supplier, "阳光玫瑰葡萄", 3990, attributes=["进口"]),
        gen_product(session, dairy, supplier, "低糖酸奶", 1290, attributes=["低糖"]),
        gen_product(session, fruit, supplier, "智利车厘子", 8990, attributes=["进口"]),
    ]
    a = gen_store(session, region1, "A01", "幸福里店", "杭州", products, today)
    b = gen_store(session, region1, "B02", "和平苑店", "杭州", products, today)
    c = gen_store(session, region2, "C03", "滨江店", "宁波", products, today)
    for s in (a, b, c):
        s.store.commission_plan_id = plan.id
    tag = Tag(name="有孩家庭", kind="static")
    session.add(tag)
    session.flush()
    session.add(MemberTag(member_id=a.members[0].id, tag_id=tag.id, source="signup"))
    for city in ("杭州", "宁波"):
        session.add(Weather(city=city, day=today, temp_high_c=30, temp_low_c=22, rain_mm=0))
    regional = gen_user(session, Role.REGIONAL, region=region1, username="regional1")
    hq = gen_user(session, Role.HQ, username="hq1")
    admin = gen_user(session, Role.ADMIN, username="admin1")
    session.add(JobRecord(id="job-of-owner-b", name="x", description="owner B's job", user_id=b.owner.id,
                          store_id=b.store.id, status="finished"))
    session.commit()
    return World(brand, region1, region2, a, b, c, products, regional, hq, admin)
