#!/usr/bin/env bash
# The README quickstart cold, through the CLI, against the hand-written System.Text.Json loop (W7's), each in a fresh
# process, alternately, RUNS times; prints every run's wall and CPU time (user + system, the process and its children)
# and the medians. Usage (from the repository root): bash perf/quickstart-cold.sh [RUNS] [ORDERS]
# Extra runtime settings for the CLI runs go in CLI_ENV, e.g. CLI_ENV="DOTNET_TieredPGO=1" to compare.
set -euo pipefail
runs=${1:-3}
orders=${2:-1000000}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
dotnet build src/DataWeaver.Cli/DataWeaver.Cli.csproj -c Release -v q -nologo > /dev/null
dotnet build perf/DataWeaver.Perf/DataWeaver.Perf.csproj -c Release -v q -nologo > /dev/null
cli=src/DataWeaver.Cli/bin/Release/net10.0/dataweaver.dll
perf=perf/DataWeaver.Perf/bin/Release/net10.0/DataWeaver.Perf.dll

# Runs "$@" in a child shell; prints "wall cpu" in seconds (CPU from the child's own accounting of its children).
measure() {
  bash -c 'start=$(date +%s%N); "$@" > /dev/null 2>&1; end=$(date +%s%N); read -r _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ cu cs _ < /proc/$$/stat; echo "$(( (end - start) / 1000000 )) $(( (cu + cs) * 10 ))"' _ "$@"
}

declare -a loop_wall loop_cpu cli_wall cli_cpu
for ((i = 0; i < runs; i++)); do
  read -r w c < <(measure dotnet "$perf" --quickstart-loop "$out/loop.jsonl" "$orders"); loop_wall+=("$w"); loop_cpu+=("$c")
  read -r w c < <(measure env ORDERS="$orders" OUTPUT_DIR="$out" ${CLI_ENV:-} dotnet "$cli" run samples/config/quickstart.yaml); cli_wall+=("$w"); cli_cpu+=("$c")
  echo "run $((i + 1)): loop ${loop_wall[-1]} ms wall ${loop_cpu[-1]} ms CPU; cli ${cli_wall[-1]} ms wall ${cli_cpu[-1]} ms CPU"
done
[[ $(wc -l < "$out/loop.jsonl") == $(wc -l < "$out/big-orders.jsonl") ]] || { echo "outputs differ in line count" >&2; exit 2; }
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }
lw=$(median "${loop_wall[@]}"); lc=$(median "${loop_cpu[@]}"); cw=$(median "${cli_wall[@]}"); cc=$(median "${cli_cpu[@]}")
echo "median: loop $lw ms wall $lc ms CPU; cli $cw ms wall $cc ms CPU; cli/loop wall $(awk "BEGIN{printf \"%.2f\", $cw/$lw}")x CPU $(awk "BEGIN{printf \"%.2f\", $cc/$lc}")x (goal: 1.5x wall, 2x CPU)"
