"""Helpers every workflow service shares: who may act, saving with history, version checks."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from projects.scoping import is_dx_office


def require_dx_office(user) -> None:
    if not is_dx_office(user):
        raise PermissionDenied("この操作はDX推進課だけが行えます。")


def save_with_history(obj, *, by, reason: str, update_fields=None) -> None:
    """Save with the acting user and the reason in the object's history."""
    obj._history_user = by
    obj._change_reason = reason
    obj.save(update_fields=update_fields)


def version_check(
    obj, expected_version: int | None, *, seen: str = "画面を開いた", redo: str = "画面を開き直して"
) -> None:
    """Refuse a save based on an older version of a record or evaluation, naming who changed it since.

    `seen` and `redo` say how the user got the old version (a page, a downloaded sheet). Call inside
    a transaction: the row stays locked until it ends, so two saves cannot both pass.
    """
    current = type(obj).objects.select_for_update().get(pk=obj.pk)
    if current.version == expected_version:
        return
    latest = current.history.select_related("history_user").first()
    raise stale_version_error(
        type(obj),
        latest.history_user if latest else None,
        latest.history_date if latest else None,
        seen=seen,
        redo=redo,
    )


def stale_version_error(model, user, when, *, seen: str, redo: str) -> ValidationError:
    """The refusal of a save based on an older version: `user` changed it at `when` (either may be None)."""
    who = (user.get_full_name() or user.username) if user else "他の利用者"
    return ValidationError(
        "この%(what)sは、あなたが%(seen)s後に%(who)sさんが更新しました（%(when)s）。"
        "入力内容は保存していません。%(redo)s最新の内容を確認してから、もう一度入力してください。",
        code="stale_version",
        params={
            "what": model._meta.verbose_name,
            "who": who,
            "when": timezone.localtime(when).strftime("%Y-%m-%d %H:%M") if when else "",
            "seen": seen,
            "redo": redo,
        },
    )
