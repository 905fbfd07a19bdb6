/*
 * The C reference of issue 14: recpipe's file-mode pipeline for SVD, written plainly so that every
 * "× C" goal is a measured ratio. Benchmarks compile it with `gcc -O3 -march=native -pthread`.
 *
 *   svd-pipeline RATINGS.csv [--cv K] [--epochs 20] [--factors 100] [--top-n 10] [--threads 2]
 *                            [--seed 0] [--out RECS.csv]
 *
 * Same work as `recpipe train --ratings … --cv K`: read user,item,rating[,timestamp] (header
 * optional), ids in order of first appearance; K-fold cross-validation on shuffled ratings (RMSE of
 * each fold's test part); SVD as Surprise fits it (biased, N(0, 0.1) factors users first, lr 0.005,
 * reg 0.02, one rating at a time in user order and each user's ratings in input order, float factors
 * and double errors like recpipe's kernels); then the top-n unrated items of every user over
 * `--threads` threads (ties: lower item id), written as USERID,RECOMMENDATIONS CSV.
 * Prints one JSON object: seconds, CPU seconds and peak RSS after each phase, and the RMSEs.
 * The RNG is not recpipe's, so models agree in RMSE (within noise), not bit for bit.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LR 0.005
#define REG 0.02

static void die(const char *what) { fprintf(stderr, "svd-pipeline: %s\n", what); exit(1); }
static void *alloc(size_t bytes) { void *p = calloc(1, bytes ? bytes : 1); if (!p) die("out of memory"); return p; }

/* ---- clock, CPU and memory per phase ---- */
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static double cpu(void) {
  struct rusage r; getrusage(RUSAGE_SELF, &r);
  return r.ru_utime.tv_sec + r.ru_utime.tv_usec * 1e-6 + r.ru_stime.tv_sec + r.ru_stime.tv_usec * 1e-6;
}
static double t_mark, c_mark;
static void phase(const char *name) {
  struct rusage r; getrusage(RUSAGE_SELF, &r);
  double t = now(), c = cpu();
  printf("\"%s\":{\"seconds\":%.4f,\"cpuSeconds\":%.4f,\"peakRssBytes\":%ld},", name, t - t_mark, c - c_mark, r.ru_maxrss * 1024L);
  t_mark = t; c_mark = c;
}

