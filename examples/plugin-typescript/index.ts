// Backups in TypeScript: the SDK is generated from the plugin's schema (see README.md).
import * as pulumi from "@pulumi/pulumi";
import * as backups from "pulumi-backups"; // the SDK generated from the schema

const config = new pulumi.Config();
const release = config.get("release") ?? "v1";

// A new VPS backup and database dump whenever the release changes, made before the old ones go.
const vps = new backups.vps.VpsBackup("pre-deploy", {
    serverId: 12345,
    description: `Before ${release}`,
    triggers: [release],
});
const dump = new backups.ovh.HostingDatabaseDump("pre-deploy", {
    serviceName: "sandbox.cluster000.hosting.ovh.net",
    databaseName: "sandboxapp.mysql.db",
    triggers: [release],
});

export const vpsBackup = vps.backupId;
export const dumpUrl = dump.url; // a secret
