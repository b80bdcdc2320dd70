#!/bin/sh
# The destroy guard of a calico-pulumi stack (the delete script of <name>-destroy-guard).
#
# `pulumi destroy` deletes every resource after the resources that depend on it, and this command
# depends on every other resource of the stack, so it is deleted first. While the stack is
# protected (calico:protect true, the default), failing here ends the destroy before anything else
# is deleted: not the CRDs (and with them every Calico object), not the operator, the Installation,
# the BGP peers or the IP pools, while pods run on that network.
#
# Environment: CALICO_PROTECT is "true" or "false" (calico:protect). The engine runs the delete
# with the inputs of the last update, so `calico:protect: false` takes effect after a `pulumi up`.
set -eu
if [ "${CALICO_PROTECT:-true}" = "false" ]; then
    echo "calico:protect is false: the destroy goes ahead"
    exit 0
fi
cat >&2 <<'MESSAGE'
calico-pulumi: this stack is protected (calico:protect is true), so nothing was deleted.
Deleting it would remove the Calico CRDs (and with them every Calico object in the cluster), the
operator, the Installation and the BGP configuration while pods run on that network.
To remove Calico from a disposable cluster: pulumi config set calico:protect false, then
pulumi up (which only lifts the protection), then pulumi destroy.
MESSAGE
exit 1