/* ---- splitmix64 and Box-Muller ---- */
static uint64_t rng_state;
static uint64_t next_u64(void) {
  uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL; z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
static double uniform(void) { return ((next_u64() >> 11) + 0.5) * 0x1.0p-53; }
static double normal(double mean, double sd) { return mean + sd * sqrt(-2 * log(uniform())) * cos(2 * M_PI * uniform()); }

/* ---- ratings and id interning (open addressing: raw id → dense index in order of first appearance) ---- */
typedef struct { int64_t *keys; int32_t *vals; size_t cap; int32_t n; int64_t *raw; size_t raw_cap; } Ids;
static int32_t intern(Ids *m, int64_t key) {
  if ((size_t)m->n * 2 >= m->cap) {
    Ids bigger = { alloc(m->cap * 2 * 8), alloc(m->cap * 2 * 4), m->cap * 2, 0, m->raw, m->raw_cap };
    for (size_t s = 0; s < bigger.cap; s++) bigger.vals[s] = -1;
    for (size_t s = 0; s < m->cap; s++) if (m->vals[s] >= 0) {
      size_t h = (uint64_t)m->keys[s] * 0x9e3779b97f4a7c15ULL & (bigger.cap - 1);
      while (bigger.vals[h] >= 0) h = (h + 1) & (bigger.cap - 1);
      bigger.keys[h] = m->keys[s]; bigger.vals[h] = m->vals[s];
    }
    bigger.n = m->n; free(m->keys); free(m->vals); *m = bigger;
  }
  size_t h = (uint64_t)key * 0x9e3779b97f4a7c15ULL & (m->cap - 1);
  while (m->vals[h] >= 0) { if (m->keys[h] == key) return m->vals[h]; h = (h + 1) & (m->cap - 1); }
  if ((size_t)m->n == m->raw_cap) { m->raw_cap *= 2; m->raw = realloc(m->raw, m->raw_cap * 8); if (!m->raw) die("out of memory"); }
  m->keys[h] = key; m->vals[h] = m->n; m->raw[m->n] = key;
  return m->n++;
}
static Ids ids_new(void) {
  Ids m = { alloc(1024 * 8), alloc(1024 * 4), 1024, 0, alloc(1024 * 8), 1024 };
  for (int s = 0; s < 1024; s++) m.vals[s] = -1;
  return m;
}

typedef struct { int32_t *user, *item; float *rating; size_t n; Ids users, items; float lo, hi; } Ratings;

static int64_t parse_int(const char **p, const char *end) {
  int64_t v = 0; int neg = **p == '-'; if (neg) (*p)++;
  if (*p >= end || **p < '0' || **p > '9') die("bad id in the ratings file");
  while (*p < end && **p >= '0' && **p <= '9') v = v * 10 + (*(*p)++ - '0');
  return neg ? -v : v;
}
static double parse_decimal(const char **p, const char *end) {
  double v = 0, scale = 1;
  while (*p < end && **p >= '0' && **p <= '9') v = v * 10 + (*(*p)++ - '0');
  if (*p < end && **p == '.') for ((*p)++; *p < end && **p >= '0' && **p <= '9'; (*p)++) v += (**p - '0') * (scale *= 0.1);
  return v;
}

static Ratings read_ratings(const char *path) {
  int fd = open(path, O_RDONLY); struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0) die("cannot open the ratings file");
  char *map = st.st_size ? mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
  if (map == MAP_FAILED) die("cannot map the ratings file");
  if (map) madvise(map, st.st_size, MADV_SEQUENTIAL);
  const char *p = map, *end = map + st.st_size;
  size_t cap = st.st_size / 16 + 16;
  Ratings r = { alloc(cap * 4), alloc(cap * 4), alloc(cap * 4), 0, ids_new(), ids_new(), INFINITY, -INFINITY };
  if (p < end && (*p < '0' || *p > '9')) while (p < end && *p++ != '\n') {} /* header */
  while (p < end) {
    if (*p == '\n' || *p == '\r') { p++; continue; }
    if (r.n == cap) {
      cap *= 2;
      r.user = realloc(r.user, cap * 4); r.item = realloc(r.item, cap * 4); r.rating = realloc(r.rating, cap * 4);
      if (!r.user || !r.item || !r.rating) die("out of memory");
    }
    r.user[r.n] = intern(&r.users, parse_int(&p, end)); p++;
    r.item[r.n] = intern(&r.items, parse_int(&p, end)); p++;
    float v = (float)parse_decimal(&p, end);
    r.rating[r.n++] = v;
    if (v < r.lo) r.lo = v;
    if (v > r.hi) r.hi = v;
    while (p < end && *p != '\n') p++; /* timestamp and anything after */
  }
  if (map) munmap(map, st.st_size);
  close(fd);
  return r;
}

/* ---- CSR trainset over a list of rating indices, each user's ratings in list order ---- */
typedef struct { int32_t n_users, n_items; int64_t *ptr; int32_t *item; float *rating; double mu; } Trainset;

static Trainset trainset(const Ratings *r, const size_t *idx, size_t n) {
  Trainset t = { r->users.n, r->items.n, alloc((r->users.n + 1) * 8L), alloc(n * 4), alloc(n * 4), 0 };
  for (size_t x = 0; x < n; x++) t.ptr[r->user[idx[x]] + 1]++;
  for (int32_t u = 0; u < t.n_users; u++) t.ptr[u + 1] += t.ptr[u];
  int64_t *fill = alloc(t.n_users * 8L);
  memcpy(fill, t.ptr, t.n_users * 8L);
  for (size_t x = 0; x < n; x++) {
    int64_t at = fill[r->user[idx[x]]]++;
    t.item[at] = r->item[idx[x]]; t.rating[at] = r->rating[idx[x]]; t.mu += r->rating[idx[x]];
  }
  t.mu /= n ? n : 1;
  free(fill);
  return t;
}
static void trainset_free(Trainset *t) { free(t->ptr); free(t->item); free(t->rating); }

