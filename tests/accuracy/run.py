#!/usr/bin/env python3
"""Accuracy against the public corpus (../shared/corpus): every capture is analyzed into its own
database and compared with its tshark truth file.

- Hosts: every truth host must be in the inventory with the right MAC (an IP behind a router
  carries the router's MAC as gateway_mac; an all-zero MAC from a loopback capture is no MAC).
- Protocols and roles: for each host and each protocol otscope dissects, the protocol must be
  listed on the asset with the same role (server/client/peer/sender).
- Identity: each value tshark found (order number, firmware, names, ...) must be among the
  asset's evidence (interpreted value or the raw wire value kept beside it).

It prints per-protocol figures and fails when hosts are missed or a dissected protocol is below
95 % for roles or identity.  Deliberate differences are listed, with the reason, in
tests/accuracy/expect.json."""
import json, os, subprocess, sys, tempfile, collections

BIN = sys.argv[1]
SRC = os.environ.get('OTSCOPE_SRCDIR', os.path.join(os.path.dirname(__file__), '..', '..'))
CORPUS = os.path.join(SRC, '..', 'shared', 'corpus')
THRESHOLD = 0.95
# protocols otscope dissects (truth names), and which identity fields belong to which protocol
DISSECTED = {'modbus', 's7comm', 's7comm-plus', 'mms', 'enip', 'cip', 'profinet-dcp', 'profinet-rt',
             'bacnet', 'opcua', 'dnp3', 'iec104', 'mqtt', 'fins'}
TSHARK_PREFIX = {'s7comm.': 's7comm', 'pn_dcp.': 'profinet-dcp', 'bacapp.': 'bacnet',
                 'opcua.': 'opcua', 'modbus.': 'modbus', 'mqtt.': 'mqtt', 'enip.': 'enip',
                 'cip.': 'cip', 'dnp3.': 'dnp3', 'iec60870': 'iec104'}
FIELD_ALIASES = {
    'modbus_device_id': ['vendor', 'product', 'order_number', 'product_code', 'firmware', 'url',
                         'model', 'user_application_name'],
    'product': ['product', 'model'],
}


def load_expect():
    p = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'expect.json')
    if not os.path.exists(p):
        return {'skip_identity': [], 'skip_hosts': [], 'skip_roles': []}
    return json.load(open(p))


def analyze(pcap, db):
    r = subprocess.run([BIN, 'analyze', '-q', '--no-progress', '--db', db, pcap],
                       capture_output=True, text=True)
    if r.returncode != 0:
        print(f'analyze {pcap} failed ({r.returncode}): {r.stderr.strip()}')
    out = subprocess.run([BIN, 'assets', '--db', db, '--format', 'json'], capture_output=True,
                         text=True, check=True).stdout
    return json.loads(out)['assets']


def zero(mac):
    return mac in (None, '', '00:00:00:00:00:00')


def num_equal(a, b):
    try:
        return int(str(a), 0) == int(str(b), 0)
    except ValueError:
        return False


