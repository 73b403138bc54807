import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.core.management.base import BaseCommand
from django.template.loader import render_to_string
from django.urls import reverse

from core.fiscal import fiscal_year_label
from evaluation.selectors import reminders_due


class Command(BaseCommand):
    help = (
        "E-mail each department what is still missing before the deadline and what was returned (daily cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=7, help="remind when the deadline is this many days away or less"
        )

    def handle(self, *args, days, **options):
        url = settings.PORTAL_BASE_URL.rstrip("/") + reverse("records:mine")
        sent = 0
        for reminder in reminders_due(today=datetime.date.today(), days_before=days):
            subject = f"【ICT総合戦略】{fiscal_year_label(reminder.fiscal_year.year)}評価の入力のお願い（{reminder.department}）"
            body = render_to_string("email/reminder.txt", {"reminder": reminder, "url": url})
            send_mail(subject, body, None, reminder.recipients)
            sent += 1
        self.stdout.write(f"{sent}件の所管課にお知らせを送信しました。")