/* ---- SVD ---- */
typedef struct { int k; float *P, *Q, *bu, *bi; double mu; } Model;

/* Eight partial sums, so gcc vectorizes the dot product without -ffast-math. */
static inline float dot(const float *a, const float *b, int k) {
  float s[8] = { 0 };
  int f = 0;
  for (; f + 8 <= k; f += 8) for (int j = 0; j < 8; j++) s[j] += a[f + j] * b[f + j];
  for (; f < k; f++) s[0] += a[f] * b[f];
  return ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]));
}

static Model fit(const Trainset *t, int k, int epochs, uint64_t seed, double *train_rmse) {
  Model m = { k, alloc((size_t)t->n_users * k * 4), alloc((size_t)t->n_items * k * 4), alloc(t->n_users * 4L), alloc(t->n_items * 4L), t->mu };
  rng_state = seed;
  for (size_t x = 0; x < (size_t)t->n_users * k; x++) m.P[x] = (float)normal(0, 0.1);
  for (size_t x = 0; x < (size_t)t->n_items * k; x++) m.Q[x] = (float)normal(0, 0.1);
  for (int e = 0; e < epochs; e++) {
    double sse = 0;
    for (int32_t u = 0; u < t->n_users; u++) {
      float *pu = m.P + (size_t)u * k;
      for (int64_t x = t->ptr[u]; x < t->ptr[u + 1]; x++) {
        int32_t i = t->item[x];
        float *qi = m.Q + (size_t)i * k;
        double err = t->rating[x] - (m.mu + m.bu[u] + m.bi[i] + dot(pu, qi, k));
        sse += err * err;
        m.bu[u] += (float)(LR * (err - REG * m.bu[u]));
        m.bi[i] += (float)(LR * (err - REG * m.bi[i]));
        float gain = (float)(LR * err), decay = (float)(1 - LR * REG);
        for (int f = 0; f < k; f++) {
          float p = pu[f], q = qi[f];
          pu[f] = decay * p + gain * q;
          qi[f] = decay * q + gain * p;
        }
      }
    }
    *train_rmse = sqrt(sse / (t->ptr[t->n_users] ? t->ptr[t->n_users] : 1));
  }
  return m;
}
static void model_free(Model *m) { free(m->P); free(m->Q); free(m->bu); free(m->bi); }

/* Surprise's estimate for a test rating: unknown users or items keep only the parts that are known. */
static double test_rmse(const Model *m, const Trainset *t, const Ratings *r, const size_t *idx, size_t n) {
  char *seen_u = alloc(t->n_users), *seen_i = alloc(t->n_items);
  for (int32_t u = 0; u < t->n_users; u++) seen_u[u] = t->ptr[u + 1] > t->ptr[u];
  for (int64_t x = 0; x < t->ptr[t->n_users]; x++) seen_i[t->item[x]] = 1;
  double sse = 0;
  for (size_t x = 0; x < n; x++) {
    int32_t u = r->user[idx[x]], i = r->item[idx[x]];
    double est = m->mu + (seen_u[u] ? m->bu[u] : 0) + (seen_i[i] ? m->bi[i] : 0);
    if (seen_u[u] && seen_i[i]) est += dot(m->P + (size_t)u * m->k, m->Q + (size_t)i * m->k, m->k);
    est = est < r->lo ? r->lo : est > r->hi ? r->hi : est;
    sse += (r->rating[idx[x]] - est) * (r->rating[idx[x]] - est);
  }
  free(seen_u); free(seen_i);
  return sqrt(sse / (n ? n : 1));
}

