/*
 * peer.c — the peer of bench/lua-niche: the numeric work of scripts/lib (normalise, k-means++ with
 * restarts for k = 2..6 chosen by silhouette, PCA to 2-D by power iteration on the Gram matrix) in
 * C, on the same synthetic embeddings (same generator, same seeds) as niche.lua, timed the same
 * way. Only a benchmark: it prints the median time of each stage over the rounds.
 * Usage: peer [n] [dims] [rounds]
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define K_MIN 2
#define K_MAX 6
#define RESTARTS 4
#define MAX_ITERATIONS 100

static uint64_t rng_state;

static uint64_t splitmix64(uint64_t x)
{
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

static void rng_seed(uint64_t seed)
{
  rng_state = splitmix64(seed);
  if (rng_state == 0) rng_state = 1;
}

static double rng_float(void)
{
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return (double)((rng_state * 0x2545f4914f6cdd1dULL) >> 11) * 0x1.0p-53;
}

static double dist2(const double *a, const double *b, int d)
{
  double s = 0;
  for (int j = 0; j < d; j++) s += (a[j] - b[j]) * (a[j] - b[j]);
  return s;
}

static double dot(const double *a, const double *b, int d)
{
  double s = 0;
  for (int j = 0; j < d; j++) s += a[j] * b[j];
  return s;
}

static void embeddings(double *x, int n, int d, uint64_t seed)
{
  double *topics = malloc(sizeof(double) * 4 * (size_t)d);
  if (!topics) exit(1);
  rng_seed(seed);
  for (int t = 0; t < 4; t++) {
    double norm = 0;
    for (int j = 0; j < d; j++) { topics[t * d + j] = rng_float() - 0.5; norm += topics[t * d + j] * topics[t * d + j]; }
    for (int j = 0; j < d; j++) topics[t * d + j] /= sqrt(norm);
  }
  for (int i = 0; i < n; i++)
    for (int j = 0; j < d; j++)
      x[i * d + j] = topics[((i + 1) % 4) * d + j] + 0.9 * (rng_float() - 0.5) / sqrt(d / 12.0);
  free(topics);
}

/* One k-means++ run; returns the inertia and fills assign. */
static double kmeans_once(const double *x, int n, int d, int k, int *assign, double *centres, double *nearest)
{
  int first = (int)(rng_float() * n);
  memcpy(centres, x + first * d, sizeof(double) * (size_t)d);
  for (int i = 0; i < n; i++) nearest[i] = dist2(x + i * d, centres, d);
  for (int c = 1; c < k; c++) {
    double total = 0, acc = 0;
    for (int i = 0; i < n; i++) total += nearest[i];
    double target = rng_float() * total;
    int pick = n - 1;
    for (int i = 0; i < n; i++) { acc += nearest[i]; if (acc > target) { pick = i; break; } }
    memcpy(centres + c * d, x + pick * d, sizeof(double) * (size_t)d);
    for (int i = 0; i < n; i++) {
      double dd = dist2(x + i * d, centres + c * d, d);
      if (dd < nearest[i]) nearest[i] = dd;
    }
  }
  double inertia = 0;
  for (int iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
    int changed = 0;
    inertia = 0;
    for (int i = 0; i < n; i++) {
      int best = 0;
      double best_d = dist2(x + i * d, centres, d);
      for (int c = 1; c < k; c++) {
        double dd = dist2(x + i * d, centres + c * d, d);
        if (dd < best_d) { best = c; best_d = dd; }
      }
      if (assign[i] != best) { assign[i] = best; changed = 1; }
      inertia += best_d;
    }
    if (!changed && iteration > 0) break;
    int counts[K_MAX] = { 0 };
    memset(centres, 0, sizeof(double) * (size_t)(k * d));
    for (int i = 0; i < n; i++) {
      counts[assign[i]]++;
      for (int j = 0; j < d; j++) centres[assign[i] * d + j] += x[i * d + j];
    }
    for (int c = 0; c < k; c++)
      for (int j = 0; j < d && counts[c]; j++) centres[c * d + j] /= counts[c];
  }
  return inertia;
}

static double silhouette(const double *dm, const int *assign, int n, int k)
{
  int size[K_MAX] = { 0 };
  for (int i = 0; i < n; i++) size[assign[i]]++;
  double total = 0;
  for (int i = 0; i < n; i++) {
    double sums[K_MAX] = { 0 };
    for (int j = 0; j < n; j++) if (j != i) sums[assign[j]] += dm[i * n + j];
    if (size[assign[i]] < 2) continue;
    double a = sums[assign[i]] / (size[assign[i]] - 1), b = INFINITY;
    for (int c = 0; c < k; c++) if (c != assign[i] && size[c] > 0 && sums[c] / size[c] < b) b = sums[c] / size[c];
    if (b < INFINITY) total += (b - a) / fmax(a, b);
  }
  return total / n;
}

