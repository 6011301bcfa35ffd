#!/usr/bin/env bash
# Offline validation of deploy/k8s: renders the kustomization with `kubectl kustomize` and checks
# every object, and the CronJob variant, strictly (unknown fields are errors) against the bundled
# schemas of kubernetes-validate (pinned in scripts/python-venv.sh). No cluster needed.
#   bash scripts/validate-k8s.sh [kubernetes version, default: kubernetes-validate's latest]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v kubectl >/dev/null 2>&1 || { echo "validate-k8s: kubectl not found (it renders the kustomization): install kubectl" >&2; exit 1; }
bash scripts/python-venv.sh >/dev/null
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
kubectl kustomize deploy/k8s >"$out"
version=()
[[ -n "${1:-}" ]] && version=(-k "$1")
.cache/venv/bin/kubernetes-validate --strict --quiet "${version[@]}" "$out" deploy/k8s/cronjob.yaml
echo "validate-k8s: $(grep -c '^kind:' "$out") rendered objects and the CronJob are valid (strict)"
