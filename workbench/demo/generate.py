"""Draw the demo brand from the generating process in ``process.py``, as numpy columns.

Nothing here touches a database: ``generate`` returns a ``Dataset`` whose ``tables`` map
each table name to ``{column: values}`` with explicit ids (1..n) so foreign keys line up,
and whose ``truth`` keeps the latent series (interest, weather, expected campaign units)
that later features can be scored against. Columns conventions for the loader:
datetimes are ``datetime64[s]`` (UTC, NaT for NULL), dates ``datetime64[D]``, nullable
integer columns use ``-1`` for NULL, strings and JSON are Python lists.

The work is vectorised over members and stores; the only per-day loop is the order
process itself (one iteration per day, all stores at once), because a member's chance
to order depends on when they last did.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
from werkzeug.security import generate_password_hash

from workbench import calendar_cn
from workbench.demo import catalog_data as cd
from workbench.demo import process as P

EPOCH = date(1970, 1, 1)
DAY_S = 86_400
SHANGHAI_OFFSET_S = 8 * 3600
NULL = -1
#: Status strings as the Order model spells them (kept local: generation is pure numpy).
ORDER_STATUSES = ("placed", "paid", "grouped", "failed", "packed", "shipped", "arrived",
                  "picked_up", "refunded", "cancelled")
_S = {name: i for i, name in enumerate(ORDER_STATUSES)}
SOURCES = ("jielong", "qr", "csv", "counter", "demo")
_SRC = {name: i for i, name in enumerate(SOURCES)}

Progress = Callable[[str, int], None]


@dataclass(frozen=True)
class SeedParams:
    """What to generate: brand size, history length, seed and last day."""

    stores: int
    members: int
    days: int
    seed: int
    end_date: date

    @classmethod
    def build(cls, *, end_date: date, stores: int | None = None, members: int | None = None,
              days: int | None = None, seed: int | None = None, preset: str = "default") -> SeedParams:
        """Fill unset sizes from the preset; members scale with stores when only stores is set."""
        base = P.PRESETS[preset]
        if stores is None:
            stores = base["stores"]
        if members is None:
            members = base["members"] if stores == base["stores"] else members_for(stores)
        params = cls(stores=stores, members=members, days=days or base["days"],
                     seed=P.DEFAULT_SEED if seed is None else seed, end_date=end_date)
        params.validate()
        return params

    def validate(self) -> None:
        if not 1 <= self.stores <= 999:
            raise ValueError("stores must be between 1 and 999")
        if self.members < self.stores:
            raise ValueError("need at least one member per store")
        if not 7 <= self.days <= 1000:
            raise ValueError("days must be between 7 and 1000")

    @property
    def start_date(self) -> date:
        return self.end_date - timedelta(days=self.days - 1)


def members_for(stores: int) -> int:
    """Default member count for a brand of ``stores`` stores (≈333 a store rising to 500)."""
    share = min(max((stores - 24) / (200 - 24), 0.0), 1.0)
    per_store = P.MEMBERS_PER_STORE_SMALL + share * (P.MEMBERS_PER_STORE_LARGE - P.MEMBERS_PER_STORE_SMALL)
    return int(round(stores * per_store))


@dataclass
class Login:
    role: str
    username: str
    phone: str | None
    password: str
    name: str
    store: str | None = None


@dataclass
class Dataset:
    params: SeedParams
    tables: dict[str, dict[str, object]]
    logins: list[Login]
    truth: dict[str, object] = field(default_factory=dict)

    def row_count(self, table: str) -> int:
        """Rows generated for ``table`` (0 when it is not generated)."""
        cols = self.tables.get(table)
        return len(next(iter(cols.values()))) if cols else 0


# --- small helpers ---------------------------------------------------------------------

def _ids(n: int) -> np.ndarray:
    return np.arange(1, n + 1, dtype=np.int64)


def _day_start_s(epoch_day: np.ndarray | int) -> np.ndarray | int:
    """UTC epoch seconds at which a local Shanghai day (as days since 1970-01-01) begins."""
    return np.asarray(epoch_day, dtype=np.int64) * DAY_S - SHANGHAI_OFFSET_S


def _ts(seconds: np.ndarray, null: np.ndarray | None = None) -> np.ndarray:
    out = np.asarray(seconds, dtype=np.int64).astype("datetime64[s]")
    if null is not None:
        out[null] = np.datetime64("NaT")
    return out


def _dates(epoch_days: np.ndarray) -> np.ndarray:
    return np.asarray(epoch_days, dtype=np.int64).astype("datetime64[D]")


def _choice_index(rng: np.random.Generator, probs: dict, size: int) -> np.ndarray:
    p = np.array(list(probs.values()), dtype=float)
    return rng.choice(len(p), size=size, p=p / p.sum())


def _geometric(rng: np.random.Generator, p: float, size: int) -> np.ndarray:
    return np.minimum(rng.geometric(p, size=size), P.MAX_LINE_QTY).astype(np.int64)


def _hour_seconds(rng: np.random.Generator, size: int) -> np.ndarray:
    """Seconds after local midnight, drawn from the order hour-of-day profile."""
    w = np.array(P.ORDER_HOUR_WEIGHTS, dtype=float)
    hours = rng.choice(len(w), size=size, p=w / w.sum()) + P.ORDER_FIRST_HOUR
    return hours * 3600 + rng.integers(0, 3600, size=size)


class _Gen:
    """One generation run: the random stream and the arrays the steps share."""

    def __init__(self, params: SeedParams, progress: Progress | None):
        self.p = params
        self.rng = np.random.default_rng(params.seed)
        self.progress = progress or (lambda label, n: None)
        self.tables: dict[str, dict[str, object]] = {}
        self.truth: dict[str, object] = {}
        self.D = params.days
        self.H = params.days + P.FORECAST_DAYS
        self.start = params.start_date
        self.start_epoch = (self.start - EPOCH).days
        #: Last second of the end date, local: "now" for every status in the data.
        self.cutoff_s = int(_day_start_s(self.start_epoch + self.D)) - 1

    # --- calendar and weather ------------------------------------------------------

    def calendar(self) -> None:
        H = self.H
        dates = [self.start + timedelta(days=i) for i in range(H + P.PRE_HOLIDAY_DAYS)]
        kinds = [calendar_cn.day_kind(d) for d in dates]
        holiday = np.array([k == calendar_cn.HOLIDAY for k in kinds])
        pre = np.zeros(H, dtype=bool)
        for i in range(H):
            pre[i] = not holiday[i] and holiday[i + 1:i + 1 + P.PRE_HOLIDAY_DAYS].any()
        holiday = holiday[:H]
        kinds = kinds[:H]
        weekday = np.array([d.weekday() for d in dates[:H]])
        mult = np.array(P.WEEKDAY_MULT)[weekday]
        mult = np.where(holiday, P.HOLIDAY_MULT, mult)
        mult = np.where(np.array([k == calendar_cn.MAKEUP_WORKDAY for k in kinds]), P.MAKEUP_WORKDAY_MULT, mult)
        mult = np.where(pre, mult * P.PRE_HOLIDAY_MULT, mult)
        self.dates = dates[:H]
        self.day_mult = mult
        self.festive = holiday | pre
        self.month = np.array([d.month for d in self.dates])
        self.truth.update(dates=self.dates, day_kind=kinds, day_order_mult=mult)

    def geography(self) -> None:
        self.cities: list[tuple[int, str, tuple[str, ...]]] = []
        for r, (_region, cities) in enumerate(cd.REGIONS):
            for city, districts in cities:
                self.cities.append((r, city, districts))
        S = self.p.stores
        n_regions = len(cd.REGIONS)
        self.store_region = np.arange(S) % n_regions
        self.store_city = self.store_region * 3 + (np.arange(S) // n_regions) % 3

    def weather(self) -> None:
        rng, H = self.rng, self.H
        doy = np.array([d.timetuple().tm_yday for d in self.dates], dtype=float)
        nc = len(self.cities)
        high = np.zeros((nc, H))
        low = np.zeros((nc, H), dtype=np.int64)
        rain = np.zeros((nc, H), dtype=np.int64)
        innov_sd = P.TEMP_NOISE_SD * np.sqrt(1 - P.TEMP_NOISE_PHI ** 2)
        for c, (_r, city, _d) in enumerate(self.cities):
            mean, amp, rain_p = P.CITY_CLIMATE[city]
            noise = np.empty(H)
            noise[0] = rng.normal(0, P.TEMP_NOISE_SD)
            for t in range(1, H):
                noise[t] = P.TEMP_NOISE_PHI * noise[t - 1] + rng.normal(0, innov_sd)
            season = mean + amp * np.cos(2 * np.pi * (doy - P.HOTTEST_DAY_OF_YEAR) / 365.25)
            high[c] = np.round(season + noise)
            low[c] = high[c] - rng.integers(P.DIURNAL_RANGE[0], P.DIURNAL_RANGE[1] + 1, size=H)
            p_rain = np.clip(rain_p * (1 + 0.4 * np.cos(2 * np.pi * (doy - P.RAIN_SEASON_PEAK_DAY) / 365.25)), 0, 1)
            wet = rng.random(H) < p_rain
            amount = rng.lognormal(np.log(P.RAIN_MEDIAN_TENTHS), P.RAIN_SIGMA, size=H)
            rain[c] = np.where(wet, np.maximum(1, np.round(amount)), 0).astype(np.int64)
        self.temp_high = high.astype(np.int64)
        self.rain = rain
        self.rain_intensity = np.minimum(rain / P.RAIN_HEAVY_TENTHS, 1.0)
        n = nc * H
        self.tables["weather"] = {
            "id": _ids(n),
            "city": [city for _r, city, _d in self.cities for _ in range(H)],
            "day": np.tile(_dates(self.start_epoch + np.arange(H)), nc),
            "temp_high_c": self.temp_high.ravel(),
            "temp_low_c": low.ravel(),
            "rain_mm": rain.ravel(),
        }
        self.truth.update(temp_high=self.temp_high, rain_tenths=rain, cities=[c for _r, c, _d in self.cities])

    # --- brand, stores, compounds ---------------------------------------------------

    def stores(self) -> None:
        rng, S = self.rng, self.p.stores
        n_comm = 1 + (rng.random(S) < P.COMMUNITY_SECOND_SHARE).astype(np.int64)
        comm_store = np.repeat(np.arange(S), n_comm)
        NCm = len(comm_store)
        profiles = P.PROFILES
        comm_profile = _choice_index(rng, P.PROFILE_SHARE, NCm)
        households = rng.integers(*P.COMMUNITY_HOUSEHOLDS, size=NCm)
        # Compound names: unique across the brand, suffix matching the profile.
        pools = {}
        for prof in profiles:
            combos = [a + b for a in cd.COMPOUND_PREFIXES for b in cd.COMPOUND_SUFFIXES[prof]]
            pools[prof] = [combos[i] for i in rng.permutation(len(combos))]
        used: set[str] = set()
        comm_name = []
        for i in range(NCm):
            pool = pools[profiles[comm_profile[i]]]
            name = next((n for n in pool if n not in used), None)
            if name is None:  # a very large brand: reuse a name with a phase suffix
                name = f"{pool[i % len(pool)]}{i // len(pool) + 1}期"
            used.add(name)
            comm_name.append(name)
        self.comm_store, self.comm_profile, self.comm_name = comm_store, comm_profile, comm_name

        # Buildings: each has a household type drawn from the compound's mix.
        b_comm, b_type, b_households, b_name = [], [], [], []
        hh_index = {h: i for i, h in enumerate(P.HOUSEHOLD_TYPES)}
        for c in range(NCm):
            nb = int(rng.integers(P.BUILDINGS_PER_COMMUNITY[0], P.BUILDINGS_PER_COMMUNITY[1] + 1))
            mix = P.PROFILE_HOUSEHOLD_MIX[profiles[comm_profile[c]]]
            types = rng.choice([hh_index[h] for h in mix], size=nb, p=np.array(list(mix.values())))
            share = rng.dirichlet(np.full(nb, 3.0))
            hh = np.maximum(10, np.round(share * households[c])).astype(np.int64)
            for k in range(nb):
                b_comm.append(c)
                b_type.append(int(types[k]))
                b_households.append(int(hh[k]))
                b_name.append(f"{k + 1}栋")
        self.b_comm = np.array(b_comm)
        self.b_type = np.array(b_type)
        self.b_households = np.array(b_households)
        households = np.bincount(self.b_comm, weights=self.b_households, minlength=NCm).astype(np.int64)
        self.comm_households = households

        # Segments: (compound, household type) pairs; every buyer belongs to one.
        seg_key = self.b_comm * len(P.HOUSEHOLD_TYPES) + self.b_type
        seg_keys, self.b_seg = np.unique(seg_key, return_inverse=True)
        self.seg_comm = seg_keys // len(P.HOUSEHOLD_TYPES)
        self.seg_type = seg_keys % len(P.HOUSEHOLD_TYPES)
        self.seg_store = comm_store[self.seg_comm]
        self.seg_profile = comm_profile[self.seg_comm]
        self.store_seg_start = np.searchsorted(self.seg_store, np.arange(S))

        # Stores: named after their first compound.
        first_comm = np.searchsorted(comm_store, np.arange(S))
        opened = self.start_epoch - rng.integers(60, 900, size=S)
        store_names, addresses, self._store_district = [], [], []
        for s in range(S):
            _r, city, districts = self.cities[self.store_city[s]]
            store_names.append(f"{cd.BRAND_NAME}·{comm_name[first_comm[s]]}店")
            district = districts[int(rng.integers(len(districts)))]
            road = cd.ROADS[int(rng.integers(len(cd.ROADS)))]
            addresses.append(f"{city}市{district}{road}{int(rng.integers(1, 899))}号")
            self._store_district.append(f"{city}市{district}")
        self.store_names = store_names
        self.store_opened = opened

        # Pickup points: one at a gate of each compound, in the store's district.
        pp_names, pp_addr = [], []
        for c in range(NCm):
            gate = cd.GATES[int(rng.integers(len(cd.GATES)))]
            road = cd.ROADS[int(rng.integers(len(cd.ROADS)))]
            pp_names.append(f"{comm_name[c]}{gate}自提点")
            pp_addr.append(f"{self._store_district[comm_store[c]]}{road}{int(rng.integers(1, 999))}弄{comm_name[c]}{gate}")
        self.comm_pickup_id = _ids(NCm)

        self.tables["brands"] = {"id": _ids(1), "name": [cd.BRAND_NAME]}
        self.tables["regions"] = {"id": _ids(len(cd.REGIONS)), "brand_id": np.ones(len(cd.REGIONS), np.int64),
                                  "name": [r for r, _c in cd.REGIONS]}
        self.tables["communities"] = {
            "id": _ids(NCm), "store_id": comm_store + 1, "name": comm_name,
            "profile": [profiles[i] for i in comm_profile], "households": households,
        }
        nb = len(self.b_comm)
        self.tables["buildings"] = {
            "id": _ids(nb), "community_id": self.b_comm + 1, "name": b_name,
            "household_type": [P.HOUSEHOLD_TYPES[i] for i in self.b_type], "households": self.b_households,
        }
        self.tables["pickup_points"] = {
            "id": _ids(NCm), "store_id": comm_store + 1, "community_id": _ids(NCm), "name": pp_names,
            "address": pp_addr,
        }
        self._store_address = addresses

    def users(self) -> None:
        """Admin, HQ, one manager per region, one owner per store; one hash per password."""
        rng, S = self.rng, self.p.stores
        hashes = {pw: generate_password_hash(pw) for pw in
                  (P.ADMIN_PASSWORD, P.HQ_PASSWORD, P.REGIONAL_PASSWORD, P.OWNER_PASSWORD)}
        rows = [("admin", "13800000000", "系统管理员", P.ADMIN_PASSWORD, "admin", NULL),
                ("hq", "13800009999", "总部运营", P.HQ_PASSWORD, "hq", NULL)]
        for r, (region, _c) in enumerate(cd.REGIONS):
            rows.append((f"region{r + 1}", f"1390000000{r + 1}", f"{region}经理", P.REGIONAL_PASSWORD, "regional", r + 1))
        first_owner_id = len(rows) + 1
        surnames = np.array(cd.SURNAMES)
        for s in range(S):
            name = str(surnames[int(rng.integers(30))]) + cd.OWNER_GIVEN[s % 2]
            rows.append((f"owner{s + 1:03d}", f"1380000{s + 1:04d}", name, P.OWNER_PASSWORD, "owner", NULL))
        created = _ts(np.full(len(rows), _day_start_s(self.start_epoch - 30) + 9 * 3600))
        self.tables["users"] = {
            "id": _ids(len(rows)), "username": [r[0] for r in rows], "phone": [r[1] for r in rows],
            "name": [r[2] for r in rows], "password_hash": [hashes[r[3]] for r in rows],
            "role": [r[4] for r in rows], "region_id": np.array([r[5] for r in rows], dtype=np.int64),
            "active": np.ones(len(rows), dtype=bool), "created_at": created,
            "last_login_at": _ts(np.zeros(len(rows)), null=np.ones(len(rows), dtype=bool)),
        }
        self.owner_user_id = first_owner_id + np.arange(S)
        self.logins = [Login(r[4], r[0], r[1], r[3], r[2]) for r in rows]
        for s in range(S):
            self.logins[first_owner_id - 1 + s].store = self.store_names[s]

        self.tables["commission_plans"] = {"id": _ids(1), "name": [P.COMMISSION_PLAN_NAME]}
        self.tables["commission_plan_versions"] = {
            "id": _ids(1), "plan_id": np.ones(1, np.int64),
            "effective_from": _dates(np.full(1, int(self.store_opened.min()))), "tier_mode": ["whole"],
            "after_sales_days": np.array([P.COMMISSION_AFTER_SALES_DAYS]), "note": ["演示方案"],
            "created_by_id": [None], "created_at": _ts(np.full(1, int(_day_start_s(self.start_epoch)))),
        }
        nt = len(P.COMMISSION_TIERS)
        self.tables["commission_tiers"] = {
            "id": _ids(nt), "version_id": np.ones(nt, np.int64),
            "min_gmv_fen": np.array([t[0] for t in P.COMMISSION_TIERS]),
            "rate_bp": np.array([t[1] for t in P.COMMISSION_TIERS]),
        }
        codes = [c.code for c in cd.CATEGORIES]
        nr = len(P.COMMISSION_CATEGORY_RATES)
        self.tables["commission_rates"] = {
            "id": _ids(nr), "version_id": np.ones(nr, np.int64),
            "category_id": [codes.index(code) + 1 for code, _ in P.COMMISSION_CATEGORY_RATES],
            "product_id": [None] * nr, "campaign_id": [None] * nr,
            "rate_bp": np.array([bp for _, bp in P.COMMISSION_CATEGORY_RATES]),
        }
        self.tables["stores"] = {
            "id": _ids(S), "region_id": self.store_region + 1, "code": [f"S{s + 1:03d}" for s in range(S)],
            "name": self.store_names, "city": [self.cities[c][1] for c in self.store_city],
            "address": self._store_address, "owner_id": self.owner_user_id.astype(np.int64),
            "commission_plan_id": np.ones(S, np.int64), "opened_on": _dates(self.store_opened),
            "is_active": np.ones(S, dtype=bool),
        }

    # --- catalogue -------------------------------------------------------------------

    def catalogue(self) -> None:
        rng = self.rng
        specs = cd.products()
        self.products = specs
        cat_codes = [c.code for c in cd.CATEGORIES]
        self.cat_codes = cat_codes
        cat_index = {c: i for i, c in enumerate(cat_codes)}
        self.cat = np.array([cat_index[p.category] for p in specs])
        self.price = np.array([p.price_fen for p in specs], dtype=np.int64)
        self.cost = np.array([p.cost_fen for p in specs], dtype=np.int64)
        self.shelf = np.array([p.shelf_life_days for p in specs], dtype=np.int64)
        attr_index = {a: i for i, a in enumerate(cd.ATTRIBUTES)}
        self.attrs = np.zeros((len(specs), len(cd.ATTRIBUTES)), dtype=bool)
        for i, p in enumerate(specs):
            for a in p.attributes:
                self.attrs[i, attr_index[a]] = True
        in_season = np.ones((len(specs), 13), dtype=bool)
        for i, p in enumerate(specs):
            months = cd.SEASONS.get(p.name)
            if months:
                in_season[i] = False
                in_season[i, list(months)] = True
        self.in_season = in_season
        NP = len(specs)

        # Popularity within the category (cheaper sells more often), scaled to category share.
        raw = rng.lognormal(0.0, P.POPULARITY_SD, size=NP) * (self.price / 100.0) ** P.PRICE_EXPONENT
        cat_total = np.bincount(self.cat, weights=raw)
        share = np.array([P.CATEGORY_SHARE[c] for c in cat_codes])
        self.popularity = raw / cat_total[self.cat] * share[self.cat]
        # Seasonal SKUs trade places, the category does not shrink: in-season SKUs of a
        # category take up the demand the out-of-season ones lose.
        s_mult = np.where(in_season, 1.0, P.OFF_SEASON_MULT)
        C = len(cat_codes)
        base = np.bincount(self.cat, weights=self.popularity, minlength=C)
        k = np.stack([base / np.bincount(self.cat, weights=self.popularity * s_mult[:, mo], minlength=C)
                      for mo in range(13)], axis=1)
        self.season_mult = s_mult * k[self.cat]

        def cat_matrix(table, keys):
            return np.array([[table[k].get(c, 1.0) for c in cat_codes] for k in keys])

        def attr_matrix(table, keys):
            logm = np.array([[np.log(table[k].get(a, 1.0)) for a in cd.ATTRIBUTES] for k in keys])
            return np.exp(self.attrs.astype(float) @ logm.T).T  # (keys, products)

        prof_cat = cat_matrix(P.PROFILE_CATEGORY_AFFINITY, P.PROFILES)
        hh_cat = cat_matrix(P.HOUSEHOLD_CATEGORY_AFFINITY, P.HOUSEHOLD_TYPES)
        prof_attr = attr_matrix(P.PROFILE_ATTRIBUTE_AFFINITY, P.PROFILES)
        hh_attr = attr_matrix(P.HOUSEHOLD_ATTRIBUTE_AFFINITY, P.HOUSEHOLD_TYPES)
        g_prof, g_type = self.seg_profile, self.seg_type
        affinity = (self.popularity[None, :] * prof_cat[g_prof][:, self.cat] * hh_cat[g_type][:, self.cat]
                    * prof_attr[g_prof] * hh_attr[g_type])  # (segments, products)
        self.carried = self._assortment(affinity)
        self.w_static = affinity * self.carried[self.seg_store]
        self.truth.update(popularity=self.popularity, carried=self.carried)

        self.tables["categories"] = {"id": _ids(len(cat_codes)), "code": cat_codes,
                                     "name": [c.name for c in cd.CATEGORIES]}
        ns = len(cd.SUPPLIERS)
        self.tables["suppliers"] = {
            "id": _ids(ns), "name": [s[0] for s in cd.SUPPLIERS], "contact": [s[1] for s in cd.SUPPLIERS],
            "phone": [s[2] for s in cd.SUPPLIERS], "city": [s[3] for s in cd.SUPPLIERS],
        }
        self.tables["products"] = {
            "id": _ids(NP), "sku": [p.sku for p in specs], "name": [p.name for p in specs],
            "category_id": self.cat + 1, "supplier_id": np.array([p.supplier + 1 for p in specs]),
            "spec": [p.spec for p in specs], "unit": [p.unit for p in specs], "price_fen": self.price,
            "cost_fen": self.cost, "shelf_life_days": self.shelf,
            "attributes": [list(p.attributes) for p in specs], "selling_points": [p.selling_points for p in specs],
            "aliases": [list(p.aliases) for p in specs], "is_active": np.ones(NP, dtype=bool),
        }

    def _assortment(self, affinity: np.ndarray) -> np.ndarray:
        """(stores, products) bool: each store lists ``STORE_ASSORTMENT`` SKUs by affinity.

        A store's appetite for a SKU is the household-weighted affinity of its buildings
        (popularity × community and household affinities) times the SKU's mean season
        multiplier over the history; ``CARRY_NOISE`` adds the owner's own taste. The
        store lists the top n of appetite × lognormal noise (a Gumbel-style weighted draw
        without replacement), so 高档 compounds carry imported fruit and 老年 ones soft,
        low-sugar food — and no store lists the whole catalogue.
        """
        rng, S = self.rng, self.p.stores
        NP = affinity.shape[1]
        seg_hh = np.bincount(self.b_seg, weights=self.b_households, minlength=len(self.seg_store))
        appetite = np.zeros((S, NP))
        np.add.at(appetite, self.seg_store, affinity * seg_hh[:, None])
        months = np.bincount(self.month[: self.D], minlength=13) / self.D
        appetite *= (self.season_mult * months[None, :]).sum(axis=1)[None, :]
        score = np.log(np.maximum(appetite, 1e-300)) + rng.normal(0.0, P.CARRY_NOISE, size=(S, NP))
        n = np.minimum(rng.integers(P.STORE_ASSORTMENT[0], P.STORE_ASSORTMENT[1] + 1, size=S), NP)
        rank = np.argsort(np.argsort(-score, axis=1), axis=1)
        return rank < n[:, None]

    # --- members -----------------------------------------------------------------------

    def members(self) -> None:
        rng, S, M, D = self.rng, self.p.stores, self.p.members, self.D
        # Members per store follow the compounds' households, with a store-level spread.
        store_hh = np.bincount(self.comm_store, weights=self.comm_households, minlength=S)
        weight = store_hh * rng.lognormal(0, 0.25, size=S)
        per_store = 1 + rng.multinomial(M - S, weight / weight.sum())
        store = np.repeat(np.arange(S), per_store)
        # Building within the store: by households and how keen each household type is.
        pen = np.array([P.HOUSEHOLD_PENETRATION[h] for h in P.HOUSEHOLD_TYPES])
        b_store = self.comm_store[self.b_comm]
        b_weight = self.b_households * pen[self.b_type]
        building = np.empty(M, dtype=np.int64)
        offset = 0
        for s in range(S):
            idx = np.flatnonzero(b_store == s)
            w = b_weight[idx]
            building[offset:offset + per_store[s]] = rng.choice(idx, size=per_store[s], p=w / w.sum())
            offset += per_store[s]
        # Joining: most before the history, the rest during it with a gentle growth.
        before = rng.random(M) < P.JOINED_BEFORE_SHARE
        opened_rel = self.store_opened[store] - self.start_epoch  # negative
        join_before = opened_rel + (rng.random(M) * -opened_rel).astype(np.int64)
        u = rng.random(M)
        x = (-0.8 + np.sqrt(0.64 + 0.8 * u)) / 0.4
        join = np.where(before, join_before, np.minimum((x * D).astype(np.int64), D - 1))
        # Members sorted by store, then joining day: the first k of a store joined by day t.
        order = np.lexsort((rng.random(M), join, store))
        store, building, join = store[order], building[order], join[order]
        self.m_store = store
        self.m_building = building
        self.m_seg = self.b_seg[building]
        self.m_comm = self.b_comm[building]
        self.m_type = self.b_type[building]
        self.m_join = join
        self.store_member_start = np.searchsorted(store, np.arange(S))
        self.store_member_count = per_store
        # Order rate, lurkers and churn.
        rate = rng.lognormal(np.log(P.MEMBER_RATE_MEDIAN), P.MEMBER_RATE_SIGMA, size=M)
        rate = np.where(rng.random(M) < P.LURKER_SHARE, rate * P.LURKER_RATE_MULT, rate)
        self.m_rate = rate
        churn = rng.random(M) < P.CHURN_SHARE
        lo = np.maximum(join + P.CHURN_MIN_DAYS, 0)
        silent = lo + (rng.random(M) * np.maximum(D + 90 - lo, 1)).astype(np.int64)
        self.m_silent = np.where(churn, silent, 10 ** 9)
        self.truth.update(member_rate=rate, member_silent_from=self.m_silent)

        # Names: elderly buildings carry older given names.
        sur_w = 1.0 / (np.arange(len(cd.SURNAMES)) + 8.0)
        surname = rng.choice(len(cd.SURNAMES), size=M, p=sur_w / sur_w.sum())
        elderly = self.m_type == P.HOUSEHOLD_TYPES.index("elderly")
        older = np.where(elderly, rng.random(M) < 0.8, rng.random(M) < 0.12)
        g_old = rng.integers(len(cd.GIVEN_NAMES_OLDER), size=M)
        g_young = rng.integers(len(cd.GIVEN_NAMES_YOUNGER), size=M)
        sn, go, gy = cd.SURNAMES, cd.GIVEN_NAMES_OLDER, cd.GIVEN_NAMES_YOUNGER
        names = [sn[s] + (go[a] if o else gy[b]) for s, a, b, o in
                 zip(surname.tolist(), g_old.tolist(), g_young.tolist(), older.tolist(), strict=True)]
        # Phones: an affine map of the member index is unique and looks random.
        stride, shift = 48_271, int(rng.integers(10 ** 7))
        tail = (np.arange(M, dtype=np.int64) * stride + shift) % 10 ** 8
        prefix = rng.integers(len(cd.PHONE_PREFIXES), size=M)
        pre = cd.PHONE_PREFIXES
        phones = [f"{pre[a]}{b:08d}" for a, b in zip(prefix.tolist(), tail.tolist(), strict=True)]
        unit = rng.integers(1, 5, size=M)
        floor = np.where(elderly, rng.integers(1, 8, size=M), rng.integers(1, 31, size=M))
        room_no = rng.integers(1, 5, size=M)
        rooms = [f"{a}单元{b}{c:02d}" for a, b, c in zip(unit.tolist(), floor.tolist(), room_no.tolist(), strict=True)]
        self.m_names, self.m_phones, self.m_rooms = names, phones, rooms

    # --- latent interest, campaigns ------------------------------------------------------

    def interest(self) -> None:
        rng, S, C = self.rng, self.p.stores, len(self.cat_codes)
        T = self.H + max(P.MENTION_LEAD_DAYS)
        x = np.empty((S, C, T))
        x[:, :, 0] = rng.normal(0, P.INTEREST_SD, size=(S, C))
        innov = P.INTEREST_SD * np.sqrt(1 - P.INTEREST_PHI ** 2)
        shocks = rng.normal(0, innov, size=(S, C, T))
        for t in range(1, T):
            x[:, :, t] = P.INTEREST_PHI * x[:, :, t - 1] + shocks[:, :, t]
        self.interest_mult = np.exp(x - P.INTEREST_SD ** 2 / 2)
        self.truth["interest"] = self.interest_mult

        # Temperature lift per city × category × day.
        hot = np.array([P.HOT_SLOPE.get(c, 0.0) for c in self.cat_codes])
        cold = np.array([P.COLD_SLOPE.get(c, 0.0) for c in self.cat_codes])
        th = self.temp_high[:, None, :].astype(float)
        self.temp_mult = np.exp(hot[None, :, None] * np.maximum(0, th - P.HOT_THRESHOLD_C)
                                + cold[None, :, None] * np.maximum(0, P.COLD_THRESHOLD_C - th))
        hol = np.array([P.HOLIDAY_CATEGORY_MULT.get(c, 1.0) for c in self.cat_codes])
        self.holiday_cat = np.where(self.festive[:, None], hol[None, :], 1.0)
        self.truth.update(temp_mult=self.temp_mult, holiday_category_mult=self.holiday_cat)

    def campaigns(self) -> None:
        rng, S, D = self.rng, self.p.stores, self.D
        durations = np.array(list(P.CAMPAIGN_DURATION_SHARES))
        dur_p = np.array(list(P.CAMPAIGN_DURATION_SHARES.values()))
        gaps = np.array(list(P.CAMPAIGN_GAP_SHARES))
        gap_p = np.array(list(P.CAMPAIGN_GAP_SHARES.values()))
        C = len(self.cat_codes)
        camp = []  # (first_day, store, last_day, theme, has_live, [(product, group_price)])
        for s in range(S):
            seg = slice(self.store_seg_start[s], self.store_seg_start[s + 1] if s + 1 < S else len(self.seg_store))
            store_w = self.w_static[seg].sum(axis=0)
            d = int(rng.integers(0, 3))
            # History, then one group buy open on the day after it (today, on a fresh
            # seed) and one upcoming, so the order page and posters can be tried at once.
            extra = 0
            while d < D or extra < 2:
                if d >= D:
                    d = max(d, D) if extra == 0 else d
                    extra += 1
                elif camp and camp[-1][1] == s and camp[-1][2] >= D:
                    extra = 1  # the last history campaign is still open today
                dur = int(rng.choice(durations, p=dur_p))
                month = self.month[min(d, self.H - 1)]
                avail = store_w * self.in_season[:, month]
                cw = np.bincount(self.cat, weights=avail, minlength=C)
                theme = int(rng.choice(C, p=cw / cw.sum()))
                pool = np.flatnonzero((self.cat == theme) & (avail > 0))
                k = min(len(pool), int(rng.integers(P.CAMPAIGN_PRODUCTS[0], P.CAMPAIGN_PRODUCTS[1] + 1)))
                pw = avail[pool]
                chosen = list(rng.choice(pool, size=k, replace=False, p=pw / pw.sum()))
                if rng.random() < P.CAMPAIGN_EXTRA_PRODUCT_SHARE:
                    others = np.flatnonzero((self.cat != theme) & (avail > 0))
                    ow = avail[others]
                    chosen.append(int(rng.choice(others, p=ow / ow.sum())))
                disc = rng.uniform(*P.DISCOUNT_RANGE, size=len(chosen))
                prices = self.price[chosen]
                group = np.maximum(10, np.floor(prices * (1 - disc) / 10) * 10).astype(np.int64)
                group = np.minimum(group, prices - 10).clip(min=1)
                if d >= D and extra == 1 and camp and camp[-1][1] == s and camp[-1][2] >= D:
                    extra = 2  # the history's last campaign covers today: this one is the upcoming one
                camp.append((d, s, d + dur - 1, theme, bool(rng.random() < P.LIVE_SHARE),
                             [int(x) for x in chosen], group.tolist()))
                d += dur + int(rng.choice(gaps, p=gap_p)) + (1 if d >= D else 0)
        camp.sort(key=lambda c: (c[0], c[1]))
        n = len(camp)
        self.c_first = np.array([c[0] for c in camp], dtype=np.int64)
        self.c_store = np.array([c[1] for c in camp], dtype=np.int64)
        self.c_last = np.array([c[2] for c in camp], dtype=np.int64)
        self.c_theme = np.array([c[3] for c in camp], dtype=np.int64)
        self.c_live = np.array([c[4] for c in camp], dtype=bool)
        n_prod = np.array([len(c[5]) for c in camp])
        self.cp_campaign = np.repeat(np.arange(n), n_prod)
        self.cp_product = np.array([p for c in camp for p in c[5]], dtype=np.int64)
        self.cp_group = np.array([g for c in camp for g in c[6]], dtype=np.int64)
        self.cp_boost = P.PROMOTION_LIFT * (self.price[self.cp_product] / self.cp_group) ** P.DISCOUNT_ELASTICITY
        self.n_campaigns = n
        # Which campaign products are on sale each day.
        NCP = len(self.cp_product)
        cp_first = self.c_first[self.cp_campaign]
        cp_last = self.c_last[self.cp_campaign]
        self.day_cps = [np.flatnonzero((cp_first <= t) & (cp_last >= t)) for t in range(D)]
        self.cp_expected = np.zeros(NCP)
        self.cp_expected_days = np.zeros(NCP, dtype=np.int64)
        self.click_rows: list[tuple[np.ndarray, int, np.ndarray]] = []

    # --- the order process ----------------------------------------------------------------

    def orders_process(self) -> None:
        rng, D, M = self.rng, self.D, self.p.members
        G, NP = self.w_static.shape
        store_city_m = self.store_city[self.m_store]
        static_sum = self.w_static.sum(axis=1)
        rows = np.arange(G, dtype=float)[:, None]
        since = rng.random(M) * 2.0 / self.m_rate
        e_qty = 1.0 / P.CAMPAIGN_QTY_GEOMETRIC_P
        chunks = []
        for t in range(D):
            active = (self.m_join <= t) & (self.m_silent > t)
            x = since * self.m_rate
            hz = self.m_rate * (P.HAZARD_FLOOR + P.HAZARD_RISE * x * x / (1 + x * x))
            hz *= self.day_mult[t] * (1 - P.RAIN_ORDER_DROP * self.rain_intensity[store_city_m, t])

            # Today's multipliers per store × product, then per segment.
            sc = self.temp_mult[self.store_city, :, t] * self.interest_mult[:, :, t] * self.holiday_cat[t][None, :]
            m = sc[:, self.cat] * self.season_mult[:, self.month[t]][None, :]
            cps = self.day_cps[t]
            c_idx = self.cp_campaign[cps]
            boost = self.cp_boost[cps].copy()
            live = self.c_live[c_idx]
            boost[live & (self.c_first[c_idx] == t)] *= P.LIVE_LIFT
            boost[live & (self.c_first[c_idx] == t - 1)] *= P.LIVE_NEXT_DAY_LIFT
            cp_store = self.c_store[c_idx]
            m[cp_store, self.cp_product[cps]] *= boost
            W = self.w_static * m[self.seg_store]
            row_sum = W.sum(axis=1)
            lift = row_sum / static_sum
            cdf = np.cumsum(W, axis=1) / row_sum[:, None]
            cdf[:, -1] = 1.0
            flat = (cdf + rows).ravel()

            # A good day (a group buy, hot weather) brings more buyers, not bigger baskets.
            pull = np.minimum(lift, P.DAY_PULL_CAP) ** P.DAY_PULL_EXPONENT
            hz *= pull[self.m_seg]
            hz = np.where(active, np.minimum(hz, 0.9), 0.0)
            buyers = np.flatnonzero(rng.random(M) < hz)
            n_lines = 1 + rng.poisson(P.LINES_PER_ORDER - 1.0, size=len(buyers))
            line_member = np.repeat(buyers, n_lines)
            lg = self.m_seg[line_member]
            u = rng.random(len(line_member)) * (1 - 1e-9)
            product = np.searchsorted(flat, lg + u, side="right") - lg * NP
            # Which lines fall on a campaign product of the buyer's store.
            cp_lookup = np.full((self.p.stores, NP), -1, dtype=np.int64)
            cp_lookup[cp_store, self.cp_product[cps]] = cps
            line_cp = cp_lookup[self.m_store[line_member], product]
            qty = np.where(line_cp >= 0, _geometric(rng, P.CAMPAIGN_QTY_GEOMETRIC_P, len(product)),
                           _geometric(rng, P.QTY_GEOMETRIC_P, len(product)))
            chunks.append((np.full(len(product), t, dtype=np.int64), line_member, product, line_cp, qty))

            # Expected campaign units today (the threshold is set against these).
            if len(cps):
                e_lines = P.LINES_PER_ORDER
                mass = np.bincount(self.m_seg, weights=hz, minlength=G) * e_lines / row_sum
                per_store = np.add.reduceat(mass[:, None] * W[:, self.cp_product[cps]], self.store_seg_start, axis=0)
                e_units = per_store[cp_store, np.arange(len(cps))] * e_qty
                self.cp_expected[cps] += e_units
                self.cp_expected_days[cps] += 1
                self.click_rows.append((cps, t, e_units))

            since += 1.0
            since[buyers] = 0.0
            self.progress("orders", 1)

        day, member, product, line_cp, qty = (np.concatenate(a) for a in zip(*chunks, strict=True))
        self.l_day, self.l_member, self.l_product, self.l_cp, self.l_qty = day, member, product, line_cp, qty

    def assemble_orders(self) -> None:
        rng, NP = self.rng, len(self.products)
        NC, M = self.n_campaigns, self.p.members
        l_camp = np.where(self.l_cp >= 0, self.cp_campaign[np.maximum(self.l_cp, 0)], -1)
        key = (self.l_day * M + self.l_member) * (NC + 1) + (l_camp + 1)
        okeys, l_order = np.unique(key, return_inverse=True)
        n = len(okeys)
        o_camp = okeys % (NC + 1) - 1
        o_dm = okeys // (NC + 1)
        o_day, o_member = o_dm // M, o_dm % M
        o_store = self.m_store[o_member]
        placed = _day_start_s(self.start_epoch + o_day) + _hour_seconds(rng, n)
        # Order ids follow time.
        perm = np.argsort(placed, kind="stable")
        rank = np.empty(n, dtype=np.int64)
        rank[perm] = np.arange(n)
        o_camp, o_day, o_member, o_store, placed = (a[perm] for a in (o_camp, o_day, o_member, o_store, placed))
        l_order = rank[l_order]
        # One item per order × product.
        ikey = l_order * NP + self.l_product
        ikeys, first, inv = np.unique(ikey, return_index=True, return_inverse=True)
        i_order = ikeys // NP
        i_product = ikeys % NP
        # A product picked twice for one order is one line: the basket holds it once.
        i_qty = self.l_qty[first].astype(np.int64)
        i_cp = self.l_cp[first]
        list_price = self.price[i_product]
        unit_price = np.where(i_cp >= 0, self.cp_group[np.maximum(i_cp, 0)], list_price)
        amount = i_qty * unit_price
        total = np.bincount(i_order, weights=amount, minlength=n).astype(np.int64)
        self.o_camp, self.o_day, self.o_member, self.o_store, self.o_placed = o_camp, o_day, o_member, o_store, placed
        self.o_total = total
        self.i_order, self.i_product, self.i_qty, self.i_cp = i_order, i_product, i_qty, i_cp
        self.i_unit, self.i_list, self.i_amount = unit_price, list_price, amount

    def fulfil(self) -> None:
        """Sources, campaign outcomes, arrival, pickup, statuses, refunds: all as of the end date."""
        rng, n = self.rng, len(self.o_day)
        cutoff = self.cutoff_s
        is_camp = self.o_camp >= 0
        src_r = np.array([_SRC[s] for s in P.REGULAR_SOURCES])[_choice_index(rng, P.REGULAR_SOURCES, n)]
        src_c = np.array([_SRC[s] for s in P.CAMPAIGN_SOURCES])[_choice_index(rng, P.CAMPAIGN_SOURCES, n)]
        source = np.where(is_camp, src_c, src_r)
        counter = source == _SRC["counter"]
        cancelled = ~counter & (rng.random(n) < P.CANCEL_RATE)

        # Campaign outcome: realised quantity (cancelled orders do not count) vs threshold.
        NCP = len(self.cp_product)
        live_item = ~cancelled[self.i_order] & (self.i_cp >= 0)
        realised = np.bincount(self.i_cp[live_item], weights=self.i_qty[live_item], minlength=NCP)
        observed = np.maximum(self.cp_expected_days, 1)
        duration = (self.c_last - self.c_first + 1)[self.cp_campaign]
        expected = self.cp_expected * np.maximum(duration / observed, 1.0)
        factor = rng.lognormal(P.THRESHOLD_LOG_MEAN, P.THRESHOLD_LOG_SD, size=self.n_campaigns)
        threshold = np.maximum(1, np.round(expected * factor[self.cp_campaign]
                                           * rng.lognormal(0, P.THRESHOLD_PRODUCT_SD, size=NCP))).astype(np.int64)
        short = np.bincount(self.cp_campaign, weights=(realised < threshold), minlength=self.n_campaigns) > 0
        c_end = _day_start_s(self.start_epoch + self.c_last) + 23 * 3600
        c_active = c_end > cutoff
        self.c_status = np.where(c_active, "active", np.where(short, "failed", "grouped"))
        self.cp_threshold = threshold
        self.truth.update(campaign_expected_units=expected, campaign_realised_units=realised)

        camp = np.maximum(self.o_camp, 0)
        failed = is_camp & ~c_active[camp] & short[camp] & ~cancelled
        waiting_campaign = is_camp & c_active[camp] & ~cancelled

        # Arrival: the next morning, campaign orders on the pickup day.
        arr_day = np.where(is_camp, self.c_last[camp] + 1, self.o_day + 1)
        lo, hi = P.ARRIVAL_HOURS
        arrived = _day_start_s(self.start_epoch + arr_day) + (rng.uniform(lo, hi, size=n) * 3600).astype(np.int64)
        arrived = np.where(counter, self.o_placed, arrived)
        # Pickup delay, rain moving same-day pickups later.
        rain = self.rain_intensity[self.store_city[self.o_store], np.minimum(arr_day, self.H - 1)]
        shares = np.array(P.PICKUP_DELAY_SHARES)
        u = rng.random(n)
        shift = P.RAIN_PICKUP_SHIFT * rain * shares[0]
        cls = np.where(u < shares[0] - shift, 0,
                       np.where(u < shares[0] + shares[1], 1, np.where(u < 1 - shares[3], 2, 3)))
        later = np.select([cls == 1, cls == 2, cls == 3],
                          [np.ones(n, np.int64), rng.integers(2, 4, size=n), rng.integers(4, 11, size=n)], 0)
        pick_later = _day_start_s(self.start_epoch + arr_day + later) + (rng.uniform(8, 21, size=n) * 3600).astype(np.int64)
        picked = np.where(cls == 0, arrived + (rng.uniform(0.3, 10, size=n) * 3600).astype(np.int64), pick_later)
        picked = np.where(counter, np.minimum(self.o_placed + rng.integers(60, 300, size=n), cutoff), picked)

        status = np.full(n, _S["picked_up"], dtype=np.int64)
        not_yet = ~counter & ~cancelled & ~failed & ~waiting_campaign & (arrived > cutoff)
        r = rng.random(n)
        pending = np.where(is_camp, _S["grouped"], _S["paid"])
        status[not_yet] = np.where(r < 0.2, pending, np.where(r < 0.5, _S["packed"], _S["shipped"]))[not_yet]
        waiting_pickup = ~counter & ~cancelled & ~failed & ~waiting_campaign & (arrived <= cutoff) & (picked > cutoff)
        status[waiting_pickup] = _S["arrived"]
        status[waiting_campaign] = _S["paid"]
        status[failed] = _S["failed"]
        status[cancelled] = _S["cancelled"]
        # Refunds after pickup (whole order), then single-line refunds on other orders.
        refund_at = picked + (rng.uniform(1, 36, size=n) * 3600).astype(np.int64)
        done = status == _S["picked_up"]
        refunded = done & (rng.random(n) < P.REFUND_RATE) & (refund_at <= cutoff)
        status[refunded] = _S["refunded"]
        partial = done & ~refunded & (rng.random(n) < P.PARTIAL_REFUND_RATE) & (refund_at <= cutoff)

        has_arrived = np.isin(status, [_S["arrived"], _S["picked_up"], _S["refunded"]])
        has_picked = np.isin(status, [_S["picked_up"], _S["refunded"]])
        # Counter sales are paid on the spot; pre-orders a few minutes after placing.
        paid = np.where(counter, self.o_placed, np.minimum(self.o_placed + rng.integers(20, 600, size=n), cutoff))
        self.o_status, self.o_source = status, source
        self.o_paid = np.where(cancelled, NULL, paid)
        self.o_arrived = np.where(has_arrived, arrived, NULL)
        self.o_picked = np.where(has_picked, picked, NULL)
        self.o_refunded, self.o_partial, self.o_refund_at = refunded, partial, refund_at

    # --- what happens around orders ------------------------------------------------------

    def after_orders(self) -> None:
        rng = self.rng
        n = len(self.o_day)
        owner = self.owner_user_id
        # Refund rows: every line of a refunded order, one line of a partially refunded one.
        full = self.o_refunded[self.i_order]
        first_item = np.r_[True, self.i_order[1:] != self.i_order[:-1]]
        part = self.o_partial[self.i_order] & first_item
        r_items = np.flatnonzero(full | part)
        r_qty = np.where(full[r_items], self.i_qty[r_items],
                         1 + (rng.random(len(r_items)) * self.i_qty[r_items]).astype(np.int64))
        r_qty = np.minimum(r_qty, self.i_qty[r_items])
        reasons = np.where(full[r_items], rng.integers(len(cd.REFUND_REASONS), size=len(r_items)),
                           rng.integers(len(cd.PARTIAL_REFUND_REASONS), size=len(r_items)))
        r_orders = self.i_order[r_items]
        self.tables["refunds"] = {
            "id": _ids(len(r_items)), "store_id": self.o_store[r_orders] + 1,
            "order_item_id": r_items + 1, "quantity": r_qty,
            "amount_fen": r_qty * self.i_unit[r_items],
            "reason": [(cd.REFUND_REASONS if f else cd.PARTIAL_REFUND_REASONS)[k]
                       for f, k in zip(full[r_items].tolist(), reasons.tolist(), strict=True)],
            "created_by_id": owner[self.o_store[r_orders]].astype(np.int64),
            "created_at": _ts(self.o_refund_at[r_orders]),
        }
        # Pickup verifications for every handed-over pre-order.
        verified = np.flatnonzero((self.o_picked != NULL) & (self.o_source != _SRC["counter"]))
        methods = list(P.PICKUP_METHOD_SHARES)
        mi = _choice_index(rng, P.PICKUP_METHOD_SHARES, len(verified))
        nv = len(verified)
        self.tables["pickup_verifications"] = {
            "id": _ids(nv), "store_id": self.o_store[verified] + 1, "order_id": verified + 1,
            "verified_by_id": owner[self.o_store[verified]].astype(np.int64),
            "method": [methods[i] for i in mi.tolist()], "verified_at": _ts(self.o_picked[verified]),
            "undone_at": _ts(np.zeros(nv), null=np.ones(nv, dtype=bool)),
        }
        # Reviews: a few picked-up orders, more (and angrier) refunded ones.
        picked = self.o_picked != NULL
        p_review = np.where(self.o_refunded, P.REFUNDED_REVIEW_RATE, P.REVIEW_RATE)
        created = self.o_picked + (rng.uniform(0.5, 48, size=n) * 3600).astype(np.int64)
        rv = np.flatnonzero(picked & (rng.random(n) < p_review) & (created <= self.cutoff_s))
        rating = 1 + _choice_index(rng, dict(enumerate(P.RATING_SHARES)), len(rv))
        rating = np.where(self.o_refunded[rv], 1 + rng.integers(0, 2, size=len(rv)), rating)
        nps_lo = np.array([0, 0, 2, 5, 7, 8])[rating]
        nps_hi = np.array([0, 3, 5, 7, 9, 10])[rating]
        nps = nps_lo + (rng.random(len(rv)) * (nps_hi - nps_lo + 1)).astype(np.int64)
        nps = np.where(rng.random(len(rv)) < P.NPS_MISSING_SHARE, NULL, nps)
        first_idx = np.flatnonzero(first_item)
        rv_product = self.i_product[first_idx[rv]]
        pick = rng.integers(0, 6, size=len(rv))
        texts = []
        for rt, prod, k in zip(rating.tolist(), rv_product.tolist(), pick.tolist(), strict=True):
            options = cd.REVIEW_TEXTS[rt]
            spec = self.products[prod]
            texts.append(options[k % len(options)].format(p=spec.aliases[0] if spec.aliases else spec.name))
        self.tables["reviews"] = {
            "id": _ids(len(rv)), "store_id": self.o_store[rv] + 1, "member_id": self.o_member[rv] + 1,
            "order_id": rv + 1, "product_id": rv_product + 1, "rating": rating, "nps": nps, "text": texts,
            "created_at": _ts(created[rv]),
        }
        self.r_rows = len(rv)

    def campaign_tables(self) -> None:
        rng = self.rng
        n = self.n_campaigns
        starts = _day_start_s(self.start_epoch + self.c_first) + 7 * 3600
        ends = _day_start_s(self.start_epoch + self.c_last) + 23 * 3600
        titles = []
        first_cp = np.searchsorted(self.cp_campaign, np.arange(n))
        n_prod = np.bincount(self.cp_campaign, minlength=n)
        for c in range(n):
            lead = self.products[self.cp_product[first_cp[c]]].name
            theme = cd.CATEGORIES[self.c_theme[c]].name
            titles.append(f"{theme}团购｜{lead}等{n_prod[c]}款")
        self.tables["campaigns"] = {
            "id": _ids(n), "store_id": self.c_store + 1, "title": titles, "starts_at": _ts(starts),
            "ends_at": _ts(ends), "pickup_on": _dates(self.start_epoch + self.c_last + 1),
            "status": self.c_status.tolist(), "has_live": self.c_live, "created_at": _ts(starts - DAY_S),
        }
        NCP = len(self.cp_product)
        self.tables["campaign_products"] = {
            "id": _ids(NCP), "campaign_id": self.cp_campaign + 1, "product_id": self.cp_product + 1,
            "group_price_fen": self.cp_group, "threshold_qty": self.cp_threshold,
        }
        # Live streams on the first evening of live campaigns that started by the end date.
        lv = np.flatnonzero(self.c_live & (self.c_first < self.D))
        started = _day_start_s(self.start_epoch + self.c_first[lv]) + 19 * 3600 + 30 * 60 + rng.integers(0, 3600, size=len(lv))
        ended = started + rng.integers(50, 100, size=len(lv)) * 60
        self.live_idx, self.live_started, self.live_ended = lv, started, ended
        self.live_titles = [f"今晚直播｜{titles[c].split('｜')[1]}" for c in lv.tolist()]

    def interactions(self) -> None:
        rng, D, S = self.rng, self.D, self.p.stores
        C = len(self.cat_codes)
        # Members joined by day t in each store (a prefix of the store's block).
        joined = np.empty((S, D), dtype=np.int64)
        for s in range(S):
            a = self.store_member_start[s]
            block = self.m_join[a:a + self.store_member_count[s]]
            joined[s] = np.searchsorted(block, np.arange(D), side="right")

        def members_of(store, day):
            k = joined[store, day]
            pick = (rng.random(len(store)) * np.maximum(k, 1)).astype(np.int64)
            return np.where(k > 0, self.store_member_start[store] + pick, NULL)

        parts = []  # (store, member, kind, topic index or -1, product or -1, live or -1, time)
        # 1. Group-chat mentions, leading the category's interest by 1-3 days.
        lead = np.mean([self.interest_mult[:, :, k:k + D] for k in P.MENTION_LEAD_DAYS], axis=0)
        salience = np.array([P.MENTION_SALIENCE[c] for c in self.cat_codes])
        lam = P.MENTION_RATE * np.sqrt(joined / 300.0)[:, None, :] * salience[None, :, None] * lead
        counts = rng.poisson(lam)
        cells = np.flatnonzero(counts.ravel())
        reps = counts.ravel()[cells]
        cell = np.repeat(cells, reps)
        st, rem = np.divmod(cell, C * D)
        cat, day = np.divmod(rem, D)
        named = rng.random(len(cell)) < P.MENTION_PRODUCT_SHARE
        cat_first = np.searchsorted(self.cat, np.arange(C))
        cat_size = np.bincount(self.cat, minlength=C)
        prod = cat_first[cat] + (rng.random(len(cell)) * cat_size[cat]).astype(np.int64)
        parts.append((st, members_of(st, day), 0, cat, np.where(named, prod, NULL), np.full(len(cell), NULL),
                      _day_start_s(self.start_epoch + day) + _hour_seconds(rng, len(cell))))
        # 2. Live views: each viewer once per live stream.
        viewers = np.zeros(len(self.live_idx), dtype=np.int64)
        for i, c in enumerate(self.live_idx.tolist()):
            s, t = int(self.c_store[c]), int(self.c_first[c])
            k = int(joined[s, t])
            v = int(rng.binomial(k, min(1.0, P.LIVE_VIEWER_SHARE * rng.uniform(0.6, 1.4)))) if k else 0
            viewers[i] = v
            if not v:
                continue
            who = self.store_member_start[s] + rng.choice(k, size=v, replace=False)
            at = self.live_started[i] + (rng.random(v) * (self.live_ended[i] - self.live_started[i])).astype(np.int64)
            parts.append((np.full(v, s), who, 1, np.full(v, self.c_theme[c]), np.full(v, NULL), np.full(v, i), at))
        self.live_viewers = viewers
        # 3. Clicks on campaign products, in proportion to their expected sales.
        for cps, t, e_units in self.click_rows:
            k = rng.poisson(P.CLICKS_PER_EXPECTED_UNIT * e_units)
            if not k.sum():
                continue
            cp = np.repeat(cps, k)
            s = self.c_store[self.cp_campaign[cp]]
            parts.append((s, members_of(s, np.full(len(cp), t)), 2, np.full(len(cp), NULL), self.cp_product[cp],
                          np.full(len(cp), NULL), _day_start_s(self.start_epoch + t) + _hour_seconds(rng, len(cp))))
        # 4. Shares of a campaign on its first day.
        started = np.flatnonzero(self.c_first < D)
        per_camp = np.bincount(self.cp_campaign, weights=self.cp_expected, minlength=self.n_campaigns)[started]
        k = rng.poisson(P.SHARES_BASE + P.SHARES_PER_EXPECTED_UNIT * per_camp)
        c = np.repeat(started, k)
        s = self.c_store[c]
        first_cp = np.searchsorted(self.cp_campaign, c)
        parts.append((s, members_of(s, self.c_first[c]), 3, self.c_theme[c], self.cp_product[first_cp],
                      np.full(len(c), NULL), _day_start_s(self.start_epoch + self.c_first[c]) + _hour_seconds(rng, len(c))))

        store = np.concatenate([p[0] for p in parts])
        member = np.concatenate([p[1] for p in parts])
        kind = np.concatenate([np.full(len(p[0]), p[2]) for p in parts])
        topic = np.concatenate([p[3] for p in parts])
        product = np.concatenate([p[4] for p in parts])
        live = np.concatenate([p[5] for p in parts])
        at = np.concatenate([p[6] for p in parts])
        order = np.argsort(at, kind="stable")
        store, member, kind, topic, product, live, at = (a[order] for a in (store, member, kind, topic, product, live, at))
        kinds = ("group_message", "live_view", "click", "share")
        topics = [c.topic for c in cd.CATEGORIES]
        ni = len(store)
        self.tables["interactions"] = {
            "id": _ids(ni), "store_id": store + 1, "member_id": np.where(member >= 0, member + 1, NULL),
            "kind": [kinds[k] for k in kind.tolist()],
            "topic": [topics[t] if t >= 0 else None for t in topic.tolist()],
            "product_id": np.where(product >= 0, product + 1, NULL),
            "live_session_id": np.where(live >= 0, live + 1, NULL), "occurred_at": _ts(at),
        }
        nl = len(self.live_idx)
        self.tables["live_sessions"] = {
            "id": _ids(nl), "store_id": self.c_store[self.live_idx] + 1, "campaign_id": self.live_idx + 1,
            "title": self.live_titles, "started_at": _ts(self.live_started), "ended_at": _ts(self.live_ended),
            "viewers": viewers,
        }

    def _pickup_codes(self) -> list[str]:
        """Six-digit 提货码, distinct within each store (own generator: the rest of the data is unchanged)."""
        rng = np.random.default_rng([self.p.seed, 4])
        codes = np.empty(self.p.members, dtype=np.int64)
        order = np.argsort(self.m_store, kind="stable")
        counts = np.bincount(self.m_store, minlength=self.p.stores)
        start = 0
        for n in counts:
            codes[order[start:start + n]] = rng.choice(10 ** 6, size=n, replace=False)
            start += n
        return [f"{c:06d}" for c in codes.tolist()]

    def member_tables(self) -> None:
        """Members with points and level, sign-up tags and behaviour tags."""
        rng, M, D = self.rng, self.p.members, self.D
        sold = ~np.isin(self.o_status, [_S["cancelled"], _S["failed"]])
        kept = self.o_status == _S["picked_up"]
        spent = np.bincount(self.o_member[kept], weights=self.o_total[kept], minlength=M)
        points = (spent // 100).astype(np.int64)
        level = 1 + np.searchsorted(np.array(P.LEVEL_POINTS), points, side="right")
        self.tables["members"] = {
            "id": _ids(M), "store_id": self.m_store + 1, "community_id": self.m_comm + 1,
            "building_id": self.m_building + 1, "phone": self.m_phones, "name": self.m_names, "room": self.m_rooms,
            "joined_on": _dates(self.start_epoch + self.m_join), "points": points, "level": level,
            "push_opt_out": rng.random(M) < P.PUSH_OPT_OUT_SHARE,
            "pickup_code": self._pickup_codes(),
        }
        tag_names = [t[0] for t in cd.STATIC_TAGS] + [t[0] for t in cd.DYNAMIC_TAGS]
        nt = len(tag_names)
        self.tables["tags"] = {
            "id": _ids(nt), "name": tag_names,
            "kind": ["static"] * len(cd.STATIC_TAGS) + ["dynamic"] * len(cd.DYNAMIC_TAGS),
            "description": [t[1] for t in cd.STATIC_TAGS] + [t[1] for t in cd.DYNAMIC_TAGS],
        }
        tag_id = {name: i + 1 for i, name in enumerate(tag_names)}
        hh = {h: self.m_type == i for i, h in enumerate(P.HOUSEHOLD_TYPES)}
        static_p = {
            "有孩家庭": np.select([hh["young_family"], hh["mixed"]], [0.75, 0.3], 0.12),
            "退休老人": np.select([hh["elderly"], hh["mixed"]], [0.75, 0.25], 0.06),
            "健身人群": np.select([hh["professional"]], [0.3], 0.08),
            "上班族": np.select([hh["professional"], hh["young_family"]], [0.75, 0.45], 0.2),
            "宠物家庭": np.full(M, 0.1),
            "孕期妈妈": np.select([hh["young_family"]], [0.08], 0.01),
        }
        m_parts, t_parts, s_parts, at_parts = [], [], [], []
        join_at = _day_start_s(self.start_epoch + self.m_join) + 10 * 3600
        for name, p in static_p.items():
            who = np.flatnonzero(rng.random(M) < p)
            m_parts.append(who)
            t_parts.append(np.full(len(who), tag_id[name]))
            s_parts.append(np.zeros(len(who), dtype=np.int64))
            at_parts.append(join_at[who] + rng.integers(0, 3600, size=len(who)))
        # Behaviour over the history (sold orders only).
        item_sold = sold[self.i_order]
        im = self.o_member[self.i_order][item_sold]
        ip = self.i_product[item_sold]
        icp = self.i_cp[item_sold]
        lines = np.bincount(im, minlength=M)
        attr = {a: self.attrs[:, i] for i, a in enumerate(cd.ATTRIBUTES)}
        fru = self.cat_codes.index("FRU")
        bab = self.cat_codes.index("BAB")
        camp_lines = np.bincount(im, weights=icp >= 0, minlength=M)
        fruit_lines = np.bincount(im, weights=self.cat[ip] == fru, minlength=M)
        quality = np.bincount(im, weights=attr["进口"][ip] | attr["有机"][ip] | attr["精品"][ip], minlength=M)
        baby = np.bincount(im, weights=self.cat[ip] == bab, minlength=M)
        low_sugar = np.bincount(im, weights=attr["低糖"][ip], minlength=M)
        orders = np.bincount(self.o_member[sold], minlength=M)
        recent = np.bincount(self.o_member[sold & (self.o_day >= D - 56)], minlength=M)
        last = np.full(M, -1, dtype=np.int64)
        np.maximum.at(last, self.o_member[sold], self.o_day[sold])
        with np.errstate(invalid="ignore", divide="ignore"):
            dynamic = {
                "价格敏感": (orders >= 3) & (camp_lines / lines >= 0.45),
                "水果常客": (fruit_lines >= 5) & (fruit_lines / lines >= 0.25),
                "品质生活": (quality >= 3) & (quality / lines >= 0.3),
                "宝妈常购": baby >= 3,
                "低糖健康": low_sugar >= 3,
                "高频复购": recent >= 12,
                "沉睡会员": (last >= 0) & (last < D - 30),
                "新会员": self.m_join >= D - 30,
            }
        nightly = _day_start_s(self.start_epoch + D - 1) + 2 * 3600  # the last nightly run
        for name, who_mask in dynamic.items():
            who = np.flatnonzero(who_mask)
            m_parts.append(who)
            t_parts.append(np.full(len(who), tag_id[name]))
            s_parts.append(np.ones(len(who), dtype=np.int64))
            at_parts.append(np.full(len(who), nightly))
        member = np.concatenate(m_parts)
        tag = np.concatenate(t_parts)
        order = np.lexsort((tag, member))
        src = np.concatenate(s_parts)[order]
        self.tables["member_tags"] = {
            "member_id": member[order] + 1, "tag_id": tag[order],
            "source": np.where(src == 0, "signup", "behaviour").tolist(),
            "assigned_at": _ts(np.concatenate(at_parts)[order]),
        }

    def order_tables(self) -> None:
        n = len(self.o_day)
        # Codes: yymmdd + store + sequence of the day, unique and readable at the counter.
        ymd = [d.strftime("%y%m%d") for d in self.dates]
        key = self.o_store * (self.D + 10) + self.o_day
        order = np.lexsort((np.arange(n), key))
        first = np.r_[True, key[order][1:] != key[order][:-1]]
        group_start = np.maximum.accumulate(np.where(first, np.arange(n), 0))
        seq = np.empty(n, dtype=np.int64)
        seq[order] = np.arange(n) - group_start
        codes = [f"{ymd[d]}{s + 1:03d}{q + 1:04d}" for d, s, q in
                 zip(self.o_day.tolist(), self.o_store.tolist(), seq.tolist(), strict=True)]
        null = lambda a: a == NULL  # noqa: E731
        counter = self.o_source == _SRC["counter"]
        self.tables["orders"] = {
            "id": _ids(n), "code": codes, "store_id": self.o_store + 1, "member_id": self.o_member + 1,
            "campaign_id": np.where(self.o_camp >= 0, self.o_camp + 1, NULL),
            "pickup_point_id": np.where(counter, NULL, self.comm_pickup_id[self.m_comm[self.o_member]]),
            "status": np.array(ORDER_STATUSES)[self.o_status].tolist(),
            "source": np.array(SOURCES)[self.o_source].tolist(), "total_fen": self.o_total,
            "placed_at": _ts(self.o_placed), "paid_at": _ts(self.o_paid, null(self.o_paid)),
            "arrived_at": _ts(self.o_arrived, null(self.o_arrived)),
            "picked_up_at": _ts(self.o_picked, null(self.o_picked)),
        }
        ni = len(self.i_order)
        self.tables["order_items"] = {
            "id": _ids(ni), "order_id": self.i_order + 1, "product_id": self.i_product + 1,
            "campaign_product_id": np.where(self.i_cp >= 0, self.i_cp + 1, NULL), "quantity": self.i_qty,
            "unit_price_fen": self.i_unit, "list_price_fen": self.i_list, "amount_fen": self.i_amount,
        }

    def stock(self) -> None:
        """Current stock per store: fresh batches, some close to expiry, some already spoiled."""
        rng, S, D = self.rng, self.p.stores, self.D
        NP = len(self.products)
        sold = ~np.isin(self.o_status, [_S["cancelled"], _S["failed"]])
        recent = sold[self.i_order] & (self.o_day[self.i_order] >= D - 28)
        key = self.o_store[self.i_order][recent] * NP + self.i_product[recent]
        daily = np.bincount(key, weights=self.i_qty[recent], minlength=S * NP).reshape(S, NP) / 28.0
        s_idx, p_idx = np.nonzero(self.carried & self.in_season[:, self.month[D - 1]][None, :])
        d = np.maximum(daily[s_idx, p_idx], 0.2)
        shelf = self.shelf[p_idx]
        end = self.start_epoch + D - 1
        perishable = shelf <= P.PERISHABLE_DAYS
        k = len(s_idx)
        # The current batch.
        age = np.where(perishable, (rng.random(k) * np.minimum(shelf, 3)).astype(np.int64),
                       rng.integers(5, 61, size=k))
        cover = np.where(perishable, np.minimum(shelf, 3), rng.uniform(10, 30, size=k))
        qty = np.round(d * cover * rng.uniform(*P.OVERSTOCK_RANGE, size=k)).astype(np.int64)
        rows = [(s_idx, p_idx, np.maximum(qty, 1), end - age, end - age + shelf)]
        # Perishables: an older batch expiring today or tomorrow, and expired leftovers.
        near = np.flatnonzero(perishable & (shelf >= 2) & (rng.random(k) < P.NEAR_EXPIRY_SHARE))
        exp_near = end + rng.integers(1, 3, size=len(near))
        rows.append((s_idx[near], p_idx[near], np.maximum(1, np.round(d[near] * rng.uniform(0.3, 1.2, size=len(near)))).astype(np.int64),
                     exp_near - shelf[near], exp_near))
        spoiled = np.flatnonzero(perishable & (rng.random(k) < P.SPOILED_SHARE))
        exp_old = end - rng.integers(0, 4, size=len(spoiled))
        rows.append((s_idx[spoiled], p_idx[spoiled], np.maximum(1, np.round(d[spoiled] * rng.uniform(0.1, 0.6, size=len(spoiled)))).astype(np.int64),
                     exp_old - shelf[spoiled], exp_old))
        s = np.concatenate([r[0] for r in rows])
        p = np.concatenate([r[1] for r in rows])
        q = np.concatenate([r[2] for r in rows])
        rec = np.concatenate([r[3] for r in rows])
        exp = np.concatenate([r[4] for r in rows])
        order = np.lexsort((rec, p, s))
        s, p, q, rec, exp = (a[order] for a in (s, p, q, rec, exp))
        cost = np.round(self.cost[p] * rng.uniform(0.95, 1.05, size=len(p))).astype(np.int64)
        n = len(s)
        self.tables["stock_batches"] = {
            "id": _ids(n), "store_id": s + 1, "product_id": p + 1, "quantity": q, "cost_fen": cost,
            "received_on": _dates(rec), "expires_on": _dates(exp),
        }


#: Every table the generator fills (the loader inserts them in foreign-key order).
SEEDED_TABLES = (
    "brands", "regions", "users", "commission_plans", "commission_plan_versions", "commission_tiers", "stores",
    "communities", "buildings", "pickup_points", "weather", "categories", "commission_rates", "suppliers", "products", "members", "tags", "member_tags",
    "campaigns", "campaign_products", "live_sessions", "orders", "order_items", "refunds",
    "pickup_verifications", "interactions", "reviews", "stock_batches",
)

STEPS = ("calendar", "geography", "weather", "stores", "users", "catalogue", "members", "interest",
         "campaigns", "orders_process", "assemble_orders", "fulfil", "after_orders", "campaign_tables",
         "interactions", "member_tables", "order_tables", "stock")


def generate(params: SeedParams, progress: Progress | None = None) -> Dataset:
    """Draw the whole brand for ``params``; deterministic for the seed and end date."""
    gen = _Gen(params, progress)
    for step in STEPS:
        getattr(gen, step)()
        if step != "orders_process":
            gen.progress(step, 0)
    return Dataset(params=params, tables=gen.tables, logins=gen.logins, truth=gen.truth)
