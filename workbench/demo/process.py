"""The demo brand's generating process, every effect a named parameter.

The demo data is drawn from this process so later features (forecasts, suggestions,
targeting) can find real signal and be scored against the truth. Read it as a model:

* **Who buys.** Each member has a base order rate (lognormal, ``MEMBER_RATE_*``) and a
  repurchase cycle: the daily order probability is ``rate × hazard(days since last
  order × rate)`` with ``hazard(x) = HAZARD_FLOOR + HAZARD_RISE × x²/(1+x²)``, so a member
  who just ordered rarely orders again at once and one "due" orders more. Members join
  over the history (``JOINED_BEFORE_SHARE`` before it), ``LURKER_SHARE`` barely order,
  ``CHURN_SHARE`` go silent from a random day on.
* **When.** The order probability is multiplied by ``WEEKDAY_MULT`` (Mon..Sun), by
  ``HOLIDAY_MULT`` on public-holiday days off, ``PRE_HOLIDAY_MULT`` on the
  ``PRE_HOLIDAY_DAYS`` before a break, ``MAKEUP_WORKDAY_MULT`` on 调休 Saturdays/Sundays
  (see ``workbench.calendar_cn``), and lowered by rain:
  ``1 - RAIN_ORDER_DROP × min(1, rain / RAIN_HEAVY_TENTHS)``.
* **Assortment.** A store lists ``STORE_ASSORTMENT`` (80–140) of the ~300 SKUs: the top
  ones by its communities' appetite (the affinities below, weighted by households, times
  the season) plus the owner's taste (``CARRY_NOISE``), so a carried SKU sells a few
  units a day rather than a fraction of one.
* **What.** An order has ``1 + Poisson(LINES_PER_ORDER × lift - 1)`` product lines; each
  line picks a product the store carries with weight
  ``popularity × CATEGORY_SHARE × profile and building affinities × day multipliers``.
  Community profile (``PROFILE_CATEGORY_AFFINITY``, ``PROFILE_ATTRIBUTE_AFFINITY``) and the
  building's household type (``HOUSEHOLD_*_AFFINITY``) multiply; so 高档 compounds buy
  imported and organic fruit, 年轻家庭 baby food, snacks and milk, 老年 vegetables, soft and
  low-sugar food. Day multipliers (``lift`` is their weighted mean, so they raise the
  total, not only the mix): temperature (``HOT_SLOPE`` per °C above ``HOT_THRESHOLD_C``
  for fruit, drinks, ice cream; ``COLD_SLOPE`` below ``COLD_THRESHOLD_C``), holidays
  (``HOLIDAY_CATEGORY_MULT``), season (``OFF_SEASON_MULT`` outside a SKU's months), the
  store's latent category *interest*, and campaigns (discount elasticity and live lift).
* **Interest leads chat.** Per store × category, log-interest is an AR(1) series
  (``INTEREST_PHI``, stationary sd ``INTEREST_SD``). Group-message mentions of the
  category's topic on day t are Poisson with mean
  ``MENTION_RATE × sqrt(joined/300) × MENTION_SALIENCE × mean(interest[t+1..t+3])``,
  so chat rises 1–3 days before the category's sales do.
* **Group buys.** Each store runs campaigns back to back (``CAMPAIGN_*``): 2–4 products
  of a theme category at ``1 - discount`` of list price; demand for them is multiplied by
  ``PROMOTION_LIFT × (list / group price) ** DISCOUNT_ELASTICITY`` and by ``LIVE_LIFT`` on the day of the
  campaign's live stream (``LIVE_SHARE`` of campaigns have one). The threshold (成团门槛)
  is the expected quantity × a campaign factor ``exp(N(THRESHOLD_LOG_MEAN,
  THRESHOLD_LOG_SD))``; a campaign is grouped when every product reaches its threshold,
  else it fails and its orders are failed (payment returned whole, no Refund rows).
* **Fulfilment.** Orders arrive the next morning (campaign orders on the pickup day);
  pickup delays follow ``PICKUP_DELAY_SHARES``, rain shifts same-day pickups to later
  (``RAIN_PICKUP_SHIFT``). ``CANCEL_RATE``, ``REFUND_RATE`` and ``PARTIAL_REFUND_RATE``
  produce cancelled orders, refunded orders and line refunds (Refund rows).

No OrderEvent rows are written for demo orders: millions of transitions that no page
needs; the timestamps on Order (placed, paid, arrived, picked up) carry the history.
"""

from __future__ import annotations

# --- Sizes and presets ---------------------------------------------------------------

