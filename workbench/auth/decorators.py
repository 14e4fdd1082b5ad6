"""Access rules as named decorators; each implies ``login_required``."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from workbench.auth.models import Role


def _role_required(check):
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not check(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


#: A store owner with a store to run.
owner_required = _role_required(lambda u: u.role == Role.OWNER and u.store is not None)
#: Regional managers, HQ operations and admins.
staff_required = _role_required(lambda u: u.is_staff)
#: HQ operations and admins (not regional managers).
hq_required = _role_required(lambda u: u.role in (Role.HQ, Role.ADMIN))
#: Admins only (accounts).
admin_required = _role_required(lambda u: u.role == Role.ADMIN)
