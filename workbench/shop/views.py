"""The public campaign order page (``/c/<token>``): no account, phone + one-time code.

Step 1 (``request_code``) sends a code to the phone; step 2 (``place_order``) checks it
and places the order in one transaction. A verified phone is remembered in the signed
session cookie for 30 minutes, so a second order needs no new code. Rate limits: code
requests per client address and per phone, order attempts (code guesses) per address.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from sqlalchemy.exc import IntegrityError

from workbench.extensions import db, limiter
from workbench.formatting import mask_phone
from workbench.outbox.channels import ChannelError, get_channel
from workbench.qr import qr_svg
from workbench.shop import otp, services
from workbench.shop.forms import OrderForm
from workbench.stores.models import Store
from workbench.types import utcnow
from workbench.web import render, wants_fragment

bp = Blueprint("shop", __name__)

REMEMBER_FOR = timedelta(minutes=30)
VERIFIED_KEY = "shop_verified"
LAST_ORDER_KEY = "shop_orders"


@bp.record_once
def _check_channel(state) -> None:
    """An unknown ``OUTBOX_CHANNEL`` stops the app at start-up, not at a member's first code."""
    get_channel(state.app.config.get("OUTBOX_CHANNEL", "log"))


# --------------------------------------------------------------------------- rate limits


def _otp_limit() -> str:
    return current_app.config["OTP_RATE_LIMIT"]


def _verify_limit() -> str:
    return current_app.config["OTP_VERIFY_RATE_LIMIT"]


def _phone_key() -> str:
    """Counts code requests per phone number, however it was typed."""
    return "phone:" + (otp.normalise_phone(request.form.get("phone")) or get_remote_address())


@bp.errorhandler(429)
def _too_many(error):
    """A limit was hit: htmx's code button gets the status line (the form stays), else a page."""
    message = _("Too many code requests. Please wait a while and try again.")
    if request.endpoint == "shop.request_code" and wants_fragment():
        return render("shop/_otp_status.html", None, status=429, note=message, ok=False)
    if request.endpoint != "shop.request_code":
        message = _("Too many attempts. Please wait a minute and try again.")
    return render("errors/error.html", None, status=429, title=_("Too many attempts"), message=message)


# --------------------------------------------------------------------------- helpers


def _campaign_or_404(token: str):
    campaign_id = services.campaign_id_from_token(token)
    campaign = services.load_campaign(db.session, campaign_id) if campaign_id is not None else None
    if campaign is None:
        abort(make_response(render_template("shop/missing.html"), 404))
    return campaign


def _remembered_phone(store_id: int, now: datetime) -> str | None:
    seen = session.get(VERIFIED_KEY)
    if not isinstance(seen, dict) or seen.get("store") != store_id:
        return None
    return seen.get("phone") if float(seen.get("until", 0)) > now.timestamp() else None


def _remember(store_id: int, phone: str, now: datetime) -> None:
    session[VERIFIED_KEY] = {"store": store_id, "phone": phone, "until": (now + REMEMBER_FOR).timestamp()}


def _page(token, campaign, page, form, *, status=200, note=None, note_ok=True, qty=None, qty_errors=None,
          general_error=None):
    remembered = _remembered_phone(campaign.store_id, utcnow())
    return render("shop/campaign.html", None, status=status, token=token, view=page, form=form,
                  remembered=remembered, note=note, note_ok=note_ok, qty=qty or {}, qty_errors=qty_errors or {},
                  general_error=general_error)


# --------------------------------------------------------------------------- routes


@bp.route("/<token>")
def campaign(token: str):
    """The campaign: products, 成团 progress, deadline, pickup; the order form while it is open."""
    campaign = _campaign_or_404(token)
    now = utcnow()
    page = services.campaign_page(db.session, campaign, now)
    form = OrderForm(buildings=page.buildings, formdata=None)
    form.phone.data = _remembered_phone(campaign.store_id, now) or ""
    return _page(token, campaign, page, form)


