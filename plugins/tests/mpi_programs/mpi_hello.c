/* herd — test MPI program: one line per rank, then exit 0 if the allreduce is right.
 *
 *   rank R/N on HOST cpus=<Cpus_allowed_list> allreduce=<sum of rank+1> expect=<N(N+1)/2>
 *
 * Exits 3 when the sum is wrong, 4 when /proc/self/status has no Cpus_allowed_list.
 * Single-threaded. */
#include <mpi.h>
#include <stdio.h>
#include <string.h>

/* Copies the Cpus_allowed_list value of /proc/self/status into `out`. */
static int read_cpus_allowed(char *out, size_t size) {
  static const char kKey[] = "Cpus_allowed_list:";
  char line[512];
  int found = 0;
  FILE *f = fopen("/proc/self/status", "r");
  if (f == NULL) return 0;
  while (!found && fgets(line, sizeof line, f) != NULL) {
    if (strncmp(line, kKey, sizeof kKey - 1) == 0) {
      const char *v = line + sizeof kKey - 1;
      size_t n;
      while (*v == ' ' || *v == '\t') v++;
      n = strcspn(v, "\n");
      if (n >= size) n = size - 1;
      memcpy(out, v, n);
      out[n] = '\0';
      found = 1;
    }
  }
  fclose(f);
  return found;
}

int main(int argc, char **argv) {
  int rank = 0, size = 0, len = 0, one, sum = 0, expect;
  char host[MPI_MAX_PROCESSOR_NAME];
  char cpus[256] = "?";
  int have_cpus;

  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  MPI_Get_processor_name(host, &len);
  one = rank + 1;
  MPI_Allreduce(&one, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  expect = size * (size + 1) / 2;
  have_cpus = read_cpus_allowed(cpus, sizeof cpus);
  printf("rank %d/%d on %s cpus=%s allreduce=%d expect=%d\n", rank, size, host, cpus, sum,
         expect);
  fflush(stdout);
  MPI_Finalize();
  if (sum != expect) return 3;
  return have_cpus ? 0 : 4;
}
