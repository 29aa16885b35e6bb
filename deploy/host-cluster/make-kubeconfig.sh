#!/usr/bin/env bash
# Prints a kubeconfig for kubecohort's service account (apply rbac.yaml first), with inline
# credentials only, as POST /api/v1/host-clusters accepts it.
#   deploy/host-cluster/make-kubeconfig.sh [server-url] > host-kubeconfig.yaml
# The server URL defaults to the current context's; it must be reachable from kubecohort's workers.
set -euo pipefail
server="${1:-$(kubectl config view --minify -o jsonpath='{.clusters[0].cluster.server}')}"
for _ in $(seq 1 30); do
  token="$(kubectl -n kubecohort-system get secret kubecohort-token -o jsonpath='{.data.token}' 2>/dev/null || true)"
  [ -n "$token" ] && break
  sleep 1
done
[ -n "${token:-}" ] || { echo "no token in kubecohort-system/kubecohort-token: apply rbac.yaml first" >&2; exit 1; }
ca="$(kubectl -n kubecohort-system get secret kubecohort-token -o jsonpath='{.data.ca\.crt}')"
cat <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
  - name: host
    cluster:
      server: ${server}
      certificate-authority-data: ${ca}
users:
  - name: kubecohort
    user:
      token: $(printf '%s' "$token" | base64 -d)
contexts:
  - name: kubecohort@host
    context:
      cluster: host
      user: kubecohort
current-context: kubecohort@host
KUBECONFIG
