#!/usr/bin/env python3
"""Vulnerability matching against ../shared/vulndata.

1. Import every CSAF advisory, the NVD records, the KEV catalog and the EPSS sample into a
   temporary database (exit 0, nothing bad); import again (idempotent: nothing new, nothing
   replaced); a newer revision replaces the stored one; a malformed file is reported as
   "otscope: PATH: reason", skipped, and makes the exit status 3 while the rest is imported.
2. Every line of cases.tsv through `otscope vuln lookup --format json`: must_include (certain),
   must_exclude (not certain), must_possible, cves_of_included (subset), cves_not_expected (not
   attributed by that advisory), kev_cves (kev: true).  Prints "N passed, M failed".
3. `otscope vulns` over a hand-made assets table (order-number match, unknown exposure, MAC
   vendor hint, KEV first), and end to end over the corpus capture icsnpp-s7comm-s7ident.pcap
   (S7-300 CPU 315-2 PN/DP 6ES7 315-2EH14-0AB0) once the S7comm dissector reports its order
   number and firmware (until then the check says SKIP).
Usage: cases.py OTSCOPE"""
import csv, json, os, shutil, sqlite3, subprocess, sys, tempfile

BIN = sys.argv[1]
SRC = os.environ.get('OTSCOPE_SRCDIR', os.path.join(os.path.dirname(__file__), '..', '..'))
DATA = os.path.join(SRC, '..', 'shared', 'vulndata')
PCAP = os.path.join(SRC, '..', 'shared', 'corpus', 'pcap', 'icsnpp-s7comm-s7ident.pcap')
checks = {'pass': 0, 'fail': 0}


def check(name, ok, detail=''):
    if ok:
        checks['pass'] += 1
    else:
        checks['fail'] += 1
        print('FAIL: %s %s' % (name, detail))


def run(*args):
    return subprocess.run([BIN] + list(args), capture_output=True, text=True)


def split(s):
    return [x for x in s.split(',') if x] if s else []


def lookup(db, row):
    args = ['vuln', 'lookup', '--db', db, '--format', 'json', '--vendor', row['vendor'],
            '--product', row['product'], '--version', row['version']]
    if row.get('order_number'):
        args += ['--order-number', row['order_number']]
    p = run(*args)
    if p.returncode != 0:
        return None, 'exit %d: %s' % (p.returncode, p.stderr.strip())
    return json.loads(p.stdout), ''


def case_problems(doc, row):
    """what is wrong with the answer to one cases.tsv line (empty list: it passes)"""
    by_adv = {}
    for m in doc['matches']:
        by_adv.setdefault(m['advisory'], []).append(m)
    bad = []
    inc, exc, pos = row['must_include'], row['must_exclude'], row['must_possible']
    if inc:
        ms = [m for m in by_adv.get(inc, []) if m['certainty'] == 'certain']
        if not ms:
            got = [(m['certainty'], m['reason']) for m in by_adv.get(inc, [])]
            bad.append('%s not certain (got %s)' % (inc, got or 'nothing'))
        else:
            cves = set(c for m in ms for c in m['cves'])
            missing = set(split(row['cves_of_included'])) - cves
            if missing:
                bad.append('%s lacks %s' % (inc, sorted(missing)))
            wrong = set(split(row['cves_not_expected'])) & cves
            if wrong:
                bad.append('%s attributes %s' % (inc, sorted(wrong)))
            kev = set(c for m in ms if m['kev'] for c in m.get('kev_cves', []))
            nokev = set(split(row['kev_cves'])) - kev
            if nokev:
                bad.append('%s: %s not marked kev' % (inc, sorted(nokev)))
    if exc and any(m['certainty'] == 'certain' for m in by_adv.get(exc, [])):
        bad.append('%s is certain: %s' % (exc, [m['reason'] for m in by_adv[exc]]))
    if pos:
        ms = by_adv.get(pos, [])
        if not ms or any(m['certainty'] != 'possible' for m in ms):
            bad.append('%s not possible (got %s)' % (pos, [(m['certainty'], m['reason'])
                                                          for m in ms] or 'nothing'))
    return bad


def run_cases(db):
    passed = failed = 0
    with open(os.path.join(DATA, 'cases.tsv'), newline='') as f:
        rows = list(csv.DictReader(f, delimiter='\t', quoting=csv.QUOTE_NONE))
    for i, row in enumerate(rows, 2):
        doc, err = lookup(db, row)
        bad = [err] if doc is None else case_problems(doc, row)
        if bad:
            failed += 1
            print('FAIL cases.tsv:%d %s | %s | %s: %s' % (i, row['vendor'], row['product'],
                                                          row['version'], '; '.join(bad)))
        else:
            passed += 1
    print('%d passed, %d failed' % (passed, failed))
    return failed == 0 and passed == len(rows)


