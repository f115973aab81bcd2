"""cpanel-client 1.0.0: Basic auth, API 1, reads metadata.result, metadata.reason and, on
createacct, metadata.output.raw. It has methods for creating, suspending and terminating an
account only; listing, reading, unsuspending, password and package changes are not part of
it, so the test confirms its effects as root and runs those steps through root_api."""

import os

import pytest
from cpanel import ServerAPI

import root_api


@pytest.fixture
def api(monkeypatch):
    # The client verifies TLS with requests' defaults: the test CA comes in through the
    # environment, as a user of the library would give it.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", root_api.ca())
    return ServerAPI("root", os.environ["WHMD_ROOT_PASSWORD"], f"https://{root_api.HOST}", root_api.https_port())


def test_account_lifecycle(api, username):
    # The client makes the username from the domain by dropping its dots.
    label = username("cc")
    domain = f"{label[:4]}.{label[4:]}"
    root_api.ok("addpkg", name="cc_plan", quota=300)
    root_api.ok("addpkg", name="cc_other", quota=400)

    created = api.create_account(f"owner@{domain}", domain, "cc_plan")
    assert created["success"] == 1, created
    assert created["username"] == label
    assert created["message"] == "Account Creation Ok"
    # data is metadata.output.raw, the account-creation transcript WHM prints.
    assert f"| Domain: {domain}" in created["data"]
    assert f"| UserName: {label}" in created["data"]

    record = root_api.account(label)
    assert (record["domain"], record["plan"], record["email"]) == (domain, "cc_plan", f"owner@{domain}")
    listed = root_api.ok("listaccts", search=label, searchtype="user")["data"]["acct"]
    assert [a["user"] for a in listed] == [label]

    suspended = api.suspend_account(label.upper())
    assert suspended["success"] == 1, suspended
    record = root_api.account(label)
    assert (record["suspended"], record["suspendreason"]) == (1, "No Payment")

    root_api.ok("unsuspendacct", user=label)
    root_api.ok("passwd", user=label, password="An0ther-Long-Passphrase")
    root_api.ok("changepackage", user=label, pkg="cc_other")
    assert root_api.account(label)["plan"] == "cc_other"

    terminated = api.terminate_account(label)
    assert terminated["success"] == 1, terminated
    assert terminated["message"] == f"{label} account removed"
    assert root_api.account(label) is None

    for name in ("cc_plan", "cc_other"):
        root_api.ok("killpkg", pkgname=name)


def test_refusal_comes_back_as_the_reason(api):
    # A reserved username: WHM refuses it, and the client hands the reason to its caller.
    created = api.create_account("owner@test.invalid", "t.est", "default")
    assert created["success"] == 0
    assert "reserved username" in created["message"]


def test_wrong_password_is_not_success(monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", root_api.ca())
    api = ServerAPI("root", "not the password", f"https://{root_api.HOST}", root_api.https_port())
    # On a 403 the client never reads a reason and fails with an error of its own.
    with pytest.raises(UnboundLocalError):
        api.suspend_account("nobody")
