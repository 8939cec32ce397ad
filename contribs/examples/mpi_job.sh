#!/bin/bash
#HERD -J mpi-demo
#HERD -N 2
#HERD -n 4
# A batch job running an MPI program across its nodes, twice: once launched directly by
# herd (hrun --mpi=pmix, PMIx wire-up by the node daemons), once by Open MPI's own mpirun
# (which finds the allocation by itself and starts its daemons through herd).
echo "job $HERD_JOB_ID: nodes $HERD_JOB_NODELIST, $HERD_NTASKS tasks"
echo "--- hrun --mpi=pmix ./mpi_hello"
hrun --mpi=pmix ./mpi_hello
echo "--- mpirun ./mpi_hello"
if [ "$(id -u)" = 0 ]; then root_flags="--allow-run-as-root"; fi
mpirun $root_flags ./mpi_hello
