"""What a browser test does first: log in through the form, as a person does."""

from tests import factories

DEMO_PASSWORD = "demo-pass-2024"  # the demo accounts' (`load_demo`)


def log_in(page, address: str, username: str, password: str = factories.PASSWORD) -> None:
    """Open `address` (the login page, or a page that sends an anonymous visitor there) and log in."""
    page.goto(address)
    log_in_here(page, username, password)


def log_in_here(page, username: str, password: str = factories.PASSWORD) -> None:
    """Type the username and password into the login form on the page, press ログイン and wait for
    the page it leads to."""
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_load_state()