/* ---- top-n: blocks of users against chunks of items, item factors transposed so the inner loop is over items ---- */
#define USER_BLOCK 32
#define ITEM_CHUNK 512
static const int64_t *item_raw; /* raw item ids: the tie-breaker */
typedef struct { const Model *m; const Trainset *t; const float *QT; int n; int32_t *out; float *out_est; int32_t next_block; } TopN;

static inline int better(float e, int32_t i, float e2, int32_t i2, const int64_t *raw) { return e > e2 || (e == e2 && raw[i] < raw[i2]); }

static void *topn_worker(void *arg) {
  TopN *w = arg;
  const Model *m = w->m; const Trainset *t = w->t;
  int k = m->k, n = w->n, words = (t->n_items + 63) / 64;
  float *scores = alloc(ITEM_CHUNK * 4);
  uint64_t *rated = alloc((size_t)USER_BLOCK * words * 8);
  for (;;) {
    int32_t u0 = __atomic_fetch_add(&w->next_block, USER_BLOCK, __ATOMIC_RELAXED);
    if (u0 >= t->n_users) break;
    int32_t u1 = u0 + USER_BLOCK < t->n_users ? u0 + USER_BLOCK : t->n_users;
    for (int32_t u = u0; u < u1; u++)
      for (int64_t x = t->ptr[u]; x < t->ptr[u + 1]; x++) rated[(size_t)(u - u0) * words + t->item[x] / 64] |= 1ULL << (t->item[x] % 64);
    int counts[USER_BLOCK] = { 0 };
    for (int32_t i0 = 0; i0 < t->n_items; i0 += ITEM_CHUNK) {
      int32_t len = i0 + ITEM_CHUNK < t->n_items ? ITEM_CHUNK : t->n_items - i0;
      for (int32_t u = u0; u < u1; u++) {
        const float *pu = m->P + (size_t)u * k;
        float base = (float)(m->mu + m->bu[u]);
        for (int j = 0; j < len; j++) scores[j] = base + m->bi[i0 + j];
        for (int f = 0; f < k; f++) {
          const float w_f = pu[f], *row = w->QT + (size_t)f * t->n_items + i0;
          for (int j = 0; j < len; j++) scores[j] += w_f * row[j];
        }
        int32_t *items = w->out + (size_t)u * n; float *ests = w->out_est + (size_t)u * n;
        const uint64_t *bits = rated + (size_t)(u - u0) * words;
        int c = counts[u - u0];
        for (int j = 0; j < len; j++) {
          int32_t i = i0 + j; float e = scores[j];
          if (c == n && !better(e, i, ests[n - 1], items[n - 1], item_raw)) continue;
          if (bits[i / 64] >> (i % 64) & 1) continue;
          int at = c < n ? c++ : n - 1;
          for (; at > 0 && better(e, i, ests[at - 1], items[at - 1], item_raw); at--) { ests[at] = ests[at - 1]; items[at] = items[at - 1]; }
          ests[at] = e; items[at] = i;
        }
        counts[u - u0] = c;
      }
    }
    for (int32_t u = u0; u < u1; u++) for (int r = counts[u - u0]; r < n; r++) w->out[(size_t)u * n + r] = -1;
    memset(rated, 0, (size_t)USER_BLOCK * words * 8);
  }
  free(scores); free(rated);
  return NULL;
}

static int32_t *top_n(const Model *m, const Trainset *t, int n, int threads) {
  float *QT = alloc((size_t)t->n_items * m->k * 4);
  for (int32_t i = 0; i < t->n_items; i++) for (int f = 0; f < m->k; f++) QT[(size_t)f * t->n_items + i] = m->Q[(size_t)i * m->k + f];
  TopN w = { m, t, QT, n, alloc((size_t)t->n_users * n * 4), alloc((size_t)t->n_users * n * 4), 0 };
  pthread_t th[64];
  for (int x = 0; x < threads; x++) pthread_create(&th[x], NULL, topn_worker, &w);
  for (int x = 0; x < threads; x++) pthread_join(th[x], NULL);
  free(QT); free(w.out_est);
  return w.out;
}

