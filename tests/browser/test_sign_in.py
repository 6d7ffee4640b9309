"""Signing in from the keyboard alone; mistakes explained next to the field that caused them."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.browser.conftest import snap
from tests.service.conftest import PASSWORD, World

pytestmark = pytest.mark.browser


def test_keyboard_only_sign_in_reaches_the_volunteer_page(
    world: World, new_context: Callable[..., BrowserContext]
) -> None:
    val = world.volunteer("Val")
    email, _ = world.user("volunteer", volunteer_id=val.id)
    page = new_context().new_page()
    page.goto("/")
    email_box = page.get_by_label("Email")
    password_box = page.get_by_label("Password")
    expect(email_box).to_be_focused()

    page.keyboard.press("Enter")  # nothing typed yet
    expect(page.locator("#email-error")).to_have_text("Enter your email address.")
    expect(email_box).to_have_attribute("aria-invalid", "true")
    expect(email_box).to_be_focused()

    page.keyboard.type(email)
    page.keyboard.press("Tab")
    expect(password_box).to_be_focused()
    page.keyboard.type("not the password")
    page.keyboard.press("Enter")
    expect(page.locator("#password-error")).to_have_text(
        "That email and password do not match an account."
    )
    expect(password_box).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#email-error")).to_be_hidden()
    snap(page, "sign-in-error")

    expect(password_box).to_be_focused()
    page.keyboard.type(PASSWORD)  # the wrong password is selected, so typing replaces it
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Sign in")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/volunteer$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Val")


def test_each_role_lands_on_its_own_page_and_can_sign_out(
    world: World, new_context: Callable[..., BrowserContext]
) -> None:
    email, _ = world.user("coordinator")
    page = new_context().new_page()
    page.goto("/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/coordinator$"))
    expect(page.locator("#who")).to_contain_text(email)
    page.goto("/volunteer")  # a coordinator asking for the volunteer page is sent back
    expect(page).to_have_url(re.compile(r"/coordinator$"))
    token = page.evaluate("localStorage.getItem('carecircles.token')")
    assert world.api.data("query { me { id } }", token=token)["me"]["id"]
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/$"))
    body = world.api.gql("query { me { id } }", token=token)  # the token ended on the server
    assert body["errors"][0]["message"].startswith("Sign in first")
    page.goto("/coordinator")  # signed out: back to sign in
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
