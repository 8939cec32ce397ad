/* herd — test MPI program: after a barrier, rank 1 calls MPI_Abort(MPI_COMM_WORLD, 7); the
 * other ranks sleep (argv[1] seconds, 30 by default) waiting to be killed, then exit 0
 * without MPI_Finalize (their peer is gone, a finalize could wait forever).
 * Single-threaded. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
  int rank = 0;
  unsigned seconds = 30;
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (argc > 1) seconds = (unsigned)strtoul(argv[1], NULL, 10);
  MPI_Barrier(MPI_COMM_WORLD);
  if (rank == 1) {
    printf("rank 1 aborting\n");
    fflush(stdout);
    MPI_Abort(MPI_COMM_WORLD, 7);
  }
  sleep(seconds);
  printf("rank %d was not killed\n", rank);
  fflush(stdout);
  _exit(0);
}
