/* cmd_sweep.c: `spartan sweep DATA --emb-dims 16,24,32,40,80 [training
 * options]`: trains one Wide & Deep model per embedding dimension on the same
 * vocabulary, split and seed, and prints the reference report's comparison
 * table (final accuracy, AUC, wide and deep loss, epoch time per dimension),
 * with --plot (validation AUC per epoch, one line per dimension), --history
 * (all epochs, with an emb_dim column) and --json. Exit 0, or 2 on bad input. */
#include "cli/cli.h"
#include "cli/svg_plot.h"
#include "cli/train_common.h"
#include <stdlib.h>
#include <string.h>

static void print_help(FILE *out)
{
    fprintf(out,
            "usage: spartan sweep DATA --emb-dims LIST [training options]\n\n"
            "Train Wide & Deep once per embedding dimension (default 16,24,32,40,80) with\n"
            "the same vocabulary, split, seed and settings, and compare them: final\n"
            "validation accuracy, AUC and logloss, wide and deep training loss, mean epoch\n"
            "time and samples/s per dimension.\n\n"
            "options: --emb-dims LIST, and those of 'spartan train widedeep' (--deep,\n"
            "--epochs, --batch, --lr-deep, --lr-wide, --l2, --min-count, --hash-buckets,\n"
            "--dense, --vocab, --valid,\n"
            "--valid-fraction, --patience, --threads, --seed), plus\n"
            "  --plot OUT.svg      validation AUC against epoch, one line per dimension\n"
            "  --history OUT.csv   every epoch of every dimension (first column emb_dim)\n"
            "  --json              {\"runs\": [{\"emb_dim\", \"epochs\": [...]}, ...]}\n\n"
            "example: spartan sweep ../shared/data/criteo/criteo_train_8000.txt --epochs 5 --batch 1000\n"
            "exit status: 0 success, 2 bad usage or input\n");
}

static int sweep_plot(const wd_cli *o, const sp_train_history *h)
{
    sp_plot_series s[WD_CLI_MAX_DIMS];
    char names[WD_CLI_MAX_DIMS][32];
    double *buf = malloc(sizeof(double) * 2 * (size_t)o->n_emb_dims * (size_t)(o->topt.epochs + 1));
    if (!buf) return SP_ENOMEM;
    double *p = buf;
    for (int k = 0; k < o->n_emb_dims; k++) {
        snprintf(names[k], sizeof names[k], "emb_dim %d", o->emb_dims[k]);
        s[k].name = names[k];
        s[k].x = p;
        s[k].y = p + h[k].n;
        s[k].count = h[k].n;
        for (int e = 0; e < h[k].n; e++) {
            p[e] = h[k].epochs[e].epoch;
            p[h[k].n + e] = h[k].epochs[e].valid_auc;
        }
        p += 2 * h[k].n;
    }
    sp_plot plot = {"Wide & Deep: validation AUC per embedding dimension", "epoch", "AUC", 0, 0, 0, s,
                    o->n_emb_dims};
    int rc = sp_plot_write_svg(&plot, o->plot);
    free(buf);
    return rc;
}

static int sweep_history(const wd_cli *o, const sp_train_history *h)
{
    sp_atomic_file f;
    int rc = sp_atomic_open(&f, o->history);
    if (rc < 0) return rc;
    fprintf(f.fp, "emb_dim,epoch,train_loss,deep_loss,valid_logloss,valid_auc,valid_accuracy,seconds,samples_per_s\n");
    for (int k = 0; k < o->n_emb_dims; k++)
        for (int e = 0; e < h[k].n; e++) {
            const sp_epoch_stats *s = &h[k].epochs[e];
            fprintf(f.fp, "%d,%d,%.9g,%.9g,%.9g,%.9g,%.9g,%.6g,%.6g\n", o->emb_dims[k], s->epoch,
                    s->train_loss, s->train_loss + s->penalty, s->valid_logloss, s->valid_auc,
                    s->valid_accuracy, s->seconds, s->samples_per_s);
        }
    return sp_atomic_commit(&f);
}

