#!/usr/bin/env node
// opcua_peer.js - a real OPC UA server and client (node-opcua) for tests/integration/peers.sh.
//
//   node opcua_peer.js server ADDR PORT PKIDIR   serve until SIGTERM/SIGINT
//   node opcua_peer.js client URL PKIDIR          GetEndpoints, session, read, write, call
//
// SecurityPolicy None only, anonymous: the traffic is cleartext so that a passive monitor can
// read the application description, the server's build info and the Write request.  The PKI
// (self-signed certificates node-opcua makes for itself) lives in PKIDIR, never in $HOME.
"use strict";
const path = require("path");
const {
    OPCUAServer, OPCUAClient, OPCUACertificateManager, SecurityPolicy, MessageSecurityMode,
    RegisterServerMethod, DataType, Variant, StatusCodes, AttributeIds,
} = require("node-opcua");

// What the server says about itself (checked by peers.sh in the otscope inventory).
const APP = {
    applicationUri: "urn:line4-plc:SchneiderElectric:ModiconM340",
    productUri: "http://www.schneider-electric.com/modicon-m340",
    applicationName: "Line4 PLC OPC UA Server",
    // the build info of the same device the Modbus server stands for (modbus_peer.py)
    manufacturerName: "Schneider Electric",
    productName: "Modicon M340",
    softwareVersion: "V3.20",
    resourcePath: "/UA/Line4",
};
const CLIENT_URI = "urn:line4-hmi:otscope-test";

function log(msg) {
    process.stdout.write(msg + "\n");
}

function certManager(dir, name) {
    return new OPCUACertificateManager({
        rootFolder: path.join(dir, name),
        automaticallyAcceptUnknownCertificate: true,
    });
}

async function server(addr, port, pki) {
    const srv = new OPCUAServer({
        host: addr,
        hostname: addr,
        port,
        resourcePath: APP.resourcePath,
        securityPolicies: [SecurityPolicy.None],
        securityModes: [MessageSecurityMode.None],
        allowAnonymous: true,
        registerServerMethod: RegisterServerMethod.HIDDEN,
        isAuditing: false,
        serverCertificateManager: certManager(pki, "server"),
        userCertificateManager: certManager(pki, "user"),
        serverInfo: {
            applicationUri: APP.applicationUri,
            productUri: APP.productUri,
            applicationName: { text: APP.applicationName, locale: "en" },
        },
        buildInfo: {
            productName: APP.productName,
            productUri: APP.productUri,
            manufacturerName: APP.manufacturerName,
            softwareVersion: APP.softwareVersion,
            buildNumber: "4711",
            buildDate: new Date("2025-06-01T00:00:00Z"),
        },
    });
    await srv.initialize();
    const space = srv.engine.addressSpace;
    const ns = space.getOwnNamespace(); // ns=1 on the wire
    const line = ns.addObject({ organizedBy: space.rootFolder.objects, browseName: "Line4",
                                nodeId: "s=Line4" });
    let temperature = 21.5;
    let setpoint = 20.0;
    ns.addVariable({
        componentOf: line, browseName: "Temperature", nodeId: "s=Line4.Temperature",
        dataType: "Double", minimumSamplingInterval: 500,
        value: { get: () => new Variant({ dataType: DataType.Double, value: temperature }) },
    });
    ns.addVariable({
        componentOf: line, browseName: "Setpoint", nodeId: "s=Line4.Setpoint",
        dataType: "Double", accessLevel: "CurrentRead | CurrentWrite",
        userAccessLevel: "CurrentRead | CurrentWrite", minimumSamplingInterval: 500,
        value: {
            get: () => new Variant({ dataType: DataType.Double, value: setpoint }),
            set: (v) => { setpoint = v.value; log(`setpoint written: ${setpoint}`); return StatusCodes.Good; },
        },
    });
    const method = ns.addMethod(line, {
        browseName: "StartPump", nodeId: "s=Line4.StartPump",
        inputArguments: [{ name: "pump", dataType: DataType.UInt32 }],
        outputArguments: [{ name: "started", dataType: DataType.Boolean }],
    });
    method.bindMethod((inputs, context, callback) => {
        log(`StartPump(${inputs[0].value}) called`);
        temperature += 1;
        callback(null, {
            statusCode: StatusCodes.Good,
            outputArguments: [{ dataType: DataType.Boolean, value: true }],
        });
    });
    await srv.start();
    log(`opcua server listening: ${srv.getEndpointUrl()}`);
    const stop = async () => {
        await srv.shutdown(100);
        process.exit(0);
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
}

async function client(url, pki) {
    const cli = OPCUAClient.create({
        applicationName: "Line4 HMI",
        applicationUri: CLIENT_URI,
        securityMode: MessageSecurityMode.None,
        securityPolicy: SecurityPolicy.None,
        endpointMustExist: false,
        keepSessionAlive: false,
        requestedSessionTimeout: 60000,
        connectionStrategy: { maxRetry: 3, initialDelay: 500, maxDelay: 2000 },
        clientCertificateManager: certManager(pki, "client"),
    });
    cli.on("backoff", (n, delay) => log(`connect retry ${n} in ${delay} ms`));
    await cli.connect(url);
    log("connected");

    const endpoints = await cli.getEndpoints();
    log(`GetEndpoints: ${endpoints.length} endpoint(s): ` +
        endpoints.map((e) => `${e.endpointUrl} ${e.securityPolicyUri}`).join(", "));

    const session = await cli.createSession();
    log("session created");

    // the server's build info (Server_ServerStatus_BuildInfo_*) and a process value
    const ids = [2261, 2262, 2263, 2264].map((i) => ({ nodeId: `i=${i}`, attributeId: AttributeIds.Value }));
    const build = await session.read(ids);
    log("build info: " + build.map((d) => String(d.value.value)).join(" | "));
    const temp = await session.read({ nodeId: "ns=1;s=Line4.Temperature", attributeId: AttributeIds.Value });
    if (!temp.statusCode.isGood())
        throw new Error(`read Temperature: ${temp.statusCode.toString()}`);
    log(`read Temperature = ${temp.value.value}`);

    const ws = await session.write({
        nodeId: "ns=1;s=Line4.Setpoint",
        attributeId: AttributeIds.Value,
        value: { value: { dataType: DataType.Double, value: 42.5 } },
    });
    if (!ws.isGood())
        throw new Error(`write Setpoint: ${ws.toString()}`);
    log("write Setpoint = 42.5: Good");
    const back = await session.read({ nodeId: "ns=1;s=Line4.Setpoint", attributeId: AttributeIds.Value });
    if (back.value.value !== 42.5)
        throw new Error(`Setpoint reads back ${back.value.value}`);

    const call = await session.call({
        objectId: "ns=1;s=Line4",
        methodId: "ns=1;s=Line4.StartPump",
        inputArguments: [{ dataType: DataType.UInt32, value: 3 }],
    });
    if (!call.statusCode.isGood())
        throw new Error(`call StartPump: ${call.statusCode.toString()}`);
    log(`call StartPump(3): ${call.outputArguments.map((a) => a.value).join(",")}`);

    await session.close();
    await cli.disconnect();
    log("opcua client done");
}

async function main() {
    const [role, a, b, c] = process.argv.slice(2);
    if (role === "server" && c)
        await server(a, Number(b), c);
    else if (role === "client" && b)
        await client(a, b);
    else {
        process.stderr.write("usage: opcua_peer.js server ADDR PORT PKIDIR | client URL PKIDIR\n");
        process.exit(2);
    }
}

main().catch((err) => {
    log(`FAILED ${err && err.stack ? err.stack : err}`);
    process.exit(1);
});
