#!/usr/bin/python3
"""modbus_peer.py - a real Modbus/TCP server and client (pymodbus) for tests/integration/peers.sh.

  modbus_peer.py server ADDR PORT   serve a device with a device identification until killed
  modbus_peer.py client HOST PORT   connect once and run the test's request sequence

Written against Debian 12's python3-pymodbus (3.0.x); the few names later pymodbus releases
changed (slave/unit/device_id, ModbusSlaveContext/ModbusDeviceContext) are looked up at run
time.  Prints one line per request so that the shell test can tell what the peers did.
"""
import inspect
import sys

import pymodbus

# The identity the server announces (Read Device Identification, function 43 / MEI 14).
IDENTITY = {
    "VendorName": "Schneider Electric",
    "ProductCode": "BMXP342020",
    "MajorMinorRevision": "V3.20",
    "VendorUrl": "http://www.schneider-electric.com",
    "ProductName": "Modicon M340",
    "ModelName": "BMX P34 2020",
    "UserApplicationName": "Line4",
}
UNIT = 1


def server(addr, port):
    from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext
    try:
        from pymodbus.device import ModbusDeviceIdentification
    except ImportError:  # pymodbus >= 3.7
        from pymodbus import ModbusDeviceIdentification
    from pymodbus.server import StartTcpServer

    def block():
        return ModbusSequentialDataBlock(0, [0] * 200)

    try:
        from pymodbus.datastore import ModbusSlaveContext as DevCtx
    except ImportError:  # pymodbus >= 3.10
        from pymodbus.datastore import ModbusDeviceContext as DevCtx
    dev = DevCtx(di=block(), co=block(), hr=block(), ir=block())
    try:
        ctx = ModbusServerContext(slaves=dev, single=True)
    except TypeError:
        ctx = ModbusServerContext(devices=dev, single=True)
    identity = ModbusDeviceIdentification(info_name=IDENTITY)
    print(f"modbus server (pymodbus {pymodbus.__version__}) on {addr}:{port}", flush=True)
    StartTcpServer(context=ctx, identity=identity, address=(addr, port))


def unit_kw(fn):
    """the keyword a client method takes for the unit id in this pymodbus version"""
    params = inspect.signature(fn).parameters
    for name in ("slave", "device_id", "unit"):
        if name in params:
            return {name: UNIT}
    return {}


def check(what, rsp):
    if rsp is None or (hasattr(rsp, "isError") and rsp.isError()):
        print(f"FAILED {what}: {rsp}", flush=True)
        sys.exit(1)
    print(f"ok {what}", flush=True)
    return rsp


def client(host, port):
    from pymodbus.client import ModbusTcpClient
    from pymodbus.mei_message import ReadDeviceInformationRequest

    c = ModbusTcpClient(host, port=port, timeout=5)
    if not c.connect():
        print(f"FAILED connect to {host}:{port}", flush=True)
        sys.exit(1)
    check("read holding registers 0-9 (3)",
          c.read_holding_registers(0, count=10, **unit_kw(c.read_holding_registers)))
    check("write single register 5 = 1234 (6)",
          c.write_register(5, 1234, **unit_kw(c.write_register)))
    check("write multiple registers 10-12 (16)",
          c.write_registers(10, [1, 2, 3], **unit_kw(c.write_registers)))
    check("write single coil 7 = on (5)",
          c.write_coil(7, True, **unit_kw(c.write_coil)))
    rsp = check("read holding registers 5-12 (3)",
                c.read_holding_registers(5, count=8, **unit_kw(c.read_holding_registers)))
    if list(rsp.registers) != [1234, 0, 0, 0, 0, 1, 2, 3]:
        print(f"FAILED the writes did not land: {rsp.registers}", flush=True)
        sys.exit(1)
    seen = {}
    for code, name in ((1, "basic"), (2, "regular"), (3, "extended")):
        req = ReadDeviceInformationRequest(code, 0)
        for attr in ("unit_id", "slave_id", "dev_id"):  # the unit id's name differs by version
            if hasattr(req, attr):
                setattr(req, attr, UNIT)
        rsp = check(f"read device identification {name} (43/14)", c.execute(req))
        for k, v in rsp.information.items():
            seen[k] = v.decode() if isinstance(v, bytes) else v
    c.close()
    want = {i: v for i, v in enumerate(IDENTITY.values())}
    if seen != want:
        print(f"FAILED device identification: {seen}", flush=True)
        sys.exit(1)
    print("modbus client done", flush=True)


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("server", "client"):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    role, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    (server if role == "server" else client)(host, port)


if __name__ == "__main__":
    main()
