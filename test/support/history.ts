/**
 * Facts about this project's history that the rename tests need: the last commit whose resources
 * had unprefixed names, and the resources the program gained since (created, not renamed).
 */

/** The last commit whose resources carried unprefixed names (before CalicoCluster became a library). */
export const UNPREFIXED_NAMES_COMMIT = "c4a5b70dea46b72d43d8a06ee21e420b727a3b6e";

/** Registered names of the program's resources that commit did not have. */
export const ADDED_SINCE_UNPREFIXED: readonly string[] = ["calico-check-kubeadm-podsubnet", "calico-policy", "calico-benchmark", "calico-safety", "calico-destroy-guard"];

/**
 * Registered names whose inputs changed since that commit for reasons other than the rename, so a
 * preview of that commit's `small` stack updates them in place: the session gate checks peers by
 * address since the hybrid topology (its command text changed; an update re-runs the wait, which
 * passes at once on a settled cluster), and every calicoctl command reads the Calico version from the
 * cluster since the upgrade work (its text no longer names the version; an update re-applies the same
 * object); the Installation and APIServer carry the annotations the real operator needs
 * (lib/render/installation.ts OPERATOR_CR_ANNOTATIONS: an annotation update, nothing of the spec).
 */
export const UPDATED_SINCE_UNPREFIXED: readonly string[] = ["calico-wait-bgp-sessions", "calico-bgpconfiguration-default", "calico-installation", "calico-apiserver"];
