#!/usr/bin/env bash
# Creates the local kind host cluster and prepares it as deploy/host-cluster describes.
# Needs Docker, kind (v0.24+), kubectl and the flux CLI (v2.3+). Prints the variables the opt-in
# real-cluster suite reads. Re-running it reuses an existing cluster.
set -euo pipefail
cd "$(dirname "$0")/../.."
name="${KIND_CLUSTER:-kubecohort}"
out="${HOST_KUBECONFIG_OUT:-/tmp/kubecohort-kind-host.yaml}"

if ! kind get clusters 2>/dev/null | grep -qx "$name"; then
  kind create cluster --name "$name" --config deploy/kind/kind-config.yaml --wait 180s
fi
kubectl config use-context "kind-$name" >/dev/null

flux install --components=source-controller,helm-controller
kubectl apply -f deploy/host-cluster/helm-repository.yaml
kubectl apply -f deploy/host-cluster/rbac.yaml
kubectl -n flux-system wait helmrepository/vcluster --for=condition=Ready --timeout=300s

server="$(kubectl config view --minify -o jsonpath='{.clusters[0].cluster.server}')"
deploy/host-cluster/make-kubeconfig.sh "$server" >"$out"
node_ip="$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$name-worker")"

cat <<VARS

kind host cluster "$name" is ready. For the opt-in suite:
  export K8S_E2E=1
  export KUBECONFIG="$HOME/.kube/config"        # admin context kind-$name (checks and cleanup)
  export E2E_HOST_KUBECONFIG="$out"              # kubecohort's service account (registered as the host)
  export E2E_NODE_ADDRESS="$node_ip"              # where NodePorts answer from this machine
VARS
