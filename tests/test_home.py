import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext


def test_home_shows_the_plan_its_goals_and_measures(client, plan):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>第２次相模原市ＩＣＴ総合戦略 | ICT総合戦略 進捗ポータル</title>" in html
    assert '<html lang="ja">' in html
    assert "令和6年度（2024年度）〜令和9年度（2027年度）" in html
    for number, title in [
        (1, "利用者中心の行政サービス改革"),
        (2, "経営資源を最大限に活用した行財政改革"),
        (3, "将来にわたり発展し続けるまちづくり"),
    ]:
        assert f"基本目標{number}　{title}" in html
    codes = ["1-1", "1-2", "2-1", "2-2", "2-3", "3-1", "3-2", "3-3"]
    assert [code for code in codes if f'<span class="code">施策{code}</span>' in html] == codes
    assert "ICT-BCPの推進" in html
    assert len(queries) == 5


@pytest.mark.django_db
def test_home_without_a_plan_says_how_to_load_it(client):
    assert "python manage.py load_plan" in client.get("/").content.decode()


def test_language_switch_serves_english(client, plan):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Basic goals and measures" in html