int main(int argc, char **argv) {
  if (argc < 2) die("usage: svd-pipeline RATINGS.csv [--cv K] [--epochs N] [--factors K] [--top-n N] [--threads T] [--seed S] [--out FILE]");
  int cv = 0, epochs = 20, k = 100, n = 10, threads = 2; uint64_t seed = 0; const char *out = NULL;
  for (int a = 2; a + 1 < argc; a += 2) {
    if (!strcmp(argv[a], "--cv")) cv = atoi(argv[a + 1]);
    else if (!strcmp(argv[a], "--epochs")) epochs = atoi(argv[a + 1]);
    else if (!strcmp(argv[a], "--factors")) k = atoi(argv[a + 1]);
    else if (!strcmp(argv[a], "--top-n")) n = atoi(argv[a + 1]);
    else if (!strcmp(argv[a], "--threads")) threads = atoi(argv[a + 1]);
    else if (!strcmp(argv[a], "--seed")) seed = strtoull(argv[a + 1], NULL, 10);
    else if (!strcmp(argv[a], "--out")) out = argv[a + 1];
    else die("unknown option");
  }
  if (threads < 1 || threads > 64 || k < 1 || n < 1 || epochs < 0 || cv < 0) die("bad option value");
  t_mark = now(); c_mark = cpu();
  printf("{");
  Ratings r = read_ratings(argv[1]);
  item_raw = r.items.raw;
  size_t *idx = alloc(r.n * sizeof(size_t));
  for (size_t x = 0; x < r.n; x++) idx[x] = x;
  phase("load");
  if (cv > 1) {
    size_t *shuffled = alloc(r.n * sizeof(size_t)), *train = alloc(r.n * sizeof(size_t));
    memcpy(shuffled, idx, r.n * sizeof(size_t));
    rng_state = seed ^ 0x5eed;
    for (size_t x = r.n - 1; x > 0; x--) { size_t y = next_u64() % (x + 1), s = shuffled[x]; shuffled[x] = shuffled[y]; shuffled[y] = s; }
    printf("\"folds\":[");
    for (int f = 0; f < cv; f++) {
      size_t a = r.n * f / cv, b = r.n * (f + 1) / cv, m = 0;
      for (size_t x = 0; x < r.n; x++) if (x < a || x >= b) train[m++] = shuffled[x];
      double t0 = now(), ignored;
      Trainset t = trainset(&r, train, m);
      Model model = fit(&t, k, epochs, seed + f, &ignored);
      double t1 = now(), rmse = test_rmse(&model, &t, &r, shuffled + a, b - a);
      printf("%s{\"fitSeconds\":%.4f,\"rmse\":%.5f}", f ? "," : "", t1 - t0, rmse);
      model_free(&model); trainset_free(&t);
    }
    printf("],");
    free(shuffled); free(train);
    phase("cv");
  }
  Trainset t = trainset(&r, idx, r.n);
  free(idx); free(r.user); free(r.item); free(r.rating); /* top-n needs only the trainset's rated lists */
  double train_rmse = 0;
  Model model = fit(&t, k, epochs, seed, &train_rmse);
  phase("fit");
  int32_t *recs = top_n(&model, &t, n, threads);
  phase("top-n");
  if (out) {
    FILE *f = fopen(out, "w");
    if (!f) die("cannot write the recommendations file");
    fputs("USERID,RECOMMENDATIONS\n", f);
    for (int32_t u = 0; u < t.n_users; u++) {
      fprintf(f, "%lld,\"[", (long long)r.users.raw[u]);
      for (int x = 0; x < n && recs[(size_t)u * n + x] >= 0; x++) fprintf(f, "%s%lld", x ? "," : "", (long long)r.items.raw[recs[(size_t)u * n + x]]);
      fputs("]\"\n", f);
    }
    if (fclose(f) != 0) die("cannot write the recommendations file");
  }
  phase("write");
  printf("\"ratings\":%lld,\"users\":%d,\"items\":%d,\"trainRmse\":%.5f}\n", (long long)t.ptr[t.n_users], t.n_users, t.n_items, train_rmse);
  return 0;
}
