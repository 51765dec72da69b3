"""What each role can do, for the header navigation and the home page. The tasks name the views of
every app by URL name only, so this list imports none of them.

Each app adds its entries here as its features land; the home page and the navigation are both
drawn from this one list, so a role never sees a link to something it cannot use.
"""

from __future__ import annotations

from dataclasses import dataclass

from agencies.models import Role, User

EVERYONE_IN_AN_AREA = frozenset(
    {
        Role.COORDINATOR,
        Role.CHAIR,
        Role.RA_PRACTITIONER,
        Role.DTC_STAFF,
        Role.AUDITOR,
        Role.SYSTEM_ADMINISTRATOR,
        Role.SMB_MEMBER,
        Role.LAY_ADVISER,
    }
)


@dataclass(frozen=True)
class Task:
    title: str
    description: str
    url_name: str
    roles: frozenset[Role]
    in_navigation: bool = True


TASKS: list[Task] = [
    Task(
        "Nominals",
        "Find people managed under MAPPA by name, alias or identifier; see their category, level, orders and history.",
        "cases:nominal-list",
        frozenset({Role.COORDINATOR, Role.CHAIR, Role.RA_PRACTITIONER, Role.DTC_STAFF, Role.AUDITOR}),
    ),
    Task(
        "Record a new nominal",
        "Record someone newly eligible for MAPPA, with their index offence, category and level.",
        "cases:nominal-create",
        frozenset({Role.COORDINATOR}),
        in_navigation=False,
    ),
    Task(
        "Referrals",
        "Refer someone for Level 2 or 3 management, and follow your agency's referrals and their decisions.",
        "referrals:referral-list",
        frozenset({Role.COORDINATOR, Role.CHAIR, Role.RA_PRACTITIONER, Role.DTC_STAFF}),
    ),
    Task(
        "Screening",
        "Work the referral queue, schedule weekly screening panels, record who is present and their decisions.",
        "referrals:queue",
        frozenset({Role.COORDINATOR}),
    ),
    Task(
        "Your agency's work",
        "Your agency's actions from risk management plans, the meetings it is invited to and the referrals it made.",
        "meetings:work",
        frozenset({Role.RA_PRACTITIONER, Role.DTC_STAFF, Role.CHAIR}),
    ),
    Task(
        "Meetings",
        "The Level 2 and 3 meetings you chair or minute, or that your agency is invited to, and their minutes.",
        "meetings:my-meetings",
        frozenset({Role.COORDINATOR, Role.CHAIR, Role.RA_PRACTITIONER, Role.DTC_STAFF}),
    ),
    Task(
        "Panel days",
        "Schedule district panel days and urgent meetings, invite agencies, record attendance and distribute minutes.",
        "meetings:panel-day-list",
        frozenset({Role.COORDINATOR}),
    ),
    Task(
        "Reviews due",
        "Level 2 and 3 cases whose review is due, overdue or not yet held, by district.",
        "meetings:reviews",
        frozenset({Role.COORDINATOR}),
        in_navigation=False,
    ),
    Task(
        "Statistics",
        "The unit's performance indicators month by month, agency engagement, and the annual report tables.",
        "statistics:dashboard",
        frozenset({Role.COORDINATOR}),
    ),
    Task(
        "Annual report",
        "Prepare the published annual report tables for any year, and download them.",
        "statistics:annual-reports",
        frozenset({Role.COORDINATOR}),
        in_navigation=False,
    ),
    Task(
        "Transfers",
        "Send a nominal to another MAPPA area, and accept or decline the transfers other areas send to yours.",
        "transfers:transfer-list",
        frozenset({Role.COORDINATOR}),
    ),
    Task(
        "Serious case reviews",
        "Serious further offence notifications, the board's decisions, reviews, their recommendations and action plans.",
        "reviews:register",
        frozenset({Role.COORDINATOR, Role.SMB_MEMBER}),
    ),
    Task(
        "Meeting quality audits",
        "Audit a sample of each quarter's Level 2 and 3 meetings against the checklist, and see the results.",
        "governance:audit-list",
        frozenset({Role.COORDINATOR}),
    ),
    Task(
        "Board overview",
        "The area's performance for the Strategic Management Board: indicators, engagement, reviews and audits.",
        "governance:board",
        frozenset({Role.COORDINATOR, Role.SMB_MEMBER, Role.LAY_ADVISER}),
    ),
    Task(
        "Audit log",
        "Search who viewed, changed or disclosed what; a person's record history; a user's activity.",
        "audit:search",
        frozenset({Role.AUDITOR}),
    ),
    Task(
        "Agencies",
        "Find the agencies and people in your area's MAPPA partnership, by kind of agency and district.",
        "agencies:agency-list",
        EVERYONE_IN_AN_AREA,
    ),
    Task(
        "Manage users and agencies",
        "Add and deactivate users, set their roles and Category 4 clearance, and manage areas, districts and agencies.",
        "admin:index",
        frozenset({Role.SYSTEM_ADMINISTRATOR}),
    ),
    Task(
        "Your account",
        "See your agency, your roles and what you are cleared to see.",
        "account",
        EVERYONE_IN_AN_AREA,
        in_navigation=False,
    ),
]


def tasks_for(user: User) -> list[Task]:
    return [task for task in TASKS if user.has_role(*task.roles)]


ROLE_SUMMARIES: dict[Role, str] = {
    Role.COORDINATOR: "You manage your area's MAPPA work: referrals, screening panels, meetings, actions and "
    "statistics.",
    Role.CHAIR: "You chair Level 2 and 3 meetings and sign off their decisions, risk management plans and minutes.",
    Role.RA_PRACTITIONER: "You manage the cases your agency leads, make referrals, contribute to meetings and own "
    "actions.",
    Role.DTC_STAFF: "You see the cases and meetings your agency has been brought into, make referrals and update "
    "your agency's actions.",
    Role.AUDITOR: "You review who has seen and changed what, read-only.",
    Role.SYSTEM_ADMINISTRATOR: "You manage users, agencies and reference data. You do not see case content.",
    Role.SMB_MEMBER: "You oversee the area's MAPPA work for the Strategic Management Board: its performance, "
    "serious case reviews and meeting audits, without case records.",
    Role.LAY_ADVISER: "You see the area's performance as the Strategic Management Board does, in figures only: "
    "no one's name or case record.",
}
