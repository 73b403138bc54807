"""The portal's roles, as Django groups, and the permissions each one holds.

Who may see *which rows* is decided by `projects.scoping`; these permissions decide which
*kinds* of object a role may view or change at all.
"""

DEPARTMENT_STAFF = "所管課職員"
DX_OFFICE = "DX推進課"
VIEWER = "閲覧者"
DEMO = "デモアカウント"

PORTAL_APPS = ["strategy", "measures", "projects", "evaluation"]

# What department staff may read: the plan, its structure, and their own projects' rows (scoped).
# Memberships, plan revisions, the DX office's measure evaluations, committee opinions and snapshots
# name every department's projects, so staff never see them.
STAFF_READS = {
    "strategy": ["plan", "basicgoal", "department"],
    "measures": ["measure", "initiative", "measureindicator", "measureindicatortarget"],
    "projects": ["project", "projectassignment", "actiongoal", "outcomeindicator", "outcomeindicatortarget"],
    "evaluation": ["gradescale", "grade", "fiscalyear", "projectrecord", "actionresult", "indicatorresult"],
}
# Models whose rows staff fill in each year.
STAFF_EDITS = {"evaluation": ["projectrecord", "actionresult", "indicatorresult"]}


def is_demo_account(user) -> bool:
    """Whether a signed-in user is one of the demo's sample accounts (group DEMO)."""
    return user.is_authenticated and user.groups.filter(name=DEMO).exists()


def role_permissions(role: str, models_by_app: dict[str, list[str]]) -> set[tuple[str, str]]:
    """(app_label, codename) pairs granted to `role`; `models_by_app` lists each app's model names."""
    granted = set()
    for app in PORTAL_APPS:
        for model in models_by_app.get(app, []):
            if model.startswith("historical"):
                continue  # history is read through its object's admin, under the object's scoping
            if role == DX_OFFICE:
                granted |= {(app, f"{action}_{model}") for action in ("view", "add", "change", "delete")}
            elif role == VIEWER:
                granted.add((app, f"view_{model}"))
            elif role == DEPARTMENT_STAFF and model in STAFF_READS.get(app, []):
                granted.add((app, f"view_{model}"))
                if model in STAFF_EDITS.get(app, []):
                    granted.add((app, f"change_{model}"))
    return granted
