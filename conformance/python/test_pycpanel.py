"""pycpanel 0.1.5: API 0 (no api.version) over `json-api`, with an access hash (`WHM user:hash`)
or a password (Basic). Its constructor hardcodes port 2087, so the tests build it without the
connection check, point it at whmd's port, and then run that same check (`json_list`)."""

import os

import pytest
import pycpanel

import root_api


def connect(hash=None, password=None, ssl=True):
    conn = pycpanel.conn(
        root_api.HOST, hash=hash, password=password, ssl=ssl, verify=root_api.ca(), check_conn=False
    )
    if ssl:
        conn.hostname = f"https://{root_api.HOST}:{root_api.https_port()}/"
    else:
        conn.hostname = f"http://{root_api.HOST}:{root_api.http_port()}/"
    return conn


def test_access_hash_connects_and_lists_functions():
    # The hash is given as the multi-line text `whmd access-hash` prints; pycpanel strips it.
    conn = connect(hash=os.environ["WHMD_ACCESS_HASH"])
    apps = conn.json_list()
    assert "createacct" in apps and "listaccts" in apps


def test_password_connects_over_basic_auth():
    conn = connect(password=os.environ["WHMD_ROOT_PASSWORD"])
    assert "version" in conn.json_list()


def test_password_over_plain_http():
    conn = connect(password=os.environ["WHMD_ROOT_PASSWORD"], ssl=False)
    assert conn.api("version")["version"]


def test_wrong_hash_is_access_denied():
    conn = connect(hash="0" * 64)
    with pytest.raises(Exception, match="Access denied"):
        conn.json_list()


def test_wrong_password_is_access_denied():
    conn = connect(password="not the password")
    with pytest.raises(Exception, match="Access denied"):
        conn.api("listaccts")


def test_account_lifecycle_in_api0_shapes(username):
    conn = connect(hash=os.environ["WHMD_ACCESS_HASH"])
    user = username("pc")
    domain = f"{user}.example.net"
    for name in ("pc_small", "pc_large"):
        added = conn.api("addpkg", {"name": name, "quota": "200"})
        assert added["result"][0]["status"] == 1, added

    created = conn.api(
        "createacct",
        {"username": user, "domain": domain, "plan": "pc_small", "password": "Corr3ct-Horse-Battery"},
    )
    assert created["result"][0]["status"] == 1, created
    assert "Account Creation Ok" in created["result"][0]["statusmsg"]

    listed = conn.api("listaccts", {"search": user, "searchtype": "user"})
    assert listed["status"] == 1
    assert [(a["user"], a["domain"], a["plan"]) for a in listed["acct"]] == [(user, domain, "pc_small")]

    summary = conn.api("accountsummary", {"user": user})
    assert summary["status"] == 1
    assert (summary["acct"][0]["user"], summary["acct"][0]["suspended"]) == (user, 0)

    suspended = conn.api("suspendacct", {"user": user, "reason": "abuse report"})
    assert suspended["result"][0]["status"] == 1, suspended
    assert conn.api("accountsummary", {"user": user})["acct"][0]["suspended"] == 1

    unsuspended = conn.api("unsuspendacct", {"user": user})
    assert unsuspended["result"][0]["status"] == 1, unsuspended
    assert conn.api("accountsummary", {"user": user})["acct"][0]["suspended"] == 0

    changed = conn.api("passwd", {"user": user, "pass": "An0ther-Long-Passphrase"})
    assert changed["passwd"][0]["status"] == 1, changed

    moved = conn.api("changepackage", {"user": user, "pkg": "pc_large"})
    assert moved["result"][0]["status"] == 1, moved
    assert conn.api("accountsummary", {"user": user})["acct"][0]["plan"] == "pc_large"

    removed = conn.api("removeacct", {"user": user})
    assert removed["result"][0]["status"] == 1, removed
    assert removed["result"][0]["statusmsg"].startswith(f"{user} account removed")
    # WHM answers a search that matches nothing with status 1 and no list at all.
    gone = conn.api("listaccts", {"search": user, "searchtype": "user"})
    assert gone["status"] == 1
    assert gone.get("acct", []) == []

    for name in ("pc_small", "pc_large"):
        assert conn.api("killpkg", {"pkg": name})["result"][0]["status"] == 1


def test_zone_in_api0_shapes(username):
    conn = connect(hash=os.environ["WHMD_ACCESS_HASH"])
    domain = f"{username('pz')}.example.net"
    added = conn.api("adddns", {"domain": domain, "ip": "192.0.2.40"})
    assert added["result"][0]["status"] == 1, added
    listed = conn.api("listzones")
    assert {"domain": domain, "zonefile": f"{domain}.db"} in listed["zone"]
    record = conn.api("addzonerecord", {"domain": domain, "name": "www2", "type": "CNAME", "cname": domain})
    assert record["result"][0]["status"] == 1, record
    dumped = conn.api("dumpzone", {"domain": domain})
    assert dumped["result"][0]["statusmsg"] == "Zone Serialized"
    cname = [r for r in dumped["result"][0]["record"] if r["name"] == f"www2.{domain}."]
    assert [(r["type"], r["cname"]) for r in cname] == [("CNAME", domain)]
    killed = conn.api("killdns", {"domain": domain})
    assert killed["result"][0]["status"] == 1, killed
