import { strict as assert } from "node:assert";
import { runProgram } from "../../components/program";
import { consumeCalico, edgePeerSelector } from "../../examples/consumer/consumer";
import { runStack, setStackReferenceOutputs, unwrap } from "../support/mocks";
import { stackPulumiConfig } from "../support/stacks";

describe("consumer example through a mocked StackReference", () => {
    for (const [stack, selector] of [["large", "route-reflector == 'true'"], ["small", "all()"]] as const) {
        it(`${stack}: peers the edge router with ${selector} and opens the real metrics port`, async () => {
            // The outputs the calico program really exports for this stack.
            const calico = await runStack(() => runProgram(stackPulumiConfig(stack)));
            setStackReferenceOutputs(`acme/calico/${stack}`, calico.outputs);
            const run = await runStack(() => {
                const r = consumeCalico(`acme/calico/${stack}`, { name: "edge-1", peerIP: "192.0.2.1", asNumber: 65010 });
                return { clusterAsNumber: r.clusterAsNumber };
            });
            const peer = unwrap(run.registrations.find((r) => r.type === "kubernetes:projectcalico.org/v3:BGPPeer")!.inputs);
            assert.deepEqual(peer.spec, { peerIP: "192.0.2.1", asNumber: 65010, nodeSelector: selector });
            const policy = unwrap(run.registrations.find((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy")!.inputs);
            assert.equal(policy.metadata.namespace, "calico-system");
            assert.equal(policy.spec.ingress[0].ports[0].port, calico.outputs.metrics.kubeControllers.port);
            assert.equal(run.outputs.clusterAsNumber, 64512);
            assert.ok(run.registrations.some((r) => r.type === "pulumi:pulumi:StackReference" && r.name === `acme/calico/${stack}`));
        });
    }

    it("chooses reflectors only when there are some", () => {
        const bgp = { mode: "routeReflector", asNumber: 1, meshEnabled: false, routeReflectorNodes: [], routeReflectorClusterId: null, peers: [] };
        assert.equal(edgePeerSelector(bgp), "all()");
        assert.equal(edgePeerSelector({ ...bgp, routeReflectorNodes: ["rr-1"] }), "route-reflector == 'true'");
    });
});
