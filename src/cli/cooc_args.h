/* cooc_args.h: what `spartan cooc` and `spartan embdim` share: the click-log
 * options (parsing and help text), recognizing an input file as a click log,
 * a Matrix Market file or a binary CSR file, and the two-pass build of the
 * co-occurrence matrix (vocabulary, then accumulation) with a progress line
 * on a terminal and per-phase timings. CLI only: prints usage errors. */
#ifndef SPARTAN_COOC_ARGS_H
#define SPARTAN_COOC_ARGS_H

#include <stdint.h>
#include <stdio.h>
#include "spartan/data.h"

typedef struct sp_cooc_args {
    long min_count, hash_buckets, vocab_size, memory_mb;
    const char *vocab_out, *vocab_in, *normalize, *dense, *ints, *input;
    int weighted, diagonal, skip_bad;
    int min_count_given;/* --min-count was written (libsvm logs refuse it) */
    int given;          /* how many click-log options were given */
    const char *first;  /* the first one (for "applies to click logs" errors) */
} sp_cooc_args;

typedef struct sp_cooc_build_info {
    int n;                 /* ids = matrix order */
    int64_t rows, bad_lines;
    int count_pass;        /* 0 when the vocabulary came from a file or hash + log */
    double count_seconds, build_seconds, finish_seconds; /* wall clock */
    double count_cpu, build_cpu, finish_cpu; /* this process's CPU time (all threads) */
    sp_cooc_stats stats;
    unsigned map_flags;
} sp_cooc_build_info;

typedef enum { SP_INPUT_LOG, SP_INPUT_MTX, SP_INPUT_CSR } sp_input_kind;

void sp_cooc_args_init(sp_cooc_args *a);
/* argv[*i] is an option: 1 consumed (and its value), 0 not a click-log
 * option, -1 usage error printed. */
int sp_cooc_args_parse(const char *cmd, int argc, char **argv, int *i, sp_cooc_args *a);
void sp_cooc_args_help(FILE *out);
/* Options as the library's structs; -1 with a usage error printed. */
int sp_cooc_args_options(const char *cmd, const sp_cooc_args *a, sp_criteo_options *ro,
                         sp_vocab_options *vo, sp_cooc_options *co, unsigned *flags);
/* 1 for --input-format libsvm: ids and values as written, no vocabulary. */
int sp_cooc_args_libsvm(const sp_cooc_args *a);
/* Kind of input by its first bytes (gzip looked through); -1 with a message printed. */
int sp_input_kind_of(const char *cmd, const char *path, sp_input_kind *kind);
/* Build C from a click log: 0, or an exit code (2) with the message printed. */
int sp_cooc_build(const char *cmd, const char *path, const sp_cooc_args *a, sp_csr *C,
                  sp_cooc_build_info *info);
/* CPU seconds used by this process so far (a loaded machine inflates wall time). */
double sp_cli_cpu_seconds(void);
/* Bytes of memory on this machine (0 when unknown). */
double sp_cli_machine_bytes(void);
/* The two halves of sp_cooc_build, returning library statuses (nothing
 * printed but the skipped-lines notes): the vocabulary (counting pass, a
 * saved file, or none for hash + log; saved to --vocab-out), then C or the
 * row block co->row_begin..row_end of it (info->rows, stats, timings). */
int sp_cooc_make_vocab(const char *cmd, const char *path, const sp_cooc_args *a,
                       const sp_criteo_options *ro, const sp_vocab_options *vo, sp_vocab **v,
                       sp_cooc_build_info *info);
int sp_cooc_build_matrix(const char *cmd, const char *path, const sp_criteo_options *ro,
                         const sp_vocab *v, const sp_cooc_options *co, sp_csr *C,
                         sp_cooc_build_info *info);
/* The same two halves for a libsvm log: pass 1 finds the
 * order n (largest id + 1) and, when counts is not NULL, the rows holding
 * each id (*counts malloc'ed, n entries); pass 2 accumulates C (or the row
 * block) over the ids as written, weighted by their values with --weighted. */
int sp_libsvm_scan(const char *cmd, const char *path, int skip_bad, int *n, int64_t **counts,
                   sp_cooc_build_info *info);
int sp_libsvm_build_matrix(const char *cmd, const char *path, int skip_bad, int n,
                           const sp_cooc_options *co, sp_csr *C, sp_cooc_build_info *info);
/* "--opt value" or "--opt=value": the value or NULL (usage error printed). */
const char *sp_cli_option_value(const char *cmd, int argc, char **argv, int *i, const char *opt);
int sp_cli_is_opt(const char *arg, const char *opt);

#endif
