#!/usr/bin/env bash
# Flux's MTTP benchmark workload for kustomize-controller (fluxcd/flux-benchmark):
# N Kustomizations, each applying a Deployment (replicas 0), a ServiceAccount,
# a Service and an Ingress. dev-apiserver, source-controller and
# kustomize-controller run in this same process tree; one GitRepository
# carries the app template and every Kustomization renders its own copy
# through postBuild.substitute (app name), so each applies 4 distinct objects.
#
# Reports: seconds from creating the Kustomizations until all are Ready,
# kustomize-controller's peak RSS (VmHWM), and the CPU seconds each process
# (dev-apiserver, source-controller, kustomize-controller, git daemon) used.
#
#   FLUXCPP_BIN_DIR=build/bin tools/bench/kustomize-controller/run.sh 100 500 1000
# Env: CONCURRENT (default 10, Flux's benchmark uses 20), CONCURRENT_SSA (4).
set -euo pipefail
SIZES=("${@:-100 500 1000}")
[[ $# -eq 0 ]] && SIZES=(100 500 1000)
export WORK="$(mktemp -d /tmp/fluxcpp-bench-ks.XXXXXX)"
FLUXCPP_ROOT="${FLUXCPP_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}"
source "$FLUXCPP_ROOT/e2e/lib.sh"
trap 'stop_all; rm -rf "$WORK"' EXIT
CONCURRENT="${CONCURRENT:-10}"
CONCURRENT_SSA="${CONCURRENT_SSA:-4}"

write_app() {
  local dir="$1"
  mkdir -p "$dir"
  cat >"$dir/app.yaml" <<'YAML'
apiVersion: v1
kind: ServiceAccount
metadata:
  name: ${app}
  namespace: bench
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${app}
  namespace: bench
spec:
  replicas: 0
  selector:
    matchLabels: {app: "${app}"}
  template:
    metadata:
      labels: {app: "${app}"}
    spec:
      serviceAccountName: ${app}
      containers:
        - name: podinfo
          image: ghcr.io/stefanprodan/podinfo:6.5.0
          ports:
            - {name: http, containerPort: 9898}
---
apiVersion: v1
kind: Service
metadata:
  name: ${app}
  namespace: bench
spec:
  selector: {app: "${app}"}
  ports:
    - {name: http, port: 9898, targetPort: http}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${app}
  namespace: bench
spec:
  rules:
    - host: ${app}.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: ${app}
                port: {name: http}
YAML
}

run_size() {
  local n="$1"
  rm -rf "$WORK/apiserver" "$WORK/storage" "$WORK/pids.size"
  start_apiserver
  install_manifests
  STORAGE_PORT="$(free_port)"
  start_bg source-controller "$BIN/source-controller" --kubeconfig "$KUBECONFIG" \
    --storage-path "$WORK/storage" --storage-addr "127.0.0.1:$STORAGE_PORT" --storage-adv-addr "127.0.0.1:$STORAGE_PORT" \
    --metrics-addr "127.0.0.1:$(free_port)" --health-addr "127.0.0.1:$(free_port)" --log-level=error
  start_bg kustomize-controller "$BIN/kustomize-controller" --kubeconfig "$KUBECONFIG" \
    --concurrent="$CONCURRENT" --concurrent-ssa="$CONCURRENT_SSA" --log-level=error \
    --kube-api-qps="${KUBE_API_QPS:-500}" --kube-api-burst="${KUBE_API_BURST:-1000}" \
    --metrics-addr "127.0.0.1:$(free_port)" --health-addr "127.0.0.1:$(free_port)"
  local kc_pid
  kc_pid="$(awk '$2=="kustomize-controller"{print $1}' "$WORK/pids" | tail -1)"
  kubectl create namespace bench >/dev/null
  kubectl apply -f - >/dev/null <<YAML
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: bench, namespace: flux-system}
spec: {interval: 60m, url: "git://127.0.0.1:$GIT_PORT/bench.git", ref: {branch: main}}
YAML
  wait_until 60 "GitRepository Ready" bash -c \
    "[[ \"\$(kubectl get gitrepository/bench -n flux-system -o 'jsonpath={.status.conditions[?(@.type==\"Ready\")].status}')\" == True ]]"
  python3 - "$n" >"$WORK/ks.yaml" <<'PY'
import sys
n = int(sys.argv[1])
for i in range(n):
    print(f"""---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {{name: app-{i}, namespace: flux-system}}
spec:
  interval: 60m
  sourceRef: {{kind: GitRepository, name: bench}}
  path: ./app
  prune: true
  wait: false
  postBuild:
    substitute: {{app: app-{i}}}""")
PY
  local start end created
  start="$(date +%s.%N)"
  kubectl create -f "$WORK/ks.yaml" >/dev/null
  created="$(date +%s.%N)"
  while true; do
    # One list per second; the Ready column of the table is all we read.
    ready="$(kubectl get kustomizations -n flux-system --no-headers -o custom-columns='R:.status.conditions[?(@.type=="Ready")].status' | grep -c '^True$' || true)"
    [[ "$ready" -ge "$n" ]] && break
    sleep 1
  done
  end="$(date +%s.%N)"
  local rss objects cpu=""
  rss="$(awk '/VmHWM/{printf "%.1f", $2/1024}' "/proc/$kc_pid/status")"
  # CPU seconds (user+system) each process used so far: who the 2 cores went to.
  local tck pid name
  tck="$(getconf CLK_TCK)"
  while read -r pid name; do
    [[ -r "/proc/$pid/stat" ]] || continue
    cpu+="$(awk -v t="$tck" -v n="$name" '{sub(/^.*\) /, ""); printf " %s=%.1fs", n, ($12+$13)/t}' "/proc/$pid/stat")"
  done <"$WORK/pids"
  objects="$(kubectl get deploy,svc,sa,ingress -n bench --no-headers 2>/dev/null | grep -c app- || true)"
  printf 'N=%-5d all Ready in %6.1fs (creating the Kustomizations took %4.1fs)  kustomize-controller peak RSS %s MiB  objects=%s\n' \
    "$n" "$(echo "$end - $start" | bc)" "$(echo "$created - $start" | bc)" "$rss" "$objects"
  printf '        CPU:%s\n' "$cpu"
  stop_all
}

start_git_server() {
  GIT_PORT="$(free_port)"
  mkdir -p "$WORK/git"
  start_bg git-daemon git daemon --base-path="$WORK/git" --export-all --reuseaddr --listen=127.0.0.1 \
    --port="$GIT_PORT" "$WORK/git"
  wait_until 10 "git daemon" bash -c "exec 3<>/dev/tcp/127.0.0.1/$GIT_PORT"
}

for n in "${SIZES[@]}"; do
  start_git_server
  rm -rf "$WORK/git/bench.git" "$WORK/src/bench"
  new_repo bench
  write_app "$WORK/src/bench/app"
  commit_push bench "benchmark app" >/dev/null
  run_size "$n"
done
