/**
 * Pulumi entry point: read this stack's config, build Calico, export what other stacks need.
 */
import * as pulumi from "@pulumi/pulumi";
import { configSecretKeys, runProgram } from "./components/program";

const config = pulumi.runtime.allConfig();
const outputs = runProgram(config, configSecretKeys(config));

export const calicoVersion = outputs.calicoVersion;
export const operatorVersion = outputs.operatorVersion;
export const kubernetesVersion = outputs.kubernetesVersion;
export const operatorNamespace = outputs.operatorNamespace;
export const calicoNamespace = outputs.calicoNamespace;
export const podCidrs = outputs.podCidrs;
export const serviceCidrs = outputs.serviceCidrs;
export const ipPools = outputs.ipPools;
export const bgp = outputs.bgp;
export const expectedTyphaReplicas = outputs.expectedTyphaReplicas;
export const metrics = outputs.metrics;
export const dashboards = outputs.dashboards;