DEFAULT_SEED = 42
DEFAULT_DAYS = 180
FORECAST_DAYS = 7  # weather rows after the end date: the forecast suggestions use
PRESETS = {
    "default": {"stores": 24, "members": 24_000, "days": DEFAULT_DAYS},
    "large": {"stores": 200, "members": 200_000, "days": DEFAULT_DAYS},
}
#: Members per store when --members is not given: 333 for a 24-store brand rising to 500
#: for a 200-store one (bigger brands run bigger stores).
MEMBERS_PER_STORE_SMALL = 1000
MEMBERS_PER_STORE_LARGE = 1000
COMMUNITY_SECOND_SHARE = 0.5  # stores serving two compounds (≈ 1.5 compounds a store)
#: SKUs a store lists (uniform range): a community store carries a focused assortment of
#: the brand's ~300 SKUs, chosen by its communities' affinities (see ``CARRY_NOISE``).
STORE_ASSORTMENT = (80, 140)
CARRY_NOISE = 0.3  # sd of the owner's own taste in the log appetite that picks the assortment

# --- Communities and households ----------------------------------------------------

PROFILES = ("premium", "young_family", "elderly", "mixed")
PROFILE_SHARE = {"premium": 0.22, "young_family": 0.30, "elderly": 0.22, "mixed": 0.26}
HOUSEHOLD_TYPES = ("young_family", "elderly", "professional", "mixed")
#: Building household types by compound profile.
PROFILE_HOUSEHOLD_MIX = {
    "premium": {"young_family": 0.25, "elderly": 0.10, "professional": 0.50, "mixed": 0.15},
    "young_family": {"young_family": 0.60, "elderly": 0.10, "professional": 0.20, "mixed": 0.10},
    "elderly": {"young_family": 0.10, "elderly": 0.65, "professional": 0.05, "mixed": 0.20},
    "mixed": {"young_family": 0.30, "elderly": 0.25, "professional": 0.20, "mixed": 0.25},
}
COMMUNITY_HOUSEHOLDS = (600, 2600)  # uniform range of households in a compound
BUILDINGS_PER_COMMUNITY = (6, 14)
#: Sign-up propensity by household type (young families use group buying most).
HOUSEHOLD_PENETRATION = {"young_family": 1.3, "elderly": 0.8, "professional": 1.0, "mixed": 1.0}

# --- What people buy -----------------------------------------------------------------

#: Baseline share of order lines per category.
CATEGORY_SHARE = {
    "FRU": 0.16, "VEG": 0.12, "MEA": 0.09, "AQU": 0.05, "DAI": 0.08, "BAB": 0.03, "SNA": 0.08,
    "DRI": 0.07, "GRA": 0.05, "CON": 0.04, "FRZ": 0.06, "BAK": 0.06, "HEA": 0.03, "DEL": 0.05,
    "DLY": 0.03,
}
PROFILE_CATEGORY_AFFINITY = {
    "premium": {"FRU": 1.5, "VEG": 0.9, "AQU": 1.5, "DAI": 1.2, "BAB": 0.9, "SNA": 0.9, "DRI": 1.2,
                "GRA": 0.9, "CON": 0.8, "FRZ": 0.8, "BAK": 1.2, "HEA": 1.3, "DEL": 0.9, "DLY": 0.8},
    "young_family": {"FRU": 1.1, "VEG": 0.9, "AQU": 0.9, "DAI": 1.5, "BAB": 3.0, "SNA": 1.6,
                     "GRA": 0.9, "CON": 0.8, "FRZ": 1.3, "BAK": 1.2, "HEA": 0.6, "DEL": 0.9,
                     "DLY": 1.1},
    "elderly": {"FRU": 0.8, "VEG": 1.6, "MEA": 1.1, "DAI": 0.9, "BAB": 0.2, "SNA": 0.5, "DRI": 0.6,
                "GRA": 1.4, "CON": 1.3, "FRZ": 0.8, "HEA": 1.8, "DEL": 1.2},
    "mixed": {},
}
HOUSEHOLD_CATEGORY_AFFINITY = {
    "young_family": {"BAB": 2.5, "SNA": 1.3, "DAI": 1.3, "HEA": 0.7, "FRZ": 1.2},
    "elderly": {"VEG": 1.4, "HEA": 1.5, "GRA": 1.2, "BAB": 0.2, "SNA": 0.6, "DRI": 0.7},
    "professional": {"FRZ": 1.3, "DEL": 1.3, "DRI": 1.3, "BAK": 1.3, "VEG": 0.7, "GRA": 0.8,
                     "BAB": 0.4},
    "mixed": {},
}
PROFILE_ATTRIBUTE_AFFINITY = {
    "premium": {"进口": 2.0, "有机": 1.8, "精品": 1.5, "实惠": 0.6},
    "young_family": {"儿童": 2.2, "有机": 1.3, "实惠": 1.1},
    "elderly": {"低糖": 2.2, "软糯": 2.0, "实惠": 1.5, "进口": 0.6, "精品": 0.8, "即食": 0.7},
    "mixed": {"实惠": 1.2},
}
HOUSEHOLD_ATTRIBUTE_AFFINITY = {
    "young_family": {"儿童": 1.8},
    "elderly": {"低糖": 1.6, "软糯": 1.6},
    "professional": {"即食": 1.8, "高蛋白": 1.8, "进口": 1.3},
    "mixed": {},
}
POPULARITY_SD = 0.7  # lognormal sd of a SKU's popularity within its category
PRICE_EXPONENT = -0.3  # cheaper SKUs are bought more often
OFF_SEASON_MULT = 0.08  # a seasonal SKU outside its months (in-season SKUs of its category
# take up the difference, so a category's demand does not follow the calendar)

