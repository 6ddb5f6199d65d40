/* train_common.h: what `spartan train widedeep` and `spartan sweep` (and
 * `spartan embdim --train` through sweep_run.h) share:
 * their options, loading the vocabulary and the click data (split or a
 * separate validation file), the per-epoch table and the JSON epoch list. */
#ifndef SPARTAN_CLI_TRAIN_COMMON_H
#define SPARTAN_CLI_TRAIN_COMMON_H

#include <stdio.h>
#include "spartan/train.h"

#define WD_CLI_MAX_DIMS 32

typedef struct wd_cli {
    const char *cmd; /* "train widedeep" or "sweep" (messages) */
    const char *data, *valid_path, *vocab_path, *resume, *out, *history, *plot, *export_data, *save_vocab;
    sp_widedeep_config cfg;
    sp_train_options topt;
    int64_t min_count, hash_buckets; /* vocabulary options (the advisor's) */
    int dense_log;                    /* --dense log: integer weight log(1 + max(v, 0)) */
    double valid_fraction;
    uint64_t seed;
    int seed_set, emb_set, deep_set;
    int threads, json, quiet;
    int no_data;                      /* options only (DATA comes from the caller) */
    int emb_dims[WD_CLI_MAX_DIMS], n_emb_dims; /* sweep */
} wd_cli;

/* Defaults (MindSpore's recipe), then argv[first..]. Returns 0, 1 when --help
 * was printed (by print_help), or 2 after a usage error message. */
int wd_cli_parse(wd_cli *o, int argc, char **argv, int first, int sweep,
                 void (*print_help)(FILE *out));
/* The same for the options of `spartan sweep` without DATA (a positional
 * argument is a usage error); cmd names the command in messages. */
int wd_cli_parse_sweep_options(wd_cli *o, const char *cmd, int argc, char **argv,
                               void (*print_help)(FILE *out));
/* Vocabulary (from --vocab, or built from DATA with --min-count), data and split.
 * With a vocabulary given, refuses data it does not match. Returns an sp status. */
int wd_cli_load(const wd_cli *o, const sp_vocab *given, sp_vocab **v, sp_ctr_data *tr,
                sp_ctr_data *va);
/* Table header / one row: epoch, accuracy, wide loss, deep loss, time, AUC, logloss, samples/s. */
void wd_print_header(FILE *out);
void wd_print_epoch(FILE *out, const sp_epoch_stats *e);
/* The "epochs": [...] list of the --json object. */
void wd_json_epochs(FILE *out, const sp_train_history *h);
/* Write the training mapped arrays for another framework (bench/). */
int wd_export_data(const char *path, const sp_ctr_data *tr, const sp_ctr_data *va);

#endif
