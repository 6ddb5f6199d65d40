/* main.c: `spartan <command> [options]`: dispatch through the command table,
 * --help and --version. Each command lives in its own cmd_<name>.c. */
#include <string.h>
#include "cli/cli.h"
#include "spartan/core.h"

static const sp_command commands[] = {
    {"info", "describe a Matrix Market file: size, nnz, symmetry, norms, row lengths", sp_cmd_info},
    {"eigs", "a few eigenvalues of a sparse matrix (IRAM, MIRAMns, dense LAPACK)", sp_cmd_eigs},
    {"gen", "generate a test matrix: 2D/3D Laplacian, random sparse, power-law co-occurrence", sp_cmd_gen},
    {"convert", "convert Matrix Market to binary CSR (or back)", sp_cmd_convert},
    {"cooc", "feature co-occurrence matrix of a Criteo click log (.mtx or binary CSR)", sp_cmd_cooc},
    {"embdim", "embedding-dimension advisor: MIRAMns per candidate k on the co-occurrence matrix", sp_cmd_embdim},
    {"train", "train Wide & Deep on Criteo data (or an MLP on dense CSV), checkpoints in safetensors", sp_cmd_train},
    {"predict", "click probabilities (or classes) of a trained model, one line per input row", sp_cmd_predict},
    {"sweep", "train Wide & Deep per embedding dimension and compare accuracy, AUC, loss, time", sp_cmd_sweep},
};
static const int command_count = (int)(sizeof commands / sizeof commands[0]);

static void print_help(FILE *out)
{
    fprintf(out, "spartan %s: Krylov eigensolvers and linear algebra for faster neural-network training\n\n"
                 "usage: spartan <command> [options]\n"
                 "       spartan <command> --help\n"
                 "       spartan --version\n\ncommands:\n", sp_version());
    for (int i = 0; i < command_count; i++)
        fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nexit status: 0 success, 1 ran but did not converge, 2 bad usage or input\n");
}

int main(int argc, char **argv)
{
    /* One level of parallelism by default: OpenMP loops with single-threaded
     * OpenBLAS (both pools on 2 cores oversubscribe and halve throughput).
     * Commands with --threads T set it again. */
    sp_set_threads(sp_get_threads());
    if (argc < 2) {
        print_help(stderr);
        return SP_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        print_help(stdout);
        return SP_EXIT_OK;
    }
    if (!strcmp(argv[1], "--version")) {
#ifdef SPARTAN_HAVE_MPI
        printf("spartan %s (MPI: yes; run `mpirun -np P spartan eigs ...` for distributed eigs)\n", sp_version());
#else
        printf("spartan %s (MPI: no)\n", sp_version());
#endif
        return SP_EXIT_OK;
    }
    for (int i = 0; i < command_count; i++)
        if (!strcmp(argv[1], commands[i].name)) return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "spartan: unknown command '%s' (see 'spartan --help')\n", argv[1]);
    return SP_EXIT_USAGE;
}
