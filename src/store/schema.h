/* schema.h - the SQLite schema, one migration per version.  Migration N takes user_version N-1
 * to N.  Never edit a released migration: add the next one. */
#ifndef OTSCOPE_SCHEMA_H
#define OTSCOPE_SCHEMA_H

static const char *const store_migrations[] = {
    /* 1: facts as seen, and assets derived from them */
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE runs(id INTEGER PRIMARY KEY, site TEXT NOT NULL, started_ns INTEGER,"
    "  finished_ns INTEGER, packets INTEGER NOT NULL DEFAULT 0, bytes INTEGER NOT NULL DEFAULT 0,"
    "  status TEXT);"
    "CREATE TABLE files(id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id),"
    "  path TEXT NOT NULL, fingerprint TEXT, packets INTEGER NOT NULL DEFAULT 0, status TEXT,"
    "  error TEXT);"
    "CREATE INDEX files_by_fingerprint ON files(fingerprint);"
    "CREATE TABLE sightings(site TEXT NOT NULL, mac TEXT NOT NULL, ip TEXT NOT NULL,"
    "  vlan INTEGER NOT NULL, arp INTEGER NOT NULL DEFAULT 0, packets INTEGER NOT NULL DEFAULT 0,"
    "  bytes INTEGER NOT NULL DEFAULT 0, first_ns INTEGER, last_ns INTEGER, file_id INTEGER,"
    "  frame INTEGER, PRIMARY KEY(site, mac, ip, vlan));"
    "CREATE TABLE attributes(site TEXT NOT NULL, mac TEXT NOT NULL, ip TEXT NOT NULL,"
    "  field TEXT NOT NULL, value TEXT NOT NULL, raw TEXT NOT NULL, source TEXT NOT NULL,"
    "  count INTEGER NOT NULL, first_ns INTEGER, last_ns INTEGER, file_id INTEGER, frame INTEGER,"
    "  PRIMARY KEY(site, mac, ip, field, value, raw, source));"
    "CREATE TABLE protocols(site TEXT NOT NULL, mac TEXT NOT NULL, ip TEXT NOT NULL,"
    "  proto TEXT NOT NULL, role TEXT NOT NULL, packets INTEGER NOT NULL, first_ns INTEGER,"
    "  last_ns INTEGER, file_id INTEGER, frame INTEGER,"
    "  PRIMARY KEY(site, mac, ip, proto, role));"
    "CREATE TABLE role_hints(site TEXT NOT NULL, mac TEXT NOT NULL, ip TEXT NOT NULL,"
    "  role TEXT NOT NULL, source TEXT NOT NULL, count INTEGER NOT NULL, first_ns INTEGER,"
    "  last_ns INTEGER, file_id INTEGER, frame INTEGER, PRIMARY KEY(site, mac, ip, role, source));"
    "CREATE TABLE findings(site TEXT NOT NULL, mac TEXT NOT NULL, ip TEXT NOT NULL,"
    "  kind TEXT NOT NULL, detail TEXT NOT NULL, proto TEXT NOT NULL, count INTEGER NOT NULL,"
    "  first_ns INTEGER, last_ns INTEGER, file_id INTEGER, frame INTEGER,"
    "  PRIMARY KEY(site, mac, ip, kind, detail, proto));"
    "CREATE TABLE operations(id INTEGER PRIMARY KEY, site TEXT NOT NULL, src_mac TEXT NOT NULL,"
    "  src_ip TEXT NOT NULL, dst_mac TEXT NOT NULL, dst_ip TEXT NOT NULL, proto TEXT NOT NULL,"
    "  kind TEXT NOT NULL, function TEXT NOT NULL, target TEXT NOT NULL, result TEXT NOT NULL,"
    "  count INTEGER NOT NULL, first_ns INTEGER, last_ns INTEGER, file_id INTEGER, frame INTEGER,"
    "  UNIQUE(site, src_mac, src_ip, dst_mac, dst_ip, proto, kind, function, target, result));"
    "CREATE TABLE conversations(site TEXT NOT NULL, client_mac TEXT NOT NULL,"
    "  client_ip TEXT NOT NULL, server_mac TEXT NOT NULL, server_ip TEXT NOT NULL,"
    "  vlan INTEGER NOT NULL, l4 INTEGER NOT NULL, port INTEGER NOT NULL, proto TEXT NOT NULL,"
    "  flows INTEGER NOT NULL, pkts_cs INTEGER NOT NULL, pkts_sc INTEGER NOT NULL,"
    "  bytes_cs INTEGER NOT NULL, bytes_sc INTEGER NOT NULL, first_ns INTEGER, last_ns INTEGER,"
    "  file_id INTEGER, frame INTEGER, gaps INTEGER NOT NULL DEFAULT 0,"
    "  malformed INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY(site, client_mac, client_ip, server_mac, server_ip, vlan, l4, port, proto));"
    "CREATE TABLE assets(id TEXT PRIMARY KEY, site TEXT NOT NULL, mac TEXT, gateway_mac TEXT,"
    "  mac_vendor TEXT, vendor TEXT, product TEXT, order_number TEXT, firmware TEXT,"
    "  hardware TEXT, serial TEXT, name TEXT, role TEXT NOT NULL DEFAULT 'unknown',"
    "  purdue_level INTEGER, criticality TEXT, zone TEXT, first_ns INTEGER, last_ns INTEGER,"
    "  packets INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE asset_ips(asset_id TEXT NOT NULL, ip TEXT NOT NULL, PRIMARY KEY(asset_id, ip));"
    "CREATE TABLE asset_vlans(asset_id TEXT NOT NULL, vlan INTEGER NOT NULL,"
    "  PRIMARY KEY(asset_id, vlan));"
    "CREATE TABLE endpoint_asset(site TEXT NOT NULL, mac TEXT NOT NULL, ip TEXT NOT NULL,"
    "  asset_id TEXT NOT NULL, PRIMARY KEY(site, mac, ip));"
    "CREATE INDEX endpoint_asset_by_asset ON endpoint_asset(asset_id);"
    "CREATE TABLE asset_class(asset_id TEXT NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL,"
    "  reason TEXT NOT NULL, PRIMARY KEY(asset_id, field));"
    /* dated changes of identity, addresses and protocols, derived from the facts */
    "CREATE TABLE asset_history(asset_id TEXT NOT NULL, field TEXT NOT NULL, old_value TEXT,"
    "  new_value TEXT NOT NULL, time_ns INTEGER NOT NULL, file_id INTEGER, frame INTEGER,"
    "  source TEXT);"
    "CREATE INDEX asset_history_by_asset ON asset_history(asset_id, time_ns);"
    /* the ISMS asset register as last imported (a snapshot: an import replaces it) */
    "CREATE TABLE register(row INTEGER PRIMARY KEY, asset_ref TEXT NOT NULL, name TEXT, mac TEXT,"
    "  ip TEXT, serial TEXT, vendor TEXT, model TEXT, firmware TEXT, owner TEXT,"
    "  criticality TEXT, zone TEXT, extra TEXT, imported_ns INTEGER, source TEXT);"
    "CREATE TABLE register_match(row INTEGER PRIMARY KEY, asset_id TEXT NOT NULL,"
    "  confidence REAL NOT NULL, method TEXT NOT NULL);"
    /* alerts, derived from the facts after each run; ids are stable hashes of what they are
     * about, so an export can resume where it stopped */
    "CREATE TABLE alerts(id TEXT PRIMARY KEY, type TEXT NOT NULL, severity TEXT NOT NULL,"
    "  site TEXT NOT NULL, src TEXT, dst TEXT, asset TEXT, protocol TEXT, summary TEXT NOT NULL,"
    "  mitre TEXT NOT NULL, count INTEGER NOT NULL, first_ns INTEGER, last_ns INTEGER,"
    "  evidence TEXT NOT NULL);"
    "CREATE INDEX alerts_by_time ON alerts(last_ns);"
    /* the figures of each board report, for the trend of the next one */
    "CREATE TABLE snapshots(id INTEGER PRIMARY KEY, generated_ns INTEGER NOT NULL,"
    "  figures TEXT NOT NULL);"
    /* NIS2 Art. 23 incident records: the fields each report stage needs, and when each stage
     * was submitted */
    "CREATE TABLE incidents(id INTEGER PRIMARY KEY, title TEXT NOT NULL, aware_ns INTEGER NOT"
    "  NULL, significant INTEGER NOT NULL DEFAULT 1, status TEXT NOT NULL DEFAULT 'open',"
    "  handled_ns INTEGER, created_ns INTEGER NOT NULL, fields TEXT NOT NULL DEFAULT '{}');"
    "CREATE TABLE incident_links(incident INTEGER NOT NULL REFERENCES incidents(id),"
    "  kind TEXT NOT NULL, ref TEXT NOT NULL, PRIMARY KEY(incident, kind, ref));"
    "CREATE TABLE incident_submissions(incident INTEGER NOT NULL REFERENCES incidents(id),"
    "  stage TEXT NOT NULL, submitted_ns INTEGER NOT NULL, PRIMARY KEY(incident, stage));"
    "CREATE TABLE incident_log(incident INTEGER NOT NULL, time_ns INTEGER NOT NULL,"
    "  entry TEXT NOT NULL);"
    /* SIEM export: per target, the alert versions already delivered */
    "CREATE TABLE export_sent(target TEXT NOT NULL, alert TEXT NOT NULL, count INTEGER NOT NULL,"
    "  last_ns INTEGER NOT NULL, sent_ns INTEGER NOT NULL, PRIMARY KEY(target, alert));",
};

#endif
