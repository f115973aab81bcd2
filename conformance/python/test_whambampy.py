"""whambampy 0.0.7: API token in `whm user:token`, a create_user_session security token as the
path prefix of every call, API 1, replies returned as parsed JSON."""

import os
import re

import pytest
from whambampy import whm

import root_api


def connect(token=None, user="root"):
    return whm(
        root_api.HOST,
        user,
        token or os.environ["WHMD_ROOT_TOKEN"],
        whm_port=root_api.https_port(),
        verify_ssl=root_api.ca(),
    )


def test_session_security_token_becomes_the_path_prefix():
    client = connect()
    assert re.fullmatch(r"/cpsess\d{10}", client._sec_token)
    reply = client.call("version")
    assert reply["metadata"]["result"] == 1
    assert re.fullmatch(r"11\.\d+\.\d+\.\d+", reply["data"]["version"])


def test_wrong_token_is_refused_at_construction():
    with pytest.raises(PermissionError):
        connect(token="A" * 32)


def test_account_lifecycle(username):
    client = connect()
    user = username("wb")
    domain = f"{user}.example.com"
    for name, quota in (("wb_small", 100), ("wb_large", 500)):
        reply = client.call("addpkg", name=name, quota=quota, bwlimit=1000)
        assert reply["metadata"]["result"] == 1, reply["metadata"]

    created = client.call(
        "createacct", username=user, domain=domain, plan="wb_small", password="Corr3ct-Horse-Battery"
    )
    assert created["metadata"]["result"] == 1, created["metadata"]
    assert created["metadata"]["reason"] == "Account Creation Ok"

    listed = client.call("listaccts", search=user, searchtype="user")
    assert [(a["user"], a["domain"], a["plan"]) for a in listed["data"]["acct"]] == [
        (user, domain, "wb_small")
    ]

    summary = client.call("accountsummary", user=user)["data"]["acct"][0]
    assert (summary["user"], summary["domain"], summary["suspended"]) == (user, domain, 0)

    suspended = client.call("suspendacct", user=user, reason="unpaid invoice")
    assert suspended["metadata"]["result"] == 1, suspended["metadata"]
    summary = client.call("accountsummary", user=user)["data"]["acct"][0]
    assert summary["suspended"] == 1
    assert summary["suspendreason"] == "unpaid invoice"

    unsuspended = client.call("unsuspendacct", user=user)
    assert unsuspended["metadata"]["result"] == 1, unsuspended["metadata"]
    assert client.call("accountsummary", user=user)["data"]["acct"][0]["suspended"] == 0

    changed = client.call("passwd", user=user, password="An0ther-Long-Passphrase")
    assert changed["metadata"]["result"] == 1, changed["metadata"]
    assert user in changed["metadata"]["reason"]

    moved = client.call("changepackage", user=user, pkg="wb_large")
    assert moved["metadata"]["result"] == 1, moved["metadata"]
    assert client.call("accountsummary", user=user)["data"]["acct"][0]["plan"] == "wb_large"

    removed = client.call("removeacct", user=user)
    assert removed["metadata"]["result"] == 1, removed["metadata"]
    assert removed["metadata"]["reason"] == f"{user} account removed"
    # WHM answers a search that matches nothing with result 1 and no data at all.
    gone = client.call("listaccts", search=user, searchtype="user")
    assert gone["metadata"]["result"] == 1
    assert gone.get("data", {}).get("acct", []) == []

    for name in ("wb_small", "wb_large"):
        assert client.call("killpkg", pkgname=name)["metadata"]["result"] == 1


def test_reseller_token_sees_its_own_and_only_its_acls(username):
    client = connect()
    reseller, password = username("wr"), "Reseller-Pass-9"
    made = client.call(
        "createacct", username=reseller, domain=f"{reseller}.example.com", password=password
    )
    assert made["metadata"]["result"] == 1, made["metadata"]
    # whambampy calls only the functions on its own list, which lacks setupreseller and
    # setacls; those two steps go through the suite's own caller.
    root_api.ok("setupreseller", user=reseller, makeowner=1)
    root_api.ok(
        "setacls",
        reseller=reseller,
        **{f"acl-{acl}": 1 for acl in ("list-accts", "create-acct", "create-user-session", "manage-api-tokens")},
    )

    # The reseller makes its own token (logged in with its password) holding fewer ACLs than
    # it has; whambampy opens every connection with create_user_session, so that one is kept.
    token = root_api.call_as(
        root_api.basic(reseller, password),
        "api_token_create",
        token_name="whambampy",
        acl=["list-accts", "create-user-session"],
    )
    assert token["metadata"]["result"] == 1, token["metadata"]
    as_reseller = connect(token=token["data"]["token"], user=reseller)

    listed = as_reseller.call("listaccts")
    assert [a["user"] for a in listed["data"]["acct"]] == [reseller]
    refused = as_reseller.call("createacct", username=username("wx"), domain="refused.example.com")
    assert refused["metadata"]["result"] == 0
    assert "create-acct" in refused["metadata"]["reason"]

    assert client.call("removeacct", user=reseller)["metadata"]["result"] == 1


def test_zone_records_by_line(username):
    client = connect()
    domain = f"{username('wz')}.example.org"
    added = client.call("adddns", domain=domain, ip="192.0.2.30")
    assert added["metadata"]["result"] == 1, added["metadata"]

    def records():
        reply = client.call("dumpzone", domain=domain)
        assert reply["metadata"]["result"] == 1, reply["metadata"]
        return reply["data"]["zone"][0]["record"]

    made = client.call("addzonerecord", domain=domain, name="host", type="A", address="192.0.2.31")
    assert made["metadata"]["result"] == 1, made["metadata"]
    line = next(r["Line"] for r in records() if r["name"] == f"host.{domain}.")
    serial = next(r["serial"] for r in records() if r["type"] == "SOA")
    edited = client.call("editzonerecord", domain=domain, line=line, serialnum=serial, address="192.0.2.32")
    assert edited["metadata"]["result"] == 1, edited["metadata"]
    got = client.call("getzonerecord", domain=domain, line=line)
    assert got["data"]["record"][0]["address"] == "192.0.2.32"
    stale = client.call("removezonerecord", domain=domain, line=line, serialnum=serial)
    assert stale["metadata"]["reason"] == "Zone file changed since last read."
    assert client.call("killdns", domain=domain)["metadata"]["result"] == 1
    assert client.call("dumpzone", domain=domain)["metadata"]["reason"] == "Zone does not exist."
