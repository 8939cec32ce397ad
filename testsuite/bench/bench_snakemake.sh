#!/usr/bin/env bash
# Snakemake's own Slurm executor (Debian's snakemake 7.21, `snakemake --slurm`) runs a
# workflow of three rules, each needing the one before, to completion through Slurm's
# command names: sinfo finds the default partition, sbatch submits each rule as a job,
# sacct (herd: hacct) follows it, and inside the job the rule runs through srun (herd:
# hrun). Wall time from the start of snakemake to its end.
#
#   bench_snakemake.sh               against a fresh herd-local cluster (4 x 4 cpus), whose
#                                    bin/ has the Slurm names
#   TARGET=slurm bench_snakemake.sh  against the Slurm cluster of $SLURM_CONF (its commands
#                                    on PATH; accounting needed for sacct)
#
# Not an integration test: Debian's snakemake brings 277 packages (180 MB) that CI does
# not install. Needs snakemake and $USER (Snakemake reads it). Env: REPS=1 TIMEOUT=300.
# Output: "snakemake target= reps= wall_med_s= wall_min_s= wall_max_s= fail=", also
# appended to RESULTS_DIR/snakemake.tsv.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"
TARGET=${TARGET:-herd}
REPS=${REPS:-1}
TIMEOUT=${TIMEOUT:-300}
export USER=${USER:-$(id -un)}

command -v snakemake >/dev/null || { log "snakemake is not installed (apt-get install snakemake)"; exit 2; }
case $TARGET in
  herd)
    # Finished jobs stay in the controller (as the Slurm anchor's MinJobAge=300), where sacct
    # finds them without a database.
    BENCH_EXTRA_CONF="MinJobAge=300" bench_up
    mkdir -p "$RESULTS_DIR"
    bin=$(dirname "$HERD_CONF")/bin
    [[ -L $bin/sbatch ]] || { log "no Slurm names in $bin"; exit 1; }
    export PATH=$bin:$PATH
    ;;
  slurm)
    [[ -n ${SLURM_CONF:-} ]] || { log "TARGET=slurm needs SLURM_CONF"; exit 2; }
    mkdir -p "$RESULTS_DIR"
    ;;
  *) log "TARGET must be herd or slurm"; exit 2 ;;
esac

tmp=$(mktemp -d /tmp/bench-snakemake.XXXXXX)
chmod 755 "$tmp"
cat >"$tmp/Snakefile" <<'EOF'
localrules: all

rule all:
    input: "c.txt"

rule a:
    output: "a.txt"
    shell: "echo a > {output}"

rule b:
    input: "a.txt"
    output: "b.txt"
    shell: "cat {input} > {output}; echo b >> {output}"

rule c:
    input: "b.txt"
    output: "c.txt"
    shell: "cat {input} > {output}; echo c >> {output}"
EOF

fail=0
: >"$tmp/walls"
for ((r = 0; r < REPS; r++)); do
  rm -rf "$tmp/.snakemake" "$tmp"/[abc].txt
  t0=$(now)
  if ! (cd "$tmp" && timeout "$TIMEOUT" snakemake --slurm --jobs 3 \
    --default-resources slurm_partition=debug runtime=5 mem_mb=100 \
    --max-status-checks-per-second 10 --latency-wait 5 >"$tmp/run.log" 2>&1); then
    ((fail++))
    log "snakemake failed; the end of its log:"
    tail -20 "$tmp/run.log" >&2
    continue
  fi
  wall=$(elapsed "$t0")
  if [[ $(tr '\n' ' ' <"$tmp/c.txt") != "a b c " ]]; then
    ((fail++))
    log "c.txt is not the workflow's result: $(cat "$tmp/c.txt")"
    continue
  fi
  jobs=$(grep -c "has been submitted with SLURM jobid" "$tmp/run.log")
  ((jobs == 3)) || { ((fail++)); log "$jobs jobs submitted, not 3"; continue; }
  echo "$wall" >>"$tmp/walls"
done
read -r med min max n < <(stats <"$tmp/walls")
line="snakemake target=$TARGET reps=$n wall_med_s=$med wall_min_s=$min wall_max_s=$max fail=$fail"
echo "$line"
record snakemake "$line"
rm -rf "$tmp"
((fail == 0))
