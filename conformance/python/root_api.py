"""Root's view of the server under test, for setting up and checking state around a client.

Standard library only, so that it runs in every venv. The clients under test never go through
here; tests use it for what a client has no method for (making a package for a client that
cannot, a reseller's first token) and to confirm what a client did.

As a script: root_api.py FUNCTION [name=value ...] calls one API 1 function and fails unless
metadata.result is 1.
"""

import base64
import json
import os
import ssl
import sys
import urllib.parse
import urllib.request

HOST = "127.0.0.1"


def https_port():
    return int(os.environ["WHMD_HTTPS_PORT"])


def http_port():
    return int(os.environ["WHMD_HTTP_PORT"])


def ca():
    return os.environ["WHMD_CA"]


def call(function, **params):
    """Calls an API 1 function as root (API token) and returns the parsed reply."""
    return call_as(f"whm root:{os.environ['WHMD_ROOT_TOKEN']}", function, **params)


def basic(user, password):
    """The Authorization value of HTTP Basic auth."""
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def call_as(authorization, function, **params):
    """Calls an API 1 function presenting `authorization` and returns the parsed reply."""
    query = urllib.parse.urlencode({**params, "api.version": "1"}, doseq=True)
    request = urllib.request.Request(
        f"https://{HOST}:{https_port()}/json-api/{function}?{query}",
        headers={"Authorization": authorization},
    )
    context = ssl.create_default_context(cafile=ca())
    with urllib.request.urlopen(request, context=context, timeout=30) as reply:
        return json.load(reply)


def ok(function, **params):
    """Calls a function as root and insists that it succeeded."""
    reply = call(function, **params)
    assert reply["metadata"]["result"] == 1, reply["metadata"]
    return reply


def account(user):
    """The account's accountsummary record, or None when there is no such account."""
    reply = call("accountsummary", user=user)
    if reply["metadata"]["result"] != 1:
        return None
    return reply["data"]["acct"][0]


if __name__ == "__main__":
    ok(sys.argv[1], **dict(arg.split("=", 1) for arg in sys.argv[2:]))
