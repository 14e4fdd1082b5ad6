"""The order form of the campaign page (quantities are per product: see ``parse_quantities``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional, Regexp, ValidationError

from workbench.shop.otp import normalise_phone


def _optional_int(value):
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1  # refused by the service with a clear message, never a 500


class OrderForm(FlaskForm):
    phone = StringField(
        _l("Mobile number"),
        render_kw={"inputmode": "tel", "autocomplete": "tel", "placeholder": "138 0000 0000", "maxlength": 20},
    )
    code = StringField(
        _l("Code"),
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[Optional(), Regexp(r"^\d{6}$", message=_l("The code has 6 digits."))],
        render_kw={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 6,
                   "pattern": r"\d{6}", "placeholder": "······"},
    )
    name = StringField(_l("Name"), validators=[Length(max=40)],
                       render_kw={"autocomplete": "name", "maxlength": 40})
    building = SelectField(_l("Building"), coerce=_optional_int, validate_choice=False)
    room = StringField(_l("Unit and room"), validators=[Length(max=20)],
                       render_kw={"placeholder": _l("e.g. Unit 1, 502"), "maxlength": 20})

    def __init__(self, *args, buildings: list[tuple[int, str]] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.building.choices = [("", _l("Choose…"))] + [(str(i), n) for i, n in buildings]

    def validate_phone(self, field) -> None:
        phone = normalise_phone(field.data)
        if phone is None:
            raise ValidationError(_l("Enter an 11-digit mainland mobile number, e.g. 138 1234 5678."))
        field.data = phone

    def phone_is_valid(self) -> bool:
        """Validate the phone alone (step 1 needs nothing else)."""
        # Inline ``validate_<field>`` methods run only through ``Form.validate``: pass it in.
        return self.phone.validate(self, [OrderForm.validate_phone])
