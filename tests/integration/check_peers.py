#!/usr/bin/env python3
"""check_peers.py - the checks of tests/integration/peers.sh on otscope's JSON output.

Reads DIR/{assets,operations,alerts,flows}.json and DIR/frames.tsv (tshark: frame number,
ip.src, ip.dst, modbus.func_code, modbus.mei, opcua.transport.type,
opcua.servicenodeid.numeric) and prints one "PASS name" or "FAIL name: why" line per check,
then "checks done".  Exit 0 when all passed, 1 otherwise.

What the peers did is fixed by modbus_peer.py and opcua_peer.js; the expected values below are
theirs.  Every identity value must carry evidence whose frame tshark confirms to be the protocol
message that carries it.
"""
import argparse
import json
import os
import re
import sys

MODBUS_IDENTITY = {  # otscope field -> value (modbus_peer.py IDENTITY)
    "vendor": "Schneider Electric",        # VendorName (object 0)
    "order_number": "BMXP342020",          # ProductCode (1)
    "firmware": "V3.20",                   # MajorMinorRevision (2)
    "product": "Modicon M340",             # ProductName (4)
}
MODBUS_ATTRIBUTES = {
    "url": "http://www.schneider-electric.com",   # VendorUrl (3)
    "model": "BMX P34 2020",                      # ModelName (5)
    "user_application_name": "Line4",             # UserApplicationName (6)
}
OPCUA_SERVER = {  # opcua_peer.js APP
    "application_uri": "urn:line4-plc:SchneiderElectric:ModiconM340",
    "product_uri": "http://www.schneider-electric.com/modicon-m340",
    "application_name": "Line4 PLC OPC UA Server",
}
OPCUA_BUILD_INFO = {  # BuildInfo the client reads: the same device, so the same identity
    "vendor": "Schneider Electric",
    "product": "Modicon M340",
    "firmware": "V3.20",
}
OPCUA_CLIENT_URI = "urn:line4-hmi:otscope-test"
# OPC UA service encoding ids (tshark opcua.servicenodeid.numeric)
UA_GET_ENDPOINTS_RSP, UA_CREATE_SESSION_RSP, UA_READ_REQ, UA_READ_RSP = 431, 464, 631, 634
UA_WRITE_REQ, UA_CALL_REQ, UA_ACTIVATE_SESSION_REQ = 673, 712, 467

results = []


def check(name, ok, why=""):
    results.append(bool(ok))
    print(("PASS " if ok else "FAIL ") + name + ("" if ok or not why else ": " + why))
    return ok


def load(d, name):
    try:
        with open(os.path.join(d, name + ".json")) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        print(f"({name}.json unreadable: {e})")
        return {}


def load_frames(path):
    frames = {}
    try:
        with open(path) as f:
            for line in f:
                cols = line.rstrip("\n").split("\t") + [""] * 7
                num, src, dst, fc, mei, uatype, svc = cols[:7]
                if not num.isdigit():
                    continue
                ints = lambda s: {int(x) for x in s.split(",") if x.strip().isdigit()}
                frames[int(num)] = {"src": src, "dst": dst, "fc": ints(fc), "mei": ints(mei),
                                    "ua": uatype, "svc": ints(svc)}
    except OSError:
        pass
    return frames


