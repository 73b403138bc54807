"""The portal's roles, as Django groups, and the permissions each one holds.

Who may see *which rows* is decided by `projects.scoping`; these permissions decide which
*kinds* of object a role may view or change at all.
"""

DEPARTMENT_STAFF = "所管課職員"
DX_OFFICE = "DX推進課"
VIEWER = "閲覧者"
DEMO = "デモアカウント"

# Models whose rows staff fill in each year; everything else they only read.
STAFF_EDITS = {
    "evaluation": ["projectrecord", "actionresult", "indicatorresult"],
}
READABLE_APPS = ["strategy", "measures", "projects", "evaluation"]


def role_permissions(role: str, models_by_app: dict[str, list[str]]) -> set[tuple[str, str]]:
    """(app_label, codename) pairs granted to `role`; `models_by_app` lists each app's model names."""
    granted = set()
    for app, models in models_by_app.items():
        if app not in READABLE_APPS:
            continue
        for model in models:
            granted.add((app, f"view_{model}"))
            if role == DX_OFFICE:
                granted |= {(app, f"{action}_{model}") for action in ("add", "change", "delete")}
            elif role == DEPARTMENT_STAFF and model in STAFF_EDITS.get(app, []):
                granted |= {(app, f"change_{model}"), (app, f"add_{model}")}
    return granted
