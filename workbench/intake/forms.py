"""Forms of the intake pages. The per-line fixes are dynamic fields read by ``services.parse_fixes``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length

from workbench.intake.parser import MAX_PASTE_CHARS


class PasteForm(FlaskForm):
    text = TextAreaField(
        _l("Paste the 接龙 here"),
        validators=[DataRequired(_l("Paste the 接龙 text first.")),
                    Length(max=MAX_PASTE_CHARS, message=_l("The text is too long: paste at most 100,000 characters."))],
        render_kw={"rows": 8, "autocomplete": "off", "spellcheck": "false"},
    )
    #: Hash of the text the preview was made from: confirming other text must preview first.
    previewed = HiddenField()


class CsvUploadForm(FlaskForm):
    file = FileField(_l("CSV file"), render_kw={"accept": ".csv,text/csv"})


class CsvConfirmForm(FlaskForm):
    csv_text = HiddenField(validators=[DataRequired(_l("Upload the file again."))])