def short(x, n=300):
    s = json.dumps(x) if not isinstance(x, str) else x
    return s if len(s) <= n else s[:n] + "..."


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--pcap", required=True)
    ap.add_argument("--server", required=True)
    ap.add_argument("--client", required=True)
    ap.add_argument("--server-mac", required=True)
    ap.add_argument("--client-mac", required=True)
    o = ap.parse_args()
    assets = load(o.dir, "assets").get("assets", [])
    ops = load(o.dir, "operations").get("operations", [])
    alerts = load(o.dir, "alerts").get("alerts", [])
    flows = load(o.dir, "flows").get("flows", [])
    frames = load_frames(os.path.join(o.dir, "frames.tsv"))

    # ---- the capture itself: only the two test hosts ----
    ips = {f["src"] for f in frames.values() if f["src"]} | \
          {f["dst"] for f in frames.values() if f["dst"]}
    check("the capture holds only 10.99.0.0/24 traffic of the two hosts",
          ips and ips <= {o.server, o.client}, short(sorted(ips)))

    def by_ip(ip):
        for a in assets:
            if ip in a.get("ips", []):
                return a
        return None

    srv, cli = by_ip(o.server), by_ip(o.client)
    check(f"server asset {o.server} exists", srv is not None, short([a.get("ips") for a in assets]))
    check(f"client asset {o.client} exists", cli is not None)
    srv, cli = srv or {}, cli or {}
    check("the inventory holds exactly the two hosts", len(assets) == 2,
          short([a.get("ips") for a in assets]))
    check("server asset has host A's MAC", srv.get("mac") == o.server_mac, str(srv.get("mac")))
    check("client asset has host B's MAC", cli.get("mac") == o.client_mac, str(cli.get("mac")))

    def speaks(a, proto, role):
        return any(p.get("name") == proto and p.get("as") == role and p.get("packets", 0) > 0
                   for p in a.get("protocols", []))

    for proto in ("modbus", "opcua"):
        check(f"server asset speaks {proto} as server", speaks(srv, proto, "server"),
              short(srv.get("protocols")))
        check(f"client asset speaks {proto} as client", speaks(cli, proto, "client"),
              short(cli.get("protocols")))
        check(f"client asset is not a {proto} server", not speaks(cli, proto, "server"))

    def flow_ok(proto, port):
        return any(f.get("protocol") == proto and f.get("port") == port and
                   (f.get("client") or {}).get("ip") == o.client and
                   (f.get("server") or {}).get("ip") == o.server for f in flows)

    check("flows: modbus client -> server tcp/502", flow_ok("modbus", 502), short(flows))
    check("flows: opcua client -> server tcp/4840", flow_ok("opcua", 4840))

    # ---- identity values and their evidence ----
    def evidence(a, field, value):
        return [e for e in a.get("evidence", []) if e.get("field") == field and e.get("value") == value]

    def frame_ok(e, want):
        """the evidence frame is a frame of this capture that tshark says carries 'want'"""
        fr = frames.get(e.get("frame")) if isinstance(e.get("frame"), int) else None
        if fr is None or e.get("file") not in (None, o.pcap):
            return False
        return want(fr)

    def is_modbus_devid_response(fr):
        return fr["src"] == o.server and 43 in fr["fc"] and 14 in fr["mei"]

    for field, want in list(MODBUS_IDENTITY.items()) + list(MODBUS_ATTRIBUTES.items()):
        got = srv.get(field) if field in MODBUS_IDENTITY else srv.get("attributes", {}).get(field)
        check(f"modbus identity: server {field} = {want!r}", got == want, f"got {got!r}")
        ev = [e for e in evidence(srv, field, want) if "modbus" in (e.get("source") or "")]
        check(f"modbus identity: {field} evidence names a modbus message and a frame",
              ev and all(isinstance(e.get("frame"), int) and e["frame"] > 0 for e in ev),
              short([e for e in srv.get("evidence", []) if e.get("field") == field]))
        check(f"modbus identity: {field} evidence frame is a device identification response "
              "(43/14) from the server", ev and any(frame_ok(e, is_modbus_devid_response) for e in ev),
              short(ev))

    # ---- Modbus operations ----
    def mb_ops(fc, kind=None):
        return [p for p in ops if p.get("protocol") == "modbus" and
                f"({fc})" in (p.get("function") or "") and (kind is None or p.get("kind") == kind)]

    def addr_in(target, *addrs):
        t = target or ""
        return all(re.search(rf"(?<![\d.]){a}(?![\d.])", t) for a in addrs)

    def req_frame(fc):
        return lambda fr: fr["src"] == o.client and fr["dst"] == o.server and fc in fr["fc"]

    writes = [  # fc, what, addresses in the target (wire address or Modicon reference)
        (6, "write single register 5 = 1234", [("5",), ("40006",), ("400006",)]),
        (16, "write multiple registers 10-12", [("10", "12"), ("40011", "40013")]),
        (5, "write single coil 7 = on", [("7",), ("00008",), ("8",)]),
    ]
    for fc, what, targets in writes:
        found = mb_ops(fc, "process-write")
        check(f"modbus operation: {what} ({fc}) is a process-write", found,
              short([p for p in ops if p.get("protocol") == "modbus"]))
        good = [p for p in found if (p.get("src") or {}).get("ip") == o.client and
                (p.get("dst") or {}).get("ip") == o.server]
        check(f"modbus operation ({fc}): from the client to the server", good, short(found))
        check(f"modbus operation ({fc}): target names the address",
              any(any(addr_in(p.get("target"), *t) for t in targets) for p in found),
              short([p.get("target") for p in found]))
        check(f"modbus operation ({fc}): evidence frame is the request",
              any(frame_ok(p.get("evidence") or {}, req_frame(fc)) for p in found),
              short([p.get("evidence") for p in found]))
    check("modbus operation: read holding registers (3) is a read",
          mb_ops(3, "read") and not mb_ops(3, "process-write"), short(mb_ops(3)))
    check("modbus operation: read device identification (43) is a read",
          mb_ops(43, "read"), short(mb_ops(43)))
    pw = sorted({int(m.group(1)) for p in ops if p.get("protocol") == "modbus" and
                 p.get("kind") == "process-write"
                 for m in [re.search(r"\((\d+)\)", p.get("function") or "")] if m})
    check("modbus: exactly function codes 5, 6, 16 are process-writes", pw == [5, 6, 16], str(pw))
    check("modbus: every request was answered without exception",
          not [p for p in ops if p.get("protocol") == "modbus" and p.get("result") not in (None, "ok")],
          short([p for p in ops if p.get("protocol") == "modbus" and p.get("result") not in (None, "ok")]))

    # ---- OPC UA identity ----
    url = f"opc.tcp://{o.server}:4840/UA/Line4"
    want_attrs = dict(OPCUA_SERVER, endpoint_url=url)

    def is_opcua_of_server(fr):
        return fr["ua"] != "" and o.server in (fr["src"], fr["dst"])

    for field, want in want_attrs.items():
        got = srv.get("attributes", {}).get(field)
        check(f"opcua identity: server {field} = {want!r}", got == want, f"got {got!r}")
        ev = [e for e in evidence(srv, field, want) if "opcua" in (e.get("source") or "")]
        check(f"opcua identity: {field} evidence names an opcua message and a frame of it",
              ev and all(frame_ok(e, is_opcua_of_server) for e in ev),
              short([e for e in srv.get("evidence", []) if e.get("field") == field]))
    ev = evidence(srv, "endpoint_url", url)
    check("opcua identity: endpoint_url evidence from the GetEndpoints response",
          any("endpoint" in (e.get("source") or "") and
              frame_ok(e, lambda fr: fr["src"] == o.server and UA_GET_ENDPOINTS_RSP in fr["svc"])
              for e in ev), short(ev))
    pol = srv.get("attributes", {}).get("security_policy") or ""
    check("opcua identity: server security_policy is SecurityPolicy#None",
          pol.endswith("#None"), repr(pol))
    for field, want in OPCUA_BUILD_INFO.items():
        ev = [e for e in evidence(srv, field, want) if "opcua" in (e.get("source") or "")]
        check(f"opcua identity: {field} {want!r} has evidence from the read of the server's "
              "build info", ev and any(frame_ok(e, lambda fr: fr["src"] == o.server and
                                                UA_READ_RSP in fr["svc"]) for e in ev),
              short([e for e in srv.get("evidence", []) if e.get("field") == field]))
    got = cli.get("attributes", {}).get("application_uri")
    check(f"opcua identity: client application_uri = {OPCUA_CLIENT_URI!r} (kept apart from the "
          "server's)", got == OPCUA_CLIENT_URI, f"got {got!r}")

    # ---- OPC UA operations and the finding ----
    def ua_ops(function_part, kind):
        return [p for p in ops if p.get("protocol") == "opcua" and
                function_part in (p.get("function") or "") and p.get("kind") == kind and
                (p.get("src") or {}).get("ip") == o.client and
                (p.get("dst") or {}).get("ip") == o.server]

    w = ua_ops("write", "process-write")
    check("opcua operation: Write of the Setpoint value is a process-write from client to server",
          w, short([p for p in ops if p.get("protocol") == "opcua"]))
    check("opcua operation: the Write target names the node and the value",
          any("Line4.Setpoint" in (p.get("target") or "") and "42.5" in (p.get("target") or "")
              for p in w), short([p.get("target") for p in w]))
    check("opcua operation: the Write evidence frame is the WriteRequest",
          any(frame_ok(p.get("evidence") or {}, lambda fr: fr["src"] == o.client and
                       UA_WRITE_REQ in fr["svc"]) for p in w), short([p.get("evidence") for p in w]))
    c = ua_ops("call", "command")
    check("opcua operation: Call of StartPump is a command",
          any("StartPump" in (p.get("target") or "") for p in c), short(c))
    r = ua_ops("read", "read")
    check("opcua operation: Read of Temperature is a read",
          any("Line4.Temperature" in (p.get("target") or "") for p in r),
          short([p.get("target") for p in r]))
    s = [p for p in ops if p.get("protocol") == "opcua" and p.get("kind") in ("session", "auth")]
    check("opcua operation: the anonymous session activation is recorded",
          any("anonymous" in (p.get("target") or "") for p in s), short(s))
    ins = [al for al in alerts if al.get("type") == "insecure-protocol" and
           al.get("protocol") == "opcua"]
    check("alerts: insecure-protocol for OPC UA without security on the server",
          any(al.get("asset") == srv.get("id") or al.get("src") == o.server for al in ins),
          short(ins or alerts))

    print("checks done")
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
