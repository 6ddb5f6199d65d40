/* sweep_run.h: the embedding-dimension sweep as functions, for `spartan
 * sweep` and for `spartan embdim ... --train` (the advisor's kept dimensions,
 * then one Wide & Deep per dimension on the advisor's vocabulary). Prints the
 * comparison table or JSON to the given stream, progress on stderr. */
#ifndef SPARTAN_CLI_SWEEP_RUN_H
#define SPARTAN_CLI_SWEEP_RUN_H

#include <stdio.h>
#include "cli/cooc_args.h"
#include "cli/train_common.h"
#include "spartan/advisor.h"

/* The sweep's options are the training options of `spartan sweep`. */
typedef wd_cli sweep_opts;

/* The help text of `spartan sweep` (its options also follow `embdim --train`). */
void sp_cli_sweep_help(FILE *out);

/* Options without DATA (e.g. those after `embdim ... --train`):
 * wd_cli_parse_sweep_options(o, cmd, argc, argv, sp_cli_sweep_help). */

/* Train one model per dims[0..ndims) (ndims <= WD_CLI_MAX_DIMS) on data, with
 * the same vocabulary, split and seed: vocab when not NULL, else o->vocab_path,
 * else built from data with o's vocabulary options. Prints the table (o->json:
 * one JSON object) to out, "sweep: emb_dim K done" on stderr unless o->quiet or
 * o->json, writes o->plot and o->history. Returns an sp status (message set). */
int sp_cli_sweep_dims(const char *data, const int *dims, int ndims, sweep_opts *o,
                      const sp_vocab *vocab, FILE *out);

/* The advisor's kept dimensions: candidates that ran, converged and capture at
 * least min_captured; when none does, the recommended k alone. Returns the count. */
int sp_cli_embdim_kept(const sp_embdim_result *r, double min_captured, int *dims, int cap);

/* `spartan embdim DATA ... --train [sweep options]`: the kept dimensions of r,
 * then sp_cli_sweep_dims on DATA with the vocabulary the advisor used (c's
 * --vocab, else its --vocab-out, else rebuilt from c's options: same ids).
 * argv[0..argc) are the sweep options after --train; json 1 prints the
 * sweep's JSON object (one line) instead of the table. Returns an exit code:
 * 0 success, 2 bad usage or input (message printed). */
int sp_cli_embdim_train(const char *data, const sp_embdim_result *r, double min_captured,
                        const sp_cooc_args *c, int json, int argc, char **argv, FILE *out);

#endif