def import_checks(tmp, db):
    paths = [os.path.join(DATA, d) for d in ('csaf', 'nvd', 'kev', 'epss')]
    p = run('vuln', 'import', '--db', db, *paths)
    check('import exit 0', p.returncode == 0, p.stderr)
    check('import reports 2379 advisories + 2 NVD CVEs', 'imported 2381 advisories' in p.stdout,
          p.stdout)
    check('KEV and EPSS read', 'KEV entries: 1404; EPSS scores: 10' in p.stdout, p.stdout)
    p = run('vuln', 'import', '--db', db, *paths)
    check('re-import is idempotent', p.returncode == 0 and 'imported 0 advisories (0 replaced'
          in p.stdout, p.stdout)
    n = sqlite3.connect(db).execute('select count(*) from vuln_products').fetchone()[0]
    check('re-import keeps the product rows', n == 17161, str(n))


def revision_checks(tmp, orig):
    db = os.path.join(tmp, 'rev.db')
    shutil.copy(orig, db)
    # a newer revision of ICSA-23-222-08 that says V4.3.8 is still affected replaces the old one
    src = json.load(open(os.path.join(DATA, 'csaf/OT/white/2023/icsa-23-222-08.json')))
    tr = src['document']['tracking']
    tr['version'] = str(int(tr['version']) + 1)
    tr['current_release_date'] = '2030-01-01T00:00:00.000000Z'
    text = json.dumps(src).replace('vers:all/<V4.3.8', 'vers:all/<V4.3.9')
    newer = os.path.join(tmp, 'icsa-23-222-08-newer.json')
    open(newer, 'w').write(text)
    bad = os.path.join(tmp, 'broken.json')
    open(bad, 'w').write('{"document": {"tracking": ')
    p = run('vuln', 'import', '--db', db, newer, bad)
    check('bad file: exit 3', p.returncode == 3, '%d %s' % (p.returncode, p.stderr))
    check('bad file reported as otscope: PATH: reason',
          p.stderr.startswith('otscope: %s: invalid JSON' % bad), p.stderr)
    check('the good file beside it is imported (replaced 1)', '1 replaced' in p.stdout, p.stdout)
    doc, _ = lookup(db, {'vendor': 'Siemens', 'product': 'RUGGEDCOM RSG2200',
                         'version': 'V4.3.8'})
    check('newer revision in effect', doc and any(m['advisory'] == 'ICSA-23-222-08' and
                                                 m['certainty'] == 'certain'
                                                 for m in doc['matches']))
    p = run('vuln', 'import', '--db', db, os.path.join(DATA, 'csaf/OT/white/2023/icsa-23-222-08.json'))
    check('an older revision does not replace a newer one', '1 older kept out' in p.stdout,
          p.stdout)
    os.unlink(newer)


ASSETS = [  # id, vendor, product, order_number, firmware, mac_vendor
    ('plc-s7-300', 'Siemens', 'CPU 315-2 PN/DP', '6ES7 315-2EH14-0AB0', 'V3.2.6', 'Siemens AG'),
    ('plc-no-fw', 'Siemens', 'CPU 315-2 PN/DP', '6ES7 315-2EH14-0AB0', None, 'Siemens AG'),
    ('host-vague', None, None, None, None, 'Dell Inc.'),
    ('switch-oui', None, 'RUGGEDCOM RSG2200', None, 'V4.3.7', 'Siemens AG'),
    ('router-kev', 'Siemens', 'RUGGEDCOM RM1224 LTE(4G) EU (6GK6108-4AM00-2BA2)', None, 'V7.1.2',
     None),
    ('plc-patched', 'Siemens', 'SIMATIC S7-1500 CPU 1515T-2 PN', '6ES7515-2TM01-0AB0', 'V9.9',
     None),
]