def main():
    expect = load_expect()
    skip_id = {(e['capture'], e['host'], e['field'], e['value']) for e in expect['skip_identity']}
    skip_hosts = {(e['capture'], e['host']) for e in expect['skip_hosts']}
    skip_roles = {(e['capture'], e['host'], e['protocol'], e['as']) for e in expect['skip_roles']}
    truths = sorted(f for f in os.listdir(os.path.join(CORPUS, 'truth')) if f.endswith('.json'))
    stats = collections.defaultdict(lambda: collections.Counter())
    hosts_total = hosts_found = 0
    problems = []
    tmp = tempfile.mkdtemp()
    for tf in truths:
        truth = json.load(open(os.path.join(CORPUS, 'truth', tf)))
        cap = truth['capture']
        assets = analyze(os.path.join(CORPUS, 'pcap', cap), os.path.join(tmp, cap + '.db'))
        by_ip = collections.defaultdict(list)
        by_mac = {}
        for a in assets:
            for ip in a['ips']:
                by_ip[ip].append(a)
            if a['mac']:
                by_mac[a['mac']] = a

        def find(ip, macs):
            real = [m for m in macs if not zero(m)]
            if ip in ('0.0.0.0', '::'):
                return [by_mac[m] for m in real if m in by_mac] or None
            cands = by_ip.get(ip, [])
            if not macs:
                # tshark lists no MAC (e.g. Linux cooked captures): any asset with the IP; otscope
                # may legitimately know the link address from the cooked header
                return cands or None
            if not real:
                return [a for a in cands if a['mac'] is None] or None
            ok = [a for a in cands if a['mac'] in real or a.get('gateway_mac') in real]
            return ok or None

        def host_assets(key):
            """truth keys are IPs, or MACs for layer-2 protocols"""
            if ':' in key and len(key) == 17 and key.count(':') == 5:
                return [by_mac[key]] if key in by_mac else []
            return by_ip.get(key, [])

        for h in truth['hosts']:
            if (cap, h['ip']) in skip_hosts:
                continue
            hosts_total += 1
            if find(h['ip'], h['macs']):
                hosts_found += 1
            else:
                problems.append(f'{cap}: host {h["ip"]} {h["macs"]} missing or wrong MAC')
        senders = {h['ip'] for h in truth['hosts']}
        for key, plist in truth['protocols'].items():
            # tshark's protocol list also names destinations that never sent a packet (broadcast
            # addresses, unanswered probes): otscope makes assets only of hosts that sent
            if ':' not in key or key.count(':') != 5 or len(key) != 17:
                if key not in senders:
                    continue
            al = host_assets(key)
            for p in plist:
                name, role = p['name'], p['as']
                if name not in DISSECTED or (cap, key, name, role) in skip_roles:
                    continue
                s = stats[name]
                s['hosts'] += 1
                ours = [q for a in al for q in a['protocols'] if q['name'] == name]
                if ours:
                    s['found'] += 1
                if any(q['as'] == role for q in ours):
                    s['roles'] += 1
                else:
                    problems.append(f'{cap}: {key} {name} as {role}: ours '
                                    f'{sorted(set(q["as"] for q in ours)) or "none"}')
        for key, ilist in truth['identity'].items():
            al = host_assets(key)
            seen_vals = set()
            for e in ilist:
                proto = next((v for k, v in TSHARK_PREFIX.items() if e['tshark'].startswith(k)),
                             None)
                if proto not in DISSECTED:
                    continue
                val = e['value'].strip()
                if (cap, key, e['field'], val) in skip_id or (e['field'], val) in seen_vals:
                    continue
                seen_vals.add((e['field'], val))
                s = stats[proto]
                s['identity'] += 1
                fields = FIELD_ALIASES.get(e['field'], [e['field']])
                ok = False
                for a in al:
                    for ev in a['evidence']:
                        if ev['field'] not in fields:
                            continue
                        for v in (ev['value'], ev.get('raw')):
                            if v is not None and (v.strip() == val or num_equal(v, val)):
                                ok = True
                if ok:
                    s['identity_ok'] += 1
                else:
                    problems.append(f'{cap}: {key} {e["field"]}={val!r} ({e["tshark"]}) not found')
    print(f'hosts: {hosts_found}/{hosts_total} found with the right MAC')
    print(f'{"protocol":14} {"hosts":>6} {"found":>6} {"roles":>6} {"identity":>9} {"right":>6}')
    failed = hosts_found < hosts_total
    for name in sorted(stats):
        s = stats[name]
        role_acc = s['roles'] / s['hosts'] if s['hosts'] else 1
        id_acc = s['identity_ok'] / s['identity'] if s['identity'] else 1
        flag = ''
        if role_acc < THRESHOLD or id_acc < THRESHOLD:
            failed = True
            flag = '  < 95 %'
        print(f'{name:14} {s["hosts"]:6} {s["found"]:6} {s["roles"]:6} {s["identity"]:9} '
              f'{s["identity_ok"]:6}  roles {role_acc:6.1%} identity {id_acc:6.1%}{flag}')
    if problems:
        print('\ndifferences:')
        for p in problems:
            print('  ' + p)
    n_ok = sum(1 for _ in []) 
    print(f'{1 if not failed else 0} passed, {1 if failed else 0} failed')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
