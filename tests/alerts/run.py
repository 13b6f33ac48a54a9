#!/usr/bin/env python3
"""Alerts and segmentation, end to end (issue 6).

usage: run.py OTSCOPE PLANTGEN

Each alert type is provoked by a capture and asserted by type, source, target and MITRE
ATT&CK for ICS technique:
  - the bundled sample plant (data/sample/plant.pcap) with its policy (data/sample/policy.yaml):
    PLC stop, program download/upload, process and configuration writes, unauthorized writes,
    cross-zone flows, internet communication, insecure protocols, clear-text credentials, and
    the exact segmentation verdicts and headline figures;
  - the same capture with a short learning period: new assets and new connections;
  - two Modbus captures of one address whose device reports another firmware: firmware-change;
  - a capture written here: a host scan, a port scan and malformed Modbus PDUs.
Negative checks make sure operation-as-usual does not alert (IO controller addressing its
PROFINET devices, a SCADA master operating its RTUs).
"""
import json
import os
import struct
import subprocess
import sys
import tempfile

OTSCOPE, PLANTGEN = sys.argv[1], sys.argv[2]
SRC = os.environ.get('OTSCOPE_SRCDIR', os.path.join(os.path.dirname(__file__), '..', '..'))
SAMPLE = os.path.join(SRC, 'data', 'sample')
failures = 0
passes = 0


def check(name, cond, detail=''):
    global failures, passes
    if cond:
        passes += 1
    else:
        failures += 1
        print(f'FAIL: {name}' + (f'\n      {detail}' if detail else ''))


def run(*args, ok=(0,)):
    p = subprocess.run([OTSCOPE, *args], capture_output=True, text=True)
    if p.returncode not in ok:
        print(f'otscope {" ".join(args)} -> {p.returncode}\n{p.stderr}')
        sys.exit(1)
    return p.stdout


def alerts(db, *extra):
    return json.loads(run('alerts', '--db', db, '--format', 'json', *extra))['alerts']


def find(al, type_, src=None, dst=None, technique=None, summary=None):
    """alerts of a type whose source/target/technique match (None: any)"""
    out = []
    for a in al:
        if a['type'] != type_:
            continue
        if src is not None and a.get('src') != src:
            continue
        if dst is not None and a.get('dst') != dst:
            continue
        if technique is not None and technique not in a.get('mitre_ics', []):
            continue
        if summary is not None and summary not in a.get('summary', ''):
            continue
        out.append(a)
    return out


def expect(al, label, type_, src, dst, technique, severity=None, summary=None):
    hits = find(al, type_, src, dst, technique, summary)
    check(f'{label}: {type_} {src} -> {dst} {technique}', len(hits) == 1,
          f'{len(hits)} matches; alerts of that type: ' +
          str([(a.get('src'), a.get('dst'), a.get('mitre_ics'), a['summary'][:60])
               for a in al if a['type'] == type_]))
    if hits and severity:
        check(f'{label}: severity {severity}', hits[0]['severity'] == severity,
              hits[0]['severity'])
    if hits:
        ev = hits[0].get('evidence') or {}
        check(f'{label}: evidence names a frame', isinstance(ev.get('frame'), int) or
              isinstance(ev.get('first_frame'), int), str(ev))
    return hits[0] if hits else None


# ---- a capture written here: scans and malformed Modbus ----

def mac(s):
    return bytes(int(x, 16) for x in s.split(':'))


def ip4(s):
    return bytes(int(x) for x in s.split('.'))


def csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack(f'!{len(b) // 2}H', b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def tcp_frame(smac, dmac, sip, dip, sport, dport, seq, ack, flags, payload=b''):
    tcp = struct.pack('!HHIIBBHHH', sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0) + payload
    pseudo = ip4(sip) + ip4(dip) + struct.pack('!BBH', 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack('!H', csum(pseudo + tcp)) + tcp[18:]
    iph = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), 1, 0x4000, 64, 6, 0, ip4(sip),
                      ip4(dip))
    iph = iph[:10] + struct.pack('!H', csum(iph)) + iph[12:]
    return mac(dmac) + mac(smac) + b'\x08\x00' + iph + tcp


