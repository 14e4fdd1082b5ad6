"""The stores list's query string: region filter and sort order."""

from __future__ import annotations

from wtforms import Form, IntegerField, StringField
from wtforms.validators import AnyOf, NumberRange, Optional

from workbench.security.urls import MAX_ID

#: Column keys the list can be sorted by (the service maps them to SQL).
SORT_KEYS = ("code", "name", "region", "owner", "gmv", "orders", "active", "members", "as_of")
#: Figures read best largest-first; names and codes A to Z.
DESC_FIRST = frozenset({"gmv", "orders", "active", "members", "as_of"})


class StoreListQuery(Form):
    """GET parameters of ``/hq/stores``; bad values fall back to the defaults, never a 400."""

    region = IntegerField(validators=[Optional(), NumberRange(min=0, max=MAX_ID)])
    sort = StringField(validators=[Optional(), AnyOf(SORT_KEYS)])
    dir = StringField(validators=[Optional(), AnyOf(("asc", "desc"))])

    def params(self) -> tuple[int | None, str, bool]:
        """(region id or None, sort key, descending) after validation and defaults."""
        self.validate()
        region = None if self.region.errors else self.region.data
        sort = "gmv" if self.sort.errors or not self.sort.data else self.sort.data
        if self.dir.data and not self.dir.errors:
            return region, sort, self.dir.data == "desc"
        return region, sort, sort in DESC_FIRST


KINDS = ("push", "clear", "restock", "bundle")


class SuggestionsQuery(Form):
    """GET parameters of ``/hq/suggestions``: region and kind filters; bad values mean "all"."""

    region = IntegerField(validators=[Optional(), NumberRange(min=0, max=MAX_ID)])
    kind = StringField(validators=[Optional(), AnyOf(KINDS)])

    def params(self) -> tuple[int | None, str | None]:
        """(region id or None, kind or None) after validation."""
        self.validate()
        region = None if self.region.errors else self.region.data
        kind = None if self.kind.errors or not self.kind.data else self.kind.data
        return region, kind
