#!/usr/bin/env bash
# (d) MPI launch, as the Slurm anchor's bench_mpi.sh, with herd_mpi_hello (MPI_Init +
# MPI_Allreduce; built with the project, copied into the cluster by herd-local). For each
# shape (SHAPES, default "2:4 4:8" = nodes:tasks) run REPS times:
#   hbatch+mpirun      : hbatch -N -n a script that runs `mpirun herd_mpi_hello`;
#                        e2e_s = hbatch call -> job gone from hqueue,
#                        inner_s = mpirun wall time measured inside the job
#   hrun --mpi=pmix herd_mpi_hello   (wall time)
# A run counts as ok only if every rank printed its line with allreduce == expect.
# Env: REPS=5 SHAPES="2:4 4:8" TIMEOUT=60 MPI_BTL= (empty: Open MPI's default, shared
# memory within a node, which herd keeps apart per node and step; the anchor used self,tcp)
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"
REPS=${REPS:-5}
SHAPES=${SHAPES:-"2:4 4:8"}
TIMEOUT=${TIMEOUT:-60}
MPI_BTL=${MPI_BTL:-}
HRUN=${HRUN:-hrun} # one word (the anchor's variables are used unquoted the same way)

bench_up
HELLO=$BENCH_DIR/bin/herd_mpi_hello
[[ -x $HELLO ]] || { log "no $HELLO (build herd_mpi_hello first)"; exit 1; }
W=$BENCH_DIR/work/mpi
mkdir -p "$W"
[[ -n $MPI_BTL ]] && export OMPI_MCA_btl=$MPI_BTL

cat >"$W/job_mpirun.sh" <<EOF
#!/bin/bash
cd "$W"
if [ "\$(id -u)" = 0 ]; then flags="--allow-run-as-root --oversubscribe"; else flags=; fi
t0=\$(date +%s.%N)
mpirun \$flags "$HELLO"
rc=\$?
t1=\$(date +%s.%N)
echo "mpirun_rc=\$rc inner_s=\$(awk -v a=\$t0 -v b=\$t1 'BEGIN{printf "%.3f", b-a}')"
EOF
chmod +x "$W/job_mpirun.sh"

clean_queue 120

# ranks_ok FILE N: N rank lines, each with allreduce == expect
ranks_ok() {
  local good
  good=$(grep -cE "^rank [0-9]+/$2 on .* allreduce=$(($2 * ($2 + 1) / 2)) expect=$(($2 * ($2 + 1) / 2))\$" "$1" 2>/dev/null)
  [[ ${good:-0} == "$2" ]]
}

summ() { # label n_ok n_fail values...
  local label=$1 n_ok=$2 n_fail=$3 med mn mx n line
  shift 3
  read -r med mn mx n < <(printf '%s\n' "$@" | grep -v '^$' | stats)
  line="$label ok=$n_ok fail=$n_fail median_s=$med min_s=$mn max_s=$mx all=$(
    IFS=,
    echo "$*"
  )"
  echo "$line"
  record mpi "$line"
}

for shape in $SHAPES; do
  nn=${shape%:*}
  nt=${shape#*:}

  # ---- (i) hbatch + mpirun
  e2e=()
  inner=()
  ok=0
  bad=0
  for ((r = 0; r < REPS; r++)); do
    out=$W/out.mpirun.$nn.$nt.$r
    rm -f "$out"
    t0=$(now)
    jid=$($HBATCH --parsable -N "$nn" -n "$nt" -o "$out" "$W/job_mpirun.sh" 2>&1) || {
      bad=$((bad + 1))
      log "hbatch failed: $jid"
      continue
    }
    jid=${jid%%;*}
    while [[ -n $($HQUEUE -h --jobs="$jid" -o %i 2>/dev/null) ]]; do
      sleep 0.05
      if awk -v a="$t0" -v b="$(now)" -v t="$TIMEOUT" 'BEGIN{exit !(b-a>t)}'; then
        $HCANCEL "$jid"
        break
      fi
    done
    t=$(elapsed "$t0")
    if ranks_ok "$out" "$nt" && grep -q 'mpirun_rc=0' "$out"; then
      ok=$((ok + 1))
      e2e+=("$t")
      inner+=("$(sed -n 's/.*inner_s=//p' "$out")")
    else
      bad=$((bad + 1))
      log "hbatch+mpirun $shape failed:"
      tail -5 "$out" >&2
    fi
  done
  summ "mode=hbatch+mpirun shape=-N${nn}_-n${nt} metric=e2e" "$ok" "$bad" "${e2e[@]}"
  summ "mode=hbatch+mpirun shape=-N${nn}_-n${nt} metric=inner_mpirun" "$ok" "$bad" "${inner[@]}"

  # ---- (ii) hrun --mpi=pmix
  ts=()
  ok=0
  bad=0
  for ((r = 0; r < REPS; r++)); do
    out=$W/out.hrun.pmix.$nn.$nt.$r
    t0=$(now)
    timeout "$TIMEOUT" "$HRUN" --mpi=pmix -N "$nn" -n "$nt" "$HELLO" >"$out" 2>&1
    rc=$?
    t=$(elapsed "$t0")
    if [[ $rc == 0 ]] && ranks_ok "$out" "$nt"; then
      ok=$((ok + 1))
      ts+=("$t")
    else
      bad=$((bad + 1))
      ((r == 0)) && {
        log "hrun --mpi=pmix $shape failed rc=$rc:"
        grep -v '^\s*$' "$out" | head -4 >&2
      }
    fi
  done
  summ "mode=hrun_--mpi=pmix shape=-N${nn}_-n${nt} metric=wall" "$ok" "$bad" "${ts[@]}"
done
