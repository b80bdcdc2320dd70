/**
 * Example consumer program: `pulumi config set calicoStack acme/calico/large` and
 * `pulumi config set --path edgeRouter.name edge-1` (peerIP, asNumber likewise), then `pulumi up`.
 */
import * as pulumi from "@pulumi/pulumi";
import { consumeCalico, type EdgeRouter } from "./consumer";

const config = new pulumi.Config();
const result = consumeCalico(config.require("calicoStack"), config.requireObject<EdgeRouter>("edgeRouter"));

/** Configure the router with this AS for the cluster side of the session. */
export const clusterAsNumber = result.clusterAsNumber;
