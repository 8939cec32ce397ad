/* herd example: every rank reports its host and cpu binding, then all ranks sum their
 * rank+1 with MPI_Allreduce; rank 0 checks the sum. Build: mpicc -o mpi_hello mpi_hello.c */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void cpus_allowed(char *out, size_t n) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[512];
  snprintf(out, n, "?");
  if (f == NULL) return;
  while (fgets(line, sizeof line, f) != NULL) {
    if (strncmp(line, "Cpus_allowed_list:", 18) == 0) {
      char *v = line + 18;
      while (*v == ' ' || *v == '\t') v++;
      v[strcspn(v, "\n")] = '\0';
      snprintf(out, n, "%s", v);
    }
  }
  fclose(f);
}

int main(int argc, char **argv) {
  int rank, size, sum = 0, mine;
  char host[256], cpus[128];
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  gethostname(host, sizeof host);
  cpus_allowed(cpus, sizeof cpus);
  const char *node = getenv("HERD_NODENAME");
  printf("rank %d/%d on %s (node %s) bound to cpus %s\n", rank, size, host, node ? node : "?",
         cpus);
  fflush(stdout);
  mine = rank + 1;
  MPI_Allreduce(&mine, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  if (rank == 0) {
    printf("MPI_Allreduce: sum of rank+1 over %d ranks = %d (expected %d) %s\n", size, sum,
           size * (size + 1) / 2, sum == size * (size + 1) / 2 ? "OK" : "WRONG");
  }
  MPI_Finalize();
  return sum == size * (size + 1) / 2 ? 0 : 1;
}