static void sweep_table(const wd_cli *o, const sp_train_history *h)
{
    printf("%7s  %8s  %7s  %8s  %9s  %9s  %11s  %10s\n", "emb_dim", "accuracy", "AUC", "logloss",
           "wide_loss", "deep_loss", "epoch_time", "samples/s");
    for (int k = 0; k < o->n_emb_dims; k++) {
        if (h[k].n == 0) continue;
        const sp_epoch_stats *e = &h[k].epochs[h[k].n - 1];
        double t = 0, sps = 0;
        for (int i = 0; i < h[k].n; i++) {
            t += h[k].epochs[i].seconds / h[k].n;
            sps += h[k].epochs[i].samples_per_s / h[k].n;
        }
        printf("%7d  %8.4f  %7.4f  %8.5f  %9.5f  %9.5f  %11.2f  %10.0f\n", o->emb_dims[k],
               e->valid_accuracy, e->valid_auc, e->valid_logloss, e->train_loss,
               e->train_loss + e->penalty, t, sps);
    }
}

static void sweep_json(const wd_cli *o, const sp_ctr_data *tr, const sp_ctr_data *va,
                       const sp_train_history *h)
{
    printf("{\"command\": \"sweep\", \"data\": ");
    sp_json_string(stdout, o->data);
    printf(", \"train_rows\": %lld, \"valid_rows\": %lld, \"runs\": [", (long long)tr->n, (long long)va->n);
    for (int k = 0; k < o->n_emb_dims; k++) {
        printf("%s{\"emb_dim\": %d, ", k ? ", " : "", o->emb_dims[k]);
        wd_json_epochs(stdout, &h[k]);
        printf("}");
    }
    printf("]}\n");
}

static int sweep_run(wd_cli *o, const sp_vocab *v, const sp_ctr_data *tr, const sp_ctr_data *va,
                     sp_train_history *h)
{
    for (int k = 0; k < o->n_emb_dims; k++) {
        sp_widedeep m;
        o->cfg.emb_dim = o->emb_dims[k];
        o->cfg.n_ids = sp_vocab_n_ids(v);
        int rc = sp_widedeep_init(&m, &o->cfg, o->seed);
        if (rc == SP_OK) rc = sp_widedeep_train(&m, tr, va, &o->topt, &h[k]);
        sp_widedeep_uninit(&m);
        if (rc < 0) return sp_error_prefix(rc, "emb_dim %d: ", o->emb_dims[k]);
        if (!o->json && !o->quiet)
            fprintf(stderr, "sweep: emb_dim %d done (AUC %.4f)\n", o->emb_dims[k],
                    h[k].n ? h[k].epochs[h[k].n - 1].valid_auc : 0.0);
    }
    if (o->json) sweep_json(o, tr, va, h);
    else sweep_table(o, h);
    int rc = SP_OK;
    if (o->plot) rc = sweep_plot(o, h);
    if (rc == SP_OK && o->history) rc = sweep_history(o, h);
    return rc;
}

int sp_cmd_sweep(int argc, char **argv)
{
    wd_cli o;
    int r = wd_cli_parse(&o, argc, argv, 1, 1, print_help);
    if (r) return r == 1 ? SP_EXIT_OK : r;
    sp_set_threads(o.threads > 0 ? o.threads : sp_get_threads());
    sp_vocab *v = NULL;
    sp_ctr_data tr, va;
    memset(&tr, 0, sizeof tr);
    memset(&va, 0, sizeof va);
    sp_train_history h[WD_CLI_MAX_DIMS];
    for (int k = 0; k < WD_CLI_MAX_DIMS; k++)
        sp_train_history_init(&h[k]);
    int rc = wd_cli_load(&o, NULL, &v, &tr, &va);
    if (rc == SP_OK) rc = sweep_run(&o, v, &tr, &va, h);
    for (int k = 0; k < WD_CLI_MAX_DIMS; k++)
        sp_train_history_uninit(&h[k]);
    sp_vocab_free(v);
    sp_ctr_data_uninit(&tr);
    sp_ctr_data_uninit(&va);
    return rc < 0 ? sp_cli_report("sweep", rc) : SP_EXIT_OK;
}
