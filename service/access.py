"""Who may do what (deny by default). Every resolver asks one of these first.

- coordinator: their organisation's people, volunteers, visits and rota (the deployment's
  coordinating organisation holds everyone; a coordinator without an organisation sees nothing);
- link worker: their organisation's people (no addresses); volunteers and rota are not theirs;
- volunteer: their own record and visits, and open visits they are eligible for, seen with first
  name and approximate area only; the address only for a visit they hold, on its day;
- person: their own record only;
- admin: users and organisations, no personal data.
"""

from __future__ import annotations

from datetime import date

from service.api.errors import NotAllowed, NotSignedIn
from service.context import CurrentUser, RequestContext
from service.weeks import today, visit_date

STAFF = ("coordinator", "link_worker")


def signed_in(context: RequestContext) -> CurrentUser:
    if context.user is None:
        raise NotSignedIn()
    return context.user


def require_role(context: RequestContext, *roles: str) -> CurrentUser:
    user = signed_in(context)
    if user.role not in roles:
        raise NotAllowed()
    return user


def require_staff(context: RequestContext, *roles: str) -> CurrentUser:
    """A coordinator or link worker (as listed) who belongs to an organisation."""
    user = require_role(context, *roles)
    if user.organization_id is None:
        raise NotAllowed("Not allowed: you do not belong to an organisation yet.")
    return user


def require_volunteer(context: RequestContext) -> str:
    """The caller's volunteer id."""
    user = require_role(context, "volunteer")
    if user.volunteer_id is None:
        raise NotAllowed()
    return user.volunteer_id


def may_read_person(user: CurrentUser | None, person_id: str) -> bool:
    if user is None:
        return False
    if user.role in STAFF:
        return user.organization_id is not None
    return user.role == "person" and user.person_id == person_id


def may_see_address(
    user: CurrentUser | None,
    *,
    my_status: str | None,
    week_start: str,
    day: int,
    on: date | None = None,
) -> bool:
    """Coordinators always; a volunteer only for a visit they hold, on its day."""
    if user is None:
        return False
    if user.role == "coordinator":
        return user.organization_id is not None
    if user.role == "volunteer":
        return my_status == "accepted" and visit_date(week_start, day) == (on or today())
    return False
