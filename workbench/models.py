"""Imports every domain's models so Alembic and the shell see the whole schema."""

from workbench.auth.models import Role, User
from workbench.catalog.models import Category, Product, StockBatch, Supplier
from workbench.commission.models import (
    CommissionAdjustment,
    CommissionDispute,
    CommissionPlan,
    CommissionPlanVersion,
    CommissionRate,
    CommissionStatement,
    CommissionTier,
    DisputeStatus,
    LineKind,
    StatementLine,
    StatementStatus,
    TierMode,
)
from workbench.forecasting.models import BacktestRun, ForecastSelection
from workbench.jobs.models import JobRecord, JobStatus
from workbench.live.models import LiveSession
from workbench.members.models import Interaction, InteractionKind, Member, MemberTag, Review, Tag
from workbench.orders.models import (
    AfterSalesTicket,
    Campaign,
    CampaignProduct,
    CampaignStatus,
    Order,
    OrderEvent,
    OrderItem,
    OrderSource,
    OrderStatus,
    PickupVerification,
    Refund,
    TicketKind,
    TicketStatus,
)
from workbench.outbox.models import OutboxMessage, OutboxStatus
from workbench.shop.models import OtpChallenge
from workbench.stores.models import (
    Brand,
    Building,
    Community,
    CommunityProfile,
    HouseholdType,
    PickupPoint,
    Region,
    Store,
    StoreKpi,
    Weather,
)
from workbench.suggestions.models import (
    DismissReason,
    Suggestion,
    SuggestionKind,
    SuggestionStatus,
)

__all__ = [
    "CommissionAdjustment", "CommissionDispute", "CommissionPlanVersion", "CommissionStatement",
    "DisputeStatus", "LineKind", "StatementLine", "StatementStatus",
    "AfterSalesTicket", "OtpChallenge", "OutboxStatus", "TicketKind", "TicketStatus",
    "BacktestRun", "ForecastSelection", "DismissReason", "Suggestion", "SuggestionKind", "SuggestionStatus",
    "Brand", "Building", "Campaign", "CampaignProduct", "CampaignStatus", "Category",
    "CommissionPlan", "CommissionRate", "CommissionTier", "Community", "CommunityProfile",
    "HouseholdType", "Interaction", "InteractionKind", "JobRecord", "JobStatus", "LiveSession",
    "Member", "MemberTag", "Order", "OrderEvent", "OrderItem", "OrderSource", "OrderStatus",
    "OutboxMessage", "PickupPoint", "PickupVerification", "Product", "Refund", "Region",
    "Review", "Role", "StockBatch", "Store", "StoreKpi", "Supplier", "Tag", "TierMode", "User",
    "Weather",
]