def write_pcap(path, frames, t0=1767225600):
    with open(path, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            ts = t0 * 1000000 + i * 1000
            f.write(struct.pack('<IIII', ts // 1000000, ts % 1000000, len(fr), len(fr)))
            f.write(fr)


def scan_capture(path):
    scanner, smac = '10.1.1.66', '02:00:00:00:00:66'
    frames = []
    # a host scan: SYN to port 502 on 20 hosts, each answers RST
    for h in range(100, 120):
        dip, dmac = f'10.1.1.{h}', f'02:00:00:00:01:{h:02x}'
        frames.append(tcp_frame(smac, dmac, scanner, dip, 40000 + h, 502, 1000, 0, 0x02))
        frames.append(tcp_frame(dmac, smac, dip, scanner, 502, 40000 + h, 0, 1001, 0x14))
    # a port scan of one PLC: 30 ports
    plc, pmac = '10.1.1.10', '02:00:00:00:00:10'
    for port in range(20, 50):
        frames.append(tcp_frame(smac, pmac, scanner, plc, 41000 + port, port, 5000, 0, 0x02))
        frames.append(tcp_frame(pmac, smac, plc, scanner, port, 41000 + port, 0, 5001, 0x14))
    # a Modbus session whose requests are cut short
    cli, cmac = '10.1.1.50', '02:00:00:00:00:50'
    seq, srv_seq = 7000, 9000
    frames.append(tcp_frame(cmac, pmac, cli, plc, 50200, 502, seq, 0, 0x02))
    frames.append(tcp_frame(pmac, cmac, plc, cli, 502, 50200, srv_seq, seq + 1, 0x12))
    frames.append(tcp_frame(cmac, pmac, cli, plc, 50200, 502, seq + 1, srv_seq + 1, 0x10))
    seq += 1
    for tid in (1, 2):
        # write multiple registers (16) whose PDU is only a function code and one byte
        pdu = struct.pack('!HHHBB', tid, 0, 3, 1, 16) + b'\x00'
        frames.append(tcp_frame(cmac, pmac, cli, plc, 50200, 502, seq, srv_seq + 1, 0x18, pdu))
        seq += len(pdu)
        frames.append(tcp_frame(pmac, cmac, plc, cli, 502, 50200, srv_seq + 1, seq, 0x10))
    write_pcap(path, frames)


def main():
    tmp = tempfile.mkdtemp(prefix='otscope-alerts-')
    plant = os.path.join(SAMPLE, 'plant.pcap')
    policy = os.path.join(SAMPLE, 'policy.yaml')

    # ---- the sample plant under its policy ----
    db = os.path.join(tmp, 'plant.db')
    run('analyze', '--db', db, plant)
    seg = json.loads(run('segmentation', '--db', db, '--policy', policy, '--format', 'json'))
    al = alerts(db)
    expect(al, 'UMAS stop', 'plc-stop', '10.10.1.70', '10.10.1.11', 'T0858', 'critical')
    expect(al, 'BACnet reinitialize', 'plc-stop', '10.30.1.100', '10.30.1.10', 'T0816')
    expect(al, 'S7 download from the EWS', 'program-download', '10.10.1.60', '10.10.1.10',
           'T0843', 'critical')
    expect(al, 'S7 download from an office laptop', 'program-download', '192.168.100.77',
           '10.10.1.10', 'T0843', 'critical')
    expect(al, 'BACnet file read', 'program-upload', '10.30.1.100', '10.30.1.10', 'T0845')
    expect(al, 'HMI writes Modbus registers', 'process-write', '10.10.1.50', '10.10.1.11',
           'T0831', 'low')
    expect(al, 'DNP3 operate', 'process-write', '10.20.1.100', '10.20.1.10', 'T0855')
    expect(al, 'DNP3 unsolicited control', 'config-write', '10.20.1.100', '10.20.1.10', None)
    expect(al, 'HMI posts to the PLC web server', 'unauthorized-write', '10.10.1.50',
           '10.10.1.11', 'T0855', 'high')
    expect(al, 'laptop S7 to a cell PLC', 'cross-zone-flow', '192.168.100.77', '10.10.1.10',
           'T0886', summary='port 102 s7comm')
    expect(al, 'internet to OPC UA', 'cross-zone-flow', '203.0.113.7', '10.30.1.20', None,
           summary='(internet)')
    expect(al, 'internet to OPC UA', 'external-communication', '203.0.113.7', '10.30.1.20',
           'T0883', 'high')
    expect(al, 'OPC UA without security', 'insecure-protocol', '10.30.1.20', None, 'T0886',
           summary='SecurityPolicy')
    expect(al, 'FTP on a PLC', 'insecure-protocol', '10.10.1.12', None, None,
           summary='ftp service')
    expect(al, 'MQTT password', 'cleartext-credentials', '10.30.1.31', None, 'T0859')
    expect(al, 'SNMP community', 'cleartext-credentials', '10.10.1.2', None, 'T0859',
           summary='community sha256:')
    expect(al, 'OPC UA user password', 'cleartext-credentials', '10.30.1.20', None, 'T0859')
    check('no community string in clear', not any(
        'community public' in a['summary'] or 'community private' in a['summary'] or
        'public' in json.dumps(a.get('evidence')) for a in al))
    # operation as usual
    check('IO controller addressing its device is not unauthorized',
          not find(al, 'unauthorized-write', '00:1b:1b:4a:00:10'))
    check('SCADA master operating its RTUs is not unauthorized',
          not find(al, 'unauthorized-write', '10.20.1.100'))
    check('allowed conduit (office reads OPC UA on 4840) raises no cross-zone alert',
          not find(al, 'cross-zone-flow', '192.168.100.25', '10.30.1.20', summary='port 4840'))
    check('no new-asset alerts inside the learning period', not find(al, 'new-asset'))
    cef = run('alerts', '--db', db, '--format', 'cef').splitlines()
    check('CEF: one line per alert', len(cef) == len(al), f'{len(cef)} vs {len(al)}')
    check('CEF header and technique', any(l.startswith('CEF:0|otscope|otscope|') and
                                          'plc-stop' in l and 'T0858' in l for l in cef))

    # segmentation: exact verdicts and headline
    h = seg['headline']
    viol = sorted((f['client'], f['server'], f['transport'], f['port'])
                  for f in seg['flows'] if f['verdict'] == 'violation')
    want = sorted([('203.0.113.7', '10.30.1.20', 'tcp', 4840),
                   ('192.168.100.77', '10.10.1.10', 'tcp', 102),
                   ('10.20.1.100', '10.10.1.2', 'udp', 161),
                   ('10.10.1.2', '10.20.1.100', 'udp', 162),
                   ('10.10.1.60', '10.30.1.1', 'udp', 53),
                   ('10.10.1.60', '10.30.1.1', 'tcp', 53),
                   ('10.30.1.1', '10.10.1.60', 'udp', 5355),
                   ('192.168.100.25', '10.30.1.20', 'tcp', 4843),
                   ('192.168.100.25', '10.10.1.60', 'tcp', 3389),
                   ('10.10.1.60', '10.20.1.100', 'tcp', 445)])
    check('segmentation: exactly the expected violations, each once', viol == want,
          f'got {viol}')
    check('segmentation: headline counts the violations', h['violations'] == len(want),
          str(h['violations']))
    allowed = [f for f in seg['flows'] if f['verdict'] == 'allowed']
    check('segmentation: the MES conduit allows office -> OPC UA 4840',
          any(f['client'] == '192.168.100.25' and f['port'] == 4840 and
              f['conduit'] == 'MES reads the OPC UA server' for f in allowed))
    corp = h['ot_assets_with_corporate_access']
    inet = h['ot_assets_with_internet_access']
    check('corporate access: 3 OT assets, reached from corporate, none initiating',
          (corp['total'], corp['from'], corp['to']) == (3, 3, 0), str(corp))
    check('corporate access by criticality', corp['by_criticality'] ==
          {'high': 3, 'medium': 0, 'low': 0}, str(corp['by_criticality']))
    check('corporate access: the PLC, the EWS and the OPC UA server',
          sorted(a['asset'] for a in corp['assets']) ==
          ['m-000105770020', 'm-0014226e0060', 'm-001b1b4a0010'])
    check('internet access: the OPC UA server only', [a['asset'] for a in inet['assets']] ==
          ['m-000105770020'] and inet['from'] == 1 and inet['to'] == 0, str(inet))
    xz = sorted((a['src'], a['dst'], a['summary'].split(') ')[-1].split(' port ')[0],
                 int(a['summary'].split(' port ')[1].split()[0].rstrip(':')))
                for a in find(al, 'cross-zone-flow'))
    check('one cross-zone alert per violation', xz == want, f'got {xz}')

    # without a policy: a proposal that can be saved and used
    db2 = os.path.join(tmp, 'nopol.db')
    run('analyze', '--db', db2, plant)
    prop = run('segmentation', '--db', db2, '--propose')
    ppath = os.path.join(tmp, 'proposed.yaml')
    with open(ppath, 'w') as f:
        f.write(prop)
    check('proposal names zones and the corporate zone', 'zones:' in prop and 'corporate' in prop)
    seg2 = json.loads(run('segmentation', '--db', db2, '--policy', ppath, '--format', 'json'))
    check('the proposal parses and zones every OT asset',
          all(z != 'unzoned' for z in seg2['zones']), str(list(seg2['zones'])))

    # ---- a short learning period: new assets and connections after it ----
    al = alerts(db, '--learning', '0.01')  # 36 s of capture time
    na = find(al, 'new-asset', technique='T0848')
    check('new-asset after learning: the printer announcing itself late',
          any(a.get('asset') == 'm-3cd92b9f0021' for a in na),
          str([a.get('asset') for a in na]))
    check('no new-asset for assets seen at the start',
          not any(a.get('asset') == 'm-001b1b4a0010' for a in na))
    nc = find(al, 'new-connection')
    check('new-connection after learning', len(nc) >= 1 and all(a.get('src') for a in nc),
          str(len(nc)))

    # ---- firmware change: one address, another device identity ----
    db3 = os.path.join(tmp, 'fw.db')
    for v in ('0', '2'):
        pc = os.path.join(tmp, f'mb{v}.pcap')
        subprocess.run([PLANTGEN, '-o', pc, '--scenario', 'modbus', '--variant', v],
                       check=True, capture_output=True)
        run('analyze', '--db', db3, pc)
    al = alerts(db3)
    fc = find(al, 'firmware-change', technique='T0857')
    check('firmware-change raised with T0857', len(fc) == 1, str(fc))
    if fc:
        check('firmware-change names old and new firmware',
              'changed from' in fc[0]['summary'] and 'V3.20' in fc[0]['summary'],
              fc[0]['summary'])
        check('firmware-change is high severity', fc[0]['severity'] in ('high', 'critical'))

    # ---- scans and malformed traffic ----
    db4 = os.path.join(tmp, 'scan.db')
    pc = os.path.join(tmp, 'scan.pcap')
    scan_capture(pc)
    run('analyze', '--db', db4, pc)
    al = alerts(db4)
    hs = find(al, 'scan', '10.1.1.66', None, 'T0846', summary='probed 20 hosts')
    check('host scan: 20 hosts on tcp 502', len(hs) == 1,
          str([a['summary'] for a in find(al, 'scan')]))
    ps = find(al, 'scan', '10.1.1.66', '10.1.1.10', 'T0846', summary='probed 30 ports')
    check('port scan: 30 ports of 10.1.1.10', len(ps) == 1,
          str([a['summary'] for a in find(al, 'scan')]))
    mf = find(al, 'malformed-traffic', technique='T0866')
    check('malformed Modbus raised on the PLC', any(a.get('src') in ('10.1.1.50', '10.1.1.10')
                                                   for a in mf), str(mf))
    check('the scanner is not mistaken for a writer', not find(al, 'unauthorized-write'))

    # repeats aggregate: the two short requests make one alert with count 2
    if mf:
        check('repeats are aggregated (count 2)', mf[0]['count'] == 2, str(mf[0]['count']))

    print(f'alerts: {passes} passed, {failures} failed')
    sys.exit(1 if failures else 0)


main()