# --- Members -------------------------------------------------------------------------

#: Orders a day for a median member when "due": about one order a month, so that 25–42 %
#: of a month's buyers buy again within it (月复购率 in the trade articles, before any
#: digital help) while a 1,000-member store still takes 20–30 orders a day.
MEMBER_RATE_MEDIAN = 0.028
MEMBER_RATE_SIGMA = 0.45
LURKER_SHARE = 0.08
LURKER_RATE_MULT = 0.1
CHURN_SHARE = 0.20
CHURN_MIN_DAYS = 14  # a member goes silent no sooner than this after joining
JOINED_BEFORE_SHARE = 0.62  # joined before the history starts
HAZARD_FLOOR = 0.2
HAZARD_RISE = 1.4
PUSH_OPT_OUT_SHARE = 0.04

# --- Calendar, weather -----------------------------------------------------------------

WEEKDAY_MULT = (0.93, 0.90, 0.94, 0.97, 1.06, 1.20, 1.14)  # Monday .. Sunday
HOLIDAY_MULT = 1.10
PRE_HOLIDAY_MULT = 1.30
PRE_HOLIDAY_DAYS = 2
MAKEUP_WORKDAY_MULT = 0.92
HOLIDAY_CATEGORY_MULT = {"MEA": 1.4, "AQU": 1.5, "DRI": 1.4, "SNA": 1.3, "FRU": 1.2, "DEL": 1.3}

#: City climate: (mean daily high °C, seasonal amplitude °C, rain-day probability).
CITY_CLIMATE = {
    "上海": (21.0, 10.0, 0.30), "杭州": (22.0, 11.0, 0.32), "苏州": (21.0, 10.5, 0.30),
    "广州": (27.0, 6.5, 0.36), "深圳": (27.0, 5.5, 0.33), "佛山": (27.0, 6.5, 0.35),
    "武汉": (21.5, 12.0, 0.30), "长沙": (22.0, 11.5, 0.34), "南昌": (22.5, 11.5, 0.34),
}
HOTTEST_DAY_OF_YEAR = 205
TEMP_NOISE_PHI = 0.7
TEMP_NOISE_SD = 2.5  # °C, stationary sd of the daily deviation
DIURNAL_RANGE = (4, 9)  # high - low, °C
RAIN_SEASON_PEAK_DAY = 170  # plum rains
RAIN_MEDIAN_TENTHS = 60  # 6 mm on a rainy day
RAIN_SIGMA = 1.0
RAIN_HEAVY_TENTHS = 300  # 30 mm: the rain effect is full from here
RAIN_ORDER_DROP = 0.30

HOT_THRESHOLD_C = 28
HOT_SLOPE = {"FRU": 0.10, "DRI": 0.12, "FRZ": 0.08}  # log-lift per °C above the threshold
COLD_THRESHOLD_C = 10
COLD_SLOPE = {"MEA": 0.03, "FRZ": 0.03, "HEA": 0.03}

# --- Latent interest and group chat ---------------------------------------------------

INTEREST_PHI = 0.7
INTEREST_SD = 0.45
MENTION_LEAD_DAYS = (1, 2, 3)
MENTION_RATE = 2.0  # mentions a day of an average category in a 300-member store
MENTION_SALIENCE = {
    "FRU": 1.4, "VEG": 0.6, "MEA": 0.8, "AQU": 0.9, "DAI": 0.8, "BAB": 1.0, "SNA": 1.0, "DRI": 0.8,
    "GRA": 0.4, "CON": 0.4, "FRZ": 0.6, "BAK": 0.6, "HEA": 0.8, "DEL": 0.7, "DLY": 0.4,
}
MENTION_PRODUCT_SHARE = 0.25  # mentions that name a SKU of the category

# --- Orders ----------------------------------------------------------------------------

