/* cmd_sweep.c: `spartan sweep DATA --emb-dims 16,24,32,40,80 [training
 * options]`: parses the command line and runs the sweep of sweep_run.c (one
 * Wide & Deep per embedding dimension on the same vocabulary, split and seed;
 * the report's comparison table, --plot, --history, --json). Exit 0, or 2 on
 * bad usage or input. */
#include "cli/cli.h"
#include "cli/sweep_run.h"
#include <string.h>

int sp_cmd_sweep(int argc, char **argv)
{
    sweep_opts o;
    int r = wd_cli_parse(&o, argc, argv, 1, 1, sp_cli_sweep_help);
    if (r) return r == 1 ? SP_EXIT_OK : r;
    sp_set_threads(o.threads > 0 ? o.threads : sp_get_threads());
    int dims[WD_CLI_MAX_DIMS];
    memcpy(dims, o.emb_dims, sizeof dims);
    int rc = sp_cli_sweep_dims(o.data, dims, o.n_emb_dims, &o, NULL, stdout);
    return rc < 0 ? sp_cli_report("sweep", rc) : SP_EXIT_OK;
}
