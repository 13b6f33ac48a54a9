/* list.h - every dissector, once.  Included by registry.c with X() defined; also the list of
 * fuzz targets.  Order matters only for heuristic probing (first match wins). */
X(arp)
X(modbus)
X(s7comm)
X(enip)
X(profinet_dcp)
X(bacnet)
X(opcua)
X(dnp3)
X(iec104)
X(mqtt)