def vulns_checks(tmp, db):
    epss = os.path.join(tmp, 'epss.csv')
    open(epss, 'w').write('#model_version:v2023.03.01,score_date:2024-01-02T00:00:00+0000\n'
                          'cve,epss,percentile\nCVE-2019-10923,0.01234,0.50000\n')
    p = run('vuln', 'import', '--db', db, epss)
    check('EPSS CSV with a comment line', p.returncode == 0 and 'EPSS scores: 1' in p.stdout,
          p.stdout + p.stderr)
    con = sqlite3.connect(db)
    for a in ASSETS:
        con.execute('insert into assets(id, site, vendor, product, order_number, firmware,'
                    ' mac_vendor) values(?,?,?,?,?,?,?)', (a[0], 'test') + a[1:])
    con.commit()
    p = run('vulns', '--db', db, '--format', 'json')
    check('vulns exit 0', p.returncode == 0, p.stderr)
    doc = json.loads(p.stdout)
    check('vulns schema', doc.get('schema') == 'otscope.vulns/1')
    by = {a['asset']: a for a in doc['assets']}
    s7 = by['plc-s7-300']
    adv = {m['advisory']: m for m in s7['matches']}
    check('S7-300 by order number: ICSA-19-283-01 certain',
          adv.get('ICSA-19-283-01', {}).get('certainty') == 'certain')
    check('S7-300 family row with X wildcard: ICSA-17-129-02 certain',
          adv.get('ICSA-17-129-02', {}).get('certainty') == 'certain')
    m = adv.get('ICSA-19-283-01', {})
    check('fixed_in from the remediation text', m.get('fixed_in') == 'V3.2.17', m.get('fixed_in'))
    check('CVSS and vector', m.get('cvss') == 7.5 and str(m.get('cvss_vector')).startswith('CVSS:3'),
          '%s %s' % (m.get('cvss'), m.get('cvss_vector')))
    check('url', str(m.get('url')).startswith('https://'), m.get('url'))
    check('EPSS of the match', m.get('epss') == 0.01234, m.get('epss'))
    check('no firmware: unknown exposure', by['plc-no-fw']['unknown_exposure'] is True and
          by['plc-no-fw']['unknown_reason'] == 'no firmware version')
    nofw = {m['advisory']: m['certainty'] for m in by['plc-no-fw']['matches']}
    check('no firmware: ranged rows possible, all-versions rows certain',
          nofw.get('ICSA-19-283-01') == 'possible' and nofw.get('ICSA-20-105-08') == 'certain',
          str(nofw))
    check('no product: unknown exposure', by['host-vague']['unknown_exposure'] is True)
    check('unknown exposure is not clean', by['host-vague']['risk']['level'] == 'unknown')
    oui = {m['advisory']: m for m in by['switch-oui']['matches']}
    check('MAC vendor hint gives at most possible',
          oui.get('ICSA-23-222-08', {}).get('certainty') == 'possible' and
          all(m['certainty'] == 'possible' for m in oui.values()))
    check('KEV asset first', doc['assets'][0]['asset'] == 'router-kev' and
          doc['assets'][0]['risk']['kev'] is True, doc['assets'][0]['asset'])
    kev = [m for m in by['router-kev']['matches'] if m['kev']]
    check('KEV date added', kev and kev[0]['kev_date_added'] == '2022-06-27',
          kev and kev[0]['kev_date_added'])
    adv = {m['advisory']: m for m in by['plc-patched']['matches']}
    check('updated CPU: ICSA-23-222-07 (< V2.9.7) no longer applies',
          'ICSA-23-222-07' not in adv and 'ICSA-22-349-03' in adv)
    p = run('vulns', '--db', db)
    check('vulns table', p.returncode == 0 and 'ICSA-19-283-01' in p.stdout and
          'unknown exposure' in p.stdout, p.stderr)


def end_to_end(tmp, db):
    e2e = os.path.join(tmp, 'e2e.db')
    shutil.copy(db, e2e)
    con = sqlite3.connect(e2e)
    con.execute('delete from assets')
    con.commit()
    con.close()
    p = run('analyze', '-q', '--no-progress', '--db', e2e, PCAP)
    check('analyze the s7ident capture', p.returncode == 0, p.stderr)
    assets = json.loads(run('assets', '--db', e2e, '--format', 'json').stdout)['assets']
    plc = [a for a in assets if (a.get('order_number') or '').replace(' ', '') ==
           '6ES7315-2EH14-0AB0']
    if not plc or not plc[0].get('firmware'):
        print('SKIP: end to end: the S7comm dissector does not report the order number and'
              ' firmware of the CPU 315-2 PN/DP in icsnpp-s7comm-s7ident.pcap yet')
        return
    doc = json.loads(run('vulns', '--db', e2e, '--format', 'json').stdout)
    ent = [a for a in doc['assets'] if a['asset'] == plc[0]['id']][0]
    icsa = [m['advisory'] for m in ent['matches'] if m['advisory'].startswith('ICSA-') and
            m['certainty'] == 'certain']
    check('end to end: vulns lists ICSA advisories for the S7-300 (firmware %s)' %
          plc[0]['firmware'], len(icsa) > 0, str(ent['matches'])[:300])
    print('end to end: %s %s %s -> %d certain ICSA advisories' % (
        plc[0]['product'], plc[0]['order_number'], plc[0]['firmware'], len(icsa)))


def main():
    tmp = tempfile.mkdtemp(prefix='otscope-vuln-')
    try:
        db = os.path.join(tmp, 'v.db')
        import_checks(tmp, db)
        ok = run_cases(db)
        revision_checks(tmp, db)
        vulns_checks(tmp, db)
        end_to_end(tmp, db)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print('other checks: %d passed, %d failed' % (checks['pass'], checks['fail']))
    sys.exit(0 if ok and checks['fail'] == 0 else 1)


main()
