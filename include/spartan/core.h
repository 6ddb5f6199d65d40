/* spartan/core.h: status codes and error messages, seeded RNG, monotonic
 * timer, and a stderr progress line. Every other layer builds on this one.
 *
 * Example:
 *   sp_rng rng; sp_rng_seed(&rng, 42);
 *   double z = sp_rng_normal(&rng);
 *   if (sp_something(...) < 0) fprintf(stderr, "spartan: %s\n", sp_errmsg());
 *
 * Library functions return SP_OK (0) or a negative sp_status and record a
 * message (what went wrong and where: file, line, field) in a thread-local
 * buffer read with sp_errmsg(). The library never prints to stdout and never
 * calls exit().
 */
#ifndef SPARTAN_CORE_H
#define SPARTAN_CORE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- status codes ------------------------------------------------------ */

typedef enum sp_status {
    SP_OK = 0,
    SP_EINVAL = -1,   /* bad argument (caller's fault) */
    SP_ENOMEM = -2,   /* allocation failed */
    SP_EIO = -3,      /* cannot open, read or write a file */
    SP_EFORMAT = -4,  /* malformed input file or data */
    SP_ELAPACK = -5,  /* LAPACK reported failure (info != 0) */
    SP_ENOCONV = -6,  /* an iteration did not converge */
    SP_EMPI = -7,     /* MPI reported an error */
    SP_EINTERNAL = -8,/* a bug: an invariant did not hold */
    SP_STATUS_COUNT = 9
} sp_status;

/* Short name of a status code ("bad argument", "malformed input", ...). */
const char *sp_status_name(int status);

/* Record an error message (printf-style) and return `status` unchanged,
 * so callers write `return sp_error(SP_EINVAL, "nev = %d must be >= 1", nev);`. */
int sp_error(int status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Prefix the current message with context: "file.mtx: " + old message. */
int sp_error_prefix(int status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Last message recorded by this thread ("" when none). */
const char *sp_errmsg(void);

/* Clear this thread's message. */
void sp_error_clear(void);

/* ---- allocation -------------------------------------------------------- */

/* malloc/calloc that record SP_ENOMEM with the size on failure (return NULL). */
void *sp_malloc(size_t bytes);
void *sp_calloc(size_t count, size_t size);
void *sp_realloc(void *ptr, size_t bytes);

/* ---- random numbers ---------------------------------------------------- */

/* xoshiro256** seeded through splitmix64. The same seed gives the same
 * stream on every platform and at any thread count. */
typedef struct sp_rng {
    uint64_t s[4];
    double spare_normal; /* second value of the last polar pair */
    int has_spare;
} sp_rng;

#define SP_DEFAULT_SEED 20261123u

void sp_rng_seed(sp_rng *rng, uint64_t seed);
/* Independent stream `stream` of seed: equal to seeding then jumping 2^128 x stream. */
void sp_rng_seed_stream(sp_rng *rng, uint64_t seed, uint64_t stream);
void sp_rng_jump(sp_rng *rng);            /* advance by 2^128 draws */
uint64_t sp_rng_u64(sp_rng *rng);         /* uniform on [0, 2^64) */
double sp_rng_uniform(sp_rng *rng);       /* uniform on [0, 1), 53 bits */
uint64_t sp_rng_below(sp_rng *rng, uint64_t bound); /* uniform on [0, bound), unbiased */
double sp_rng_normal(sp_rng *rng);        /* N(0, 1), Marsaglia polar method */
double sp_rng_gamma(sp_rng *rng, double shape); /* Gamma(shape, 1), Marsaglia-Tsang */
double sp_rng_student_t(sp_rng *rng, double nu); /* Student-t with nu > 0 degrees of freedom */

/* Counter-based N(0, 1): a pure function of (key, index), for vectors whose
 * entries must not depend on how they are split across threads or processes. */
double sp_hash_normal(uint64_t key, uint64_t index);

/* ---- timer ------------------------------------------------------------- */

/* Seconds from a monotonic clock (CLOCK_MONOTONIC); only differences mean anything. */
double sp_time_now(void);

/* ---- progress line ----------------------------------------------------- */

/* A one-line progress display on stderr, redrawn in place ("\r"), shown only
 * when stderr is a terminal (or when forced, for tests) and at most every
 * `min_interval` seconds. */
typedef struct sp_progress {
    const char *label;
    double total;         /* 0 when unknown */
    double last_draw;
    double start;
    double min_interval;
    int enabled;
    int drawn;
    FILE *out;
} sp_progress;

void sp_progress_init(sp_progress *p, const char *label, double total);
void sp_progress_force(sp_progress *p, FILE *out); /* draw even if not a terminal */
void sp_progress_update(sp_progress *p, double done, const char *detail);
void sp_progress_finish(sp_progress *p); /* clears the line */

/* ---- files written safely -------------------------------------------- */

/* Write to "path.tmp.XXXXXX" in the same directory, then rename over path on
 * commit, so a failed or interrupted write never destroys what was there. */
typedef struct sp_atomic_file {
    FILE *fp;
    char *path;
    char *tmp_path;
} sp_atomic_file;

int sp_atomic_open(sp_atomic_file *f, const char *path);
int sp_atomic_commit(sp_atomic_file *f); /* flush, fsync-free close, rename; frees */
void sp_atomic_abort(sp_atomic_file *f); /* close and remove the temp file; frees */

/* ---- threads ----------------------------------------------------------- */

/* Set OpenMP threads for spartan's loops and pin OpenBLAS to 1 thread (one
 * level of parallelism at a time; results independent of the thread count).
 * Without OpenMP the library runs serially. threads <= 0 leaves the defaults. */
void sp_set_threads(int threads);
int sp_get_threads(void);

const char *sp_version(void);

#ifdef __cplusplus
}
#endif
#endif