LINES_PER_ORDER = 2.6
#: A day's demand multipliers (group buys, weather, interest) raise the chance to order by
#: lift ** DAY_PULL_EXPONENT, the lift capped at DAY_PULL_CAP: more buyers, same baskets.
DAY_PULL_CAP = 3.0
DAY_PULL_EXPONENT = 0.35
QTY_GEOMETRIC_P = 0.72  # quantity of a regular line: geometric, mean ≈ 1.4
CAMPAIGN_QTY_GEOMETRIC_P = 0.6  # campaign lines: people stock up a little, mean ≈ 1.7
MAX_LINE_QTY = 8
#: Local hour-of-day weights for placing orders, 07:00 .. 22:00.
ORDER_HOUR_WEIGHTS = (2, 5, 6, 6, 6, 7, 5, 4, 4, 4, 5, 6, 8, 12, 12, 8)
ORDER_FIRST_HOUR = 7
REGULAR_SOURCES = {"qr": 0.5, "jielong": 0.3, "counter": 0.2}
CAMPAIGN_SOURCES = {"jielong": 0.55, "qr": 0.45}
CANCEL_RATE = 0.012
REFUND_RATE = 0.018
PARTIAL_REFUND_RATE = 0.015
ARRIVAL_HOURS = (9.0, 11.5)  # local time orders reach the pickup point
#: Pickup delay classes: same day, next day, 2-3 days, 4-10 days (the forgetful).
PICKUP_DELAY_SHARES = (0.68, 0.22, 0.07, 0.03)
RAIN_PICKUP_SHIFT = 0.25  # heavy rain moves this share of same-day pickups to later
PICKUP_METHOD_SHARES = {"phone_tail": 0.6, "order_code": 0.25, "qr": 0.1, "manual": 0.05}

# --- Campaigns and live streams --------------------------------------------------------

CAMPAIGN_DURATION_SHARES = {1: 0.35, 2: 0.45, 3: 0.20}  # days
CAMPAIGN_GAP_SHARES = {0: 0.3, 1: 0.4, 2: 0.3}  # days between campaigns
CAMPAIGN_PRODUCTS = (2, 4)  # SKUs from the theme category
CAMPAIGN_EXTRA_PRODUCT_SHARE = 0.3  # plus one popular SKU from elsewhere
DISCOUNT_RANGE = (0.10, 0.35)
DISCOUNT_ELASTICITY = 3.0
#: A campaign SKU is pushed to the whole group (接龙 post, pinned message): it sells many
#: times its everyday rate even before the discount.
PROMOTION_LIFT = 12.0
LIVE_SHARE = 0.4
LIVE_LIFT = 2.2
LIVE_NEXT_DAY_LIFT = 1.2
LIVE_VIEWER_SHARE = 0.10  # of joined members watch a live stream
THRESHOLD_LOG_MEAN = -0.85  # a threshold at ~0.43× the expected units: 40–45 % of group buys fail (成团率 ~55 %)
THRESHOLD_LOG_SD = 0.35
THRESHOLD_PRODUCT_SD = 0.10
CLICKS_PER_EXPECTED_UNIT = 0.15
SHARES_BASE = 1.0
SHARES_PER_EXPECTED_UNIT = 0.03

# --- After the order ---------------------------------------------------------------------

REVIEW_RATE = 0.04
REFUNDED_REVIEW_RATE = 0.35
RATING_SHARES = (0.03, 0.04, 0.10, 0.28, 0.55)  # 1..5 stars
NPS_MISSING_SHARE = 0.3
LEVEL_POINTS = (200, 800, 2000, 5000)  # points (yuan spent) for levels 2..5

# --- Stock -------------------------------------------------------------------------------

PERISHABLE_DAYS = 30  # shelf life up to this is stocked in small, frequent batches
NEAR_EXPIRY_SHARE = 0.35  # perishable SKUs with an older batch expiring today or tomorrow
SPOILED_SHARE = 0.15  # perishable SKUs with an expired leftover (spoilage to write off)
OVERSTOCK_RANGE = (0.6, 1.3)

# --- Commission --------------------------------------------------------------------------

COMMISSION_PLAN_NAME = "标准阶梯佣金"
#: (monthly GMV from, in fen; rate in basis points), tier mode "whole".
COMMISSION_TIERS = ((0, 800), (2_000_000, 1000), (5_000_000, 1200))
COMMISSION_AFTER_SALES_DAYS = 7
#: Category base rates (bp) where the margin differs from the tier table's first rate; the
#: tier reached adds its uplift on top (workbench/commission/rules.py).
COMMISSION_CATEGORY_RATES = (("GRA", 500), ("DLY", 600), ("FRU", 1000), ("HEA", 1000))

# --- Demo accounts (documented in the README) ---------------------------------------------

OWNER_PASSWORD = "demo-owner"
REGIONAL_PASSWORD = "demo-region"
HQ_PASSWORD = "demo-hq"
ADMIN_PASSWORD = "demo-admin"