@bp.route("/<token>/code", methods=["POST"])
@limiter.limit(_otp_limit, key_func=get_remote_address, methods=["POST"])
@limiter.limit(_otp_limit, key_func=_phone_key, methods=["POST"])
def request_code(token: str):
    """Step 1: send a one-time code to the phone (htmx: only the status line is swapped)."""
    campaign = _campaign_or_404(token)
    now = utcnow()
    page = services.campaign_page(db.session, campaign, now)
    form = OrderForm(buildings=page.buildings)
    status, ok = 200, True
    if not page.is_open:
        status, ok, note = 409, False, _("This group buy is not taking orders now.")
    elif not form.phone_is_valid():
        status, ok, note = 400, False, form.phone.errors[0]
    else:
        store = db.session.get(Store, campaign.store_id)
        try:
            services.send_code(db.session, store, form.phone.data, now, secret=current_app.config["SECRET_KEY"],
                               channel=current_app.config["OUTBOX_CHANNEL"])
            note = _("A code was sent to %(phone)s. It is valid for 10 minutes.", phone=mask_phone(form.phone.data))
        except otp.TooSoon as exc:
            db.session.rollback()
            status, ok, note = exc.status, False, exc.message
        except (services.CodeNotSent, ChannelError):
            db.session.rollback()
            status, ok, note = 503, False, _("The code could not be sent just now. Please try again in a minute.")
    if wants_fragment():
        return render("shop/_otp_status.html", None, status=status, note=note, ok=ok)
    qty = {k: v for k, v in request.form.items() if k.startswith("qty-")}
    return _page(token, campaign, page, form, status=status, note=note, note_ok=ok, qty=qty)


@bp.route("/<token>/order", methods=["POST"])
@limiter.limit(_verify_limit, key_func=get_remote_address, methods=["POST"])
def place_order(token: str):
    """Step 2: check the code (unless this phone was verified in the last 30 minutes) and order."""
    campaign = _campaign_or_404(token)
    now = utcnow()
    page = services.campaign_page(db.session, campaign, now)
    form = OrderForm(buildings=page.buildings)
    quantities, qty_errors = services.parse_quantities(request.form, page.lines)
    qty = {k: v for k, v in request.form.items() if k.startswith("qty-")}

    def again(status: int, general_error: str | None = None):
        return _page(token, campaign, page, form, status=status, qty=qty, qty_errors=qty_errors,
                     general_error=general_error)

    if not page.is_open:
        return again(409, _("This group buy is not taking orders now."))
    valid = form.validate()
    remembered = _remembered_phone(campaign.store_id, now)
    needs_code = not (valid and remembered == form.phone.data)
    if needs_code and not form.code.data and not form.code.errors:
        form.code.errors = [_("Enter the 6-digit code sent to your phone.")]
        valid = False
    if not quantities and not qty_errors:
        qty_errors[0] = _("Choose at least one product (quantity 1 or more).")
    if not valid or qty_errors:
        return again(400, _("Please check the fields marked below."))

    try:
        if needs_code:
            otp.verify(db.session, campaign.store_id, form.phone.data, form.code.data, now,
                       current_app.config["SECRET_KEY"])
        placed = services.place_order(
            db.session, campaign, form.phone.data, quantities,
            services.NewMember(form.name.data or "", form.building.data, form.room.data or ""), now)
        db.session.commit()
    except otp.OtpError as exc:
        db.session.commit()  # a wrong guess must count; nothing else was written
        form.code.errors = [exc.message]
        return again(exc.status, _("Please check the fields marked below."))
    except services.OrderRefused as exc:
        db.session.rollback()  # the code stays unused: the member fixes the form and sends again
        target = {"name": form.name, "building": form.building}.get(exc.field or "")
        if target is not None:
            target.errors = [exc.message]
        elif exc.field == "quantities":
            qty_errors[0] = exc.message
        return again(exc.status, exc.message)
    except IntegrityError:
        db.session.rollback()
        return again(409, _("Someone else saved at the same moment. Please submit again."))

    _remember(campaign.store_id, form.phone.data, now)
    orders = dict(session.get(LAST_ORDER_KEY) or {})
    orders[str(campaign.id)] = placed.order_id
    session[LAST_ORDER_KEY] = orders
    return redirect(url_for("shop.done", token=token), 303)


@bp.route("/<token>/done")
def done(token: str):
    """The confirmation of this browser's latest order in the campaign, with the pickup code."""
    campaign = _campaign_or_404(token)
    order_id = (session.get(LAST_ORDER_KEY) or {}).get(str(campaign.id))
    info = services.confirmation(db.session, order_id, campaign.id) if isinstance(order_id, int) else None
    if info is None:
        return redirect(url_for("shop.campaign", token=token))
    return render("shop/done.html", None, token=token, info=info,
                  pickup_qr=qr_svg(info.pickup_code, scale=6, title=_("Pickup code")) if info.pickup_code else None)