static int choose(const double *x, int n, int d)
{
  double *dm = malloc(sizeof(double) * (size_t)(n * n));
  double *centres = malloc(sizeof(double) * (size_t)(K_MAX * d));
  double *nearest = malloc(sizeof(double) * (size_t)n);
  int *assign = malloc(sizeof(int) * (size_t)n), *best_assign = malloc(sizeof(int) * (size_t)n);
  if (!dm || !centres || !nearest || !assign || !best_assign) exit(1);
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) dm[i * n + j] = sqrt(dist2(x + i * d, x + j * d, d));
  int best_k = 0;
  double best_score = -2;
  rng_seed(1);
  for (int k = K_MIN; k <= K_MAX && k < n; k++) {
    double best_inertia = INFINITY;
    for (int r = 0; r < RESTARTS; r++) {
      for (int i = 0; i < n; i++) assign[i] = -1;
      double inertia = kmeans_once(x, n, d, k, assign, centres, nearest);
      if (inertia < best_inertia) { best_inertia = inertia; memcpy(best_assign, assign, sizeof(int) * (size_t)n); }
    }
    double score = silhouette(dm, best_assign, n, k);
    if (score > best_score) { best_score = score; best_k = k; }
  }
  free(dm); free(centres); free(nearest); free(assign); free(best_assign);
  return best_k;
}

static void pca(const double *x, int n, int d, double *coords)
{
  double *c = malloc(sizeof(double) * (size_t)(n * d)), *g = malloc(sizeof(double) * (size_t)(n * n));
  double *u = malloc(sizeof(double) * (size_t)n), *y = malloc(sizeof(double) * (size_t)n);
  double *v = malloc(sizeof(double) * (size_t)d), *found = malloc(sizeof(double) * (size_t)(2 * n));
  if (!c || !g || !u || !y || !v || !found) exit(1);
  for (int j = 0; j < d; j++) {
    double mean = 0;
    for (int i = 0; i < n; i++) mean += x[i * d + j];
    mean /= n;
    for (int i = 0; i < n; i++) c[i * d + j] = x[i * d + j] - mean;
  }
  for (int i = 0; i < n; i++)
    for (int j = i; j < n; j++) g[i * n + j] = g[j * n + i] = dot(c + i * d, c + j * d, d);
  rng_seed(1);
  for (int comp = 0; comp < 2; comp++) {
    double norm = 0, lambda = 0;
    for (int i = 0; i < n; i++) { u[i] = rng_float() - 0.5; norm += u[i] * u[i]; }
    for (int i = 0; i < n; i++) u[i] /= sqrt(norm);
    for (int iteration = 0; iteration < 1000; iteration++) {
      for (int i = 0; i < n; i++) y[i] = dot(g + i * n, u, n);
      for (int f = 0; f < comp; f++) {
        double p = dot(found + f * n, y, n);
        for (int i = 0; i < n; i++) y[i] -= p * found[f * n + i];
      }
      lambda = sqrt(dot(y, y, n));
      if (lambda < 1e-12) break;
      double diff = 0;
      for (int i = 0; i < n; i++) { y[i] /= lambda; diff += (y[i] - u[i]) * (y[i] - u[i]); u[i] = y[i]; }
      if (diff < 1e-15) break;
    }
    memcpy(found + comp * n, u, sizeof(double) * (size_t)n);
    for (int i = 0; i < n; i++)
      for (int j = 0; j < n; j++) g[i * n + j] -= lambda * u[i] * u[j];
    memset(v, 0, sizeof(double) * (size_t)d);
    for (int i = 0; i < n; i++)
      for (int j = 0; j < d; j++) v[j] += u[i] * c[i * d + j] / sqrt(lambda);
    for (int i = 0; i < n; i++) coords[i * 2 + comp] = dot(c + i * d, v, d);
  }
  free(c); free(g); free(u); free(y); free(v); free(found);
}

static double now(void)
{
  return (double)clock() / CLOCKS_PER_SEC;
}

static int compare(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
  int n = argc > 1 ? atoi(argv[1]) : 60, d = argc > 2 ? atoi(argv[2]) : 1536, rounds = argc > 3 ? atoi(argv[3]) : 5;
  if (n < 3 || d < 1 || rounds < 1 || rounds > 100) { fprintf(stderr, "usage: peer [n>=3] [dims] [rounds 1..100]\n"); return 2; }
  double *x = malloc(sizeof(double) * (size_t)(n * d)), *coords = malloc(sizeof(double) * (size_t)(2 * n));
  if (!x || !coords) return 1;
  double times[4][100];
  int k = 0;
  for (int r = 0; r < rounds; r++) {
    embeddings(x, n, d, (uint64_t)(r + 1));
    double t0 = now();
    for (int i = 0; i < n; i++) {
      double norm = sqrt(dot(x + i * d, x + i * d, d));
      for (int j = 0; j < d; j++) x[i * d + j] /= norm;
    }
    double t1 = now();
    k = choose(x, n, d);
    double t2 = now();
    pca(x, n, d, coords);
    double t3 = now();
    times[0][r] = t1 - t0; times[1][r] = t2 - t1; times[2][r] = t3 - t2; times[3][r] = t3 - t0;
  }
  printf("C peer (-O2): %d vectors x %d dims, %d rounds, k found %d\n", n, d, rounds, k);
  const char *names[4] = { "normalise", "choose", "pca", "total" };
  for (int s = 0; s < 4; s++) {
    qsort(times[s], (size_t)rounds, sizeof(double), compare);
    printf("  %-10s median %8.1f ms\n", names[s], times[s][(rounds - 1) / 2] * 1000);
  }
  free(x); free(coords);
  return 0;
}
