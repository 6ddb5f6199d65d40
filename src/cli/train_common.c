/* train_common.c: options, data loading and output shared by `spartan train
 * widedeep` and `spartan sweep`. Guarantees strict option parsing (exit 2 with
 * the option named) and the same split for the same seed; prints only the
 * table and JSON pieces it is asked for. */
#include "cli/train_common.h"
#include "cli/cli.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void wd_cli_defaults(wd_cli *o, int sweep)
{
    memset(o, 0, sizeof *o);
    o->cmd = sweep ? "sweep" : "train widedeep";
    sp_widedeep_config_default(&o->cfg);
    sp_train_options_default(&o->topt);
    o->min_count = 100;
    o->valid_fraction = 0.1;
    o->seed = SP_DEFAULT_SEED;
}

/* Value of option argv[*i] (advances *i); NULL after a usage message. */
static const char *opt_arg(const wd_cli *o, int argc, char **argv, int *i)
{
    if (*i + 1 >= argc) {
        sp_cli_usage_error(o->cmd, "%s needs a value", argv[*i]);
        return NULL;
    }
    return argv[++*i];
}

/* Float-valued options; returns 1 when argv[i] was one of them, -1 on error. */
static int parse_float_opt(wd_cli *o, int argc, char **argv, int *i)
{
    static const char *names[] = {"--lr-deep", "--lr", "--lr-wide", "--l2", "--dropout",
                                  "--valid-fraction", "--init-scale"};
    int k = -1;
    for (int j = 0; j < 7; j++)
        if (!strcmp(argv[*i], names[j])) k = j;
    if (k < 0) return 0;
    const char *name = argv[*i], *v = opt_arg(o, argc, argv, i);
    double x;
    if (!v || sp_cli_parse_double(o->cmd, name, v, 0.0, k == 4 || k == 5 ? 0.99 : 1e30, &x) < 0)
        return -1;
    if (k <= 1) o->cfg.deep_opt.lr = (float)x;
    else if (k == 2) o->cfg.wide_opt.lr = (float)x;
    else if (k == 3) o->cfg.l2_emb = (float)x;
    else if (k == 4) o->cfg.dropout = (float)x;
    else if (k == 5) o->valid_fraction = x;
    else o->cfg.init_scale = (float)x;
    return 1;
}

/* String-valued options. */
static int parse_path_opt(wd_cli *o, int argc, char **argv, int *i)
{
    static const char *names[] = {"--valid", "--vocab", "--resume", "-o", "--history", "--plot",
                                  "--export-data", "--save-vocab"};
    const char **dst[] = {&o->valid_path, &o->vocab_path, &o->resume, &o->out, &o->history,
                          &o->plot, &o->export_data, &o->save_vocab};
    for (int j = 0; j < 8; j++)
        if (!strcmp(argv[*i], names[j])) {
            if (!(*dst[j] = opt_arg(o, argc, argv, i))) return -1;
            return 1;
        }
    return 0;
}

static int parse_int_opt(wd_cli *o, int argc, char **argv, int *i)
{
    const char *name = argv[*i], *v;
    long x;
    int *dst = !strcmp(name, "--emb-dim") ? &o->cfg.emb_dim : !strcmp(name, "--epochs") ? &o->topt.epochs
               : !strcmp(name, "--batch") ? &o->topt.batch : !strcmp(name, "--threads") ? &o->threads
               : !strcmp(name, "--patience") ? &o->topt.patience : NULL;
    if (!dst) return 0;
    long lo = !strcmp(name, "--epochs") || !strcmp(name, "--patience") ? 0 : 1;
    if (!(v = opt_arg(o, argc, argv, i)) || sp_cli_parse_int(o->cmd, name, v, lo, 1 << 24, &x) < 0)
        return -1;
    *dst = (int)x;
    if (dst == &o->cfg.emb_dim) o->emb_set = 1;
    return 1;
}

static int parse_list_opt(wd_cli *o, int argc, char **argv, int *i)
{
    const char *name = argv[*i], *v;
    if (!strcmp(name, "--deep")) {
        if (!(v = opt_arg(o, argc, argv, i))) return -1;
        int n = sp_cli_parse_int_list(o->cmd, name, v, 1, 1 << 16, o->cfg.deep, SP_WD_MAX_DEEP);
        if (n < 0) return -1;
        o->cfg.n_deep = n;
        o->deep_set = 1;
        return 1;
    }
    if (!strcmp(name, "--emb-dims")) {
        if (!(v = opt_arg(o, argc, argv, i))) return -1;
        o->n_emb_dims = sp_cli_parse_int_list(o->cmd, name, v, 1, 4096, o->emb_dims, WD_CLI_MAX_DIMS);
        return o->n_emb_dims < 0 ? -1 : 1;
    }
    return 0;
}

static int parse_misc_opt(wd_cli *o, int argc, char **argv, int *i)
{
    const char *name = argv[*i], *v;
    if (!strcmp(name, "--json")) return o->json = 1;
    if (!strcmp(name, "--quiet")) return o->quiet = 1;
    if (!strcmp(name, "--seed")) {
        if (!(v = opt_arg(o, argc, argv, i)) || sp_cli_parse_u64(o->cmd, name, v, &o->seed) < 0)
            return -1;
        return o->seed_set = 1;
    }
    if (!strcmp(name, "--min-count") || !strcmp(name, "--hash-buckets")) {
        long x;
        if (!(v = opt_arg(o, argc, argv, i)) || sp_cli_parse_int(o->cmd, name, v, 0, 1L << 40, &x) < 0)
            return -1;
        *(name[2] == 'm' ? &o->min_count : &o->hash_buckets) = x;
        return 1;
    }
    if (!strcmp(name, "--dense")) {
        if (!(v = opt_arg(o, argc, argv, i))) return -1;
        if (strcmp(v, "log") && strcmp(v, "scale"))
            return sp_cli_usage_error(o->cmd, "--dense: '%s' (log or scale)", v), -1;
        o->dense_log = !strcmp(v, "log");
        return 1;
    }
    return 0;
}

static int wd_cli_check(wd_cli *o, int sweep)
{
    if (!o->data && !o->no_data)
        return sp_cli_usage_error(o->cmd, "missing DATA (a Criteo TSV file, plain or .gz)");
    if (o->vocab_path && o->resume)
        return sp_cli_usage_error(o->cmd, "--vocab and --resume: the checkpoint carries its vocabulary");
    if (sweep && (o->out || o->resume))
        return sp_cli_usage_error(o->cmd, "-o and --resume belong to 'spartan train widedeep'");
    if (sweep && o->n_emb_dims == 0) {
        const int dims[5] = {16, 24, 32, 40, 80};
        memcpy(o->emb_dims, dims, sizeof dims);
        o->n_emb_dims = 5;
    }
    o->cfg.max_batch = o->topt.batch;
    return 0;
}

/* Options of argv[first..] over o's current values, then the checks. */
static int wd_cli_parse_from(wd_cli *o, int argc, char **argv, int first, int sweep,
                             void (*print_help)(FILE *out))
{
    for (int i = first; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            print_help(stdout);
            return 1;
        }
        int r = parse_float_opt(o, argc, argv, &i);
        if (!r) r = parse_path_opt(o, argc, argv, &i);
        if (!r) r = parse_int_opt(o, argc, argv, &i);
        if (!r) r = parse_list_opt(o, argc, argv, &i);
        if (!r) r = parse_misc_opt(o, argc, argv, &i);
        if (r < 0) return SP_EXIT_USAGE;
        if (r) continue;
        if (argv[i][0] == '-' && argv[i][1]) return sp_cli_usage_error(o->cmd, "unknown option '%s'", argv[i]);
        if (o->data || o->no_data) return sp_cli_usage_error(o->cmd, "unexpected argument '%s'", argv[i]);
        o->data = argv[i];
    }
    return wd_cli_check(o, sweep);
}

int wd_cli_parse(wd_cli *o, int argc, char **argv, int first, int sweep,
                 void (*print_help)(FILE *out))
{
    wd_cli_defaults(o, sweep);
    return wd_cli_parse_from(o, argc, argv, first, sweep, print_help);
}

int wd_cli_parse_sweep_options(wd_cli *o, const char *cmd, int argc, char **argv,
                               void (*print_help)(FILE *out))
{
    wd_cli_defaults(o, 1);
    o->cmd = cmd;
    o->no_data = 1;
    return wd_cli_parse_from(o, argc, argv, 0, 1, print_help);
}

/* Refuse a vocabulary that matches (almost) none of the data's values. */
static int check_vocab_match(const wd_cli *o, const char *path, const sp_ctr_load_stats *st)
{
    if (!o->vocab_path || st->cat_present == 0) return SP_OK;
    double hit = (double)st->cat_in_vocab / (double)st->cat_present;
    if (hit >= 0.01) return SP_OK;
    return sp_error(SP_EINVAL,
                    "vocabulary %s does not match %s: only %.2f%% of its %lld categorical values "
                    "are in the vocabulary (built from other data?)",
                    o->vocab_path, path, 100.0 * hit, (long long)st->cat_present);
}

static int load_split(const wd_cli *o, const sp_vocab *v, sp_ctr_data *tr, sp_ctr_data *va)
{
    sp_ctr_load_stats st;
    sp_ctr_data all;
    int rc = sp_ctr_data_load(&all, o->data, NULL, v, &st);
    if (rc < 0) return rc;
    rc = check_vocab_match(o, o->data, &st);
    if (rc == SP_OK && o->valid_path) {
        *tr = all; /* the whole file trains */
        memset(&all, 0, sizeof all);
        if ((rc = sp_ctr_data_load(va, o->valid_path, NULL, v, NULL)) < 0) sp_ctr_data_uninit(tr);
    } else if (rc == SP_OK) {
        rc = sp_ctr_data_split(&all, o->valid_fraction, o->seed, tr, va);
    }
    sp_ctr_data_uninit(&all);
    return rc;
}

int wd_cli_load(const wd_cli *o, const sp_vocab *given, sp_vocab **v, sp_ctr_data *tr,
                sp_ctr_data *va)
{
    *v = NULL;
    int rc = SP_OK;
    if (!given && o->vocab_path) rc = sp_vocab_load(o->vocab_path, v);
    else if (!given) {
        sp_vocab_options vo;
        sp_vocab_options_default(&vo);
        vo.min_count = o->min_count;
        vo.hash_buckets = o->hash_buckets;
        vo.dense = o->dense_log ? SP_DENSE_LOG : SP_DENSE_SCALE;
        rc = sp_vocab_build_from_file(o->data, NULL, &vo, v);
    }
    if (rc < 0) return rc;
    rc = load_split(o, given ? given : *v, tr, va);
    if (rc < 0 && *v) {
        sp_vocab_free(*v);
        *v = NULL;
    }
    return rc;
}

void wd_print_header(FILE *out)
{
    fprintf(out, "%5s  %8s  %9s  %9s  %9s  %7s  %8s  %10s\n", "epoch", "accuracy", "wide_loss",
            "deep_loss", "time_s", "AUC", "logloss", "samples/s");
}

void wd_print_epoch(FILE *out, const sp_epoch_stats *e)
{
    fprintf(out, "%5d  %8.4f  %9.5f  %9.5f  %9.2f  %7.4f  %8.5f  %10.0f\n", e->epoch,
            e->valid_accuracy, e->train_loss, e->train_loss + e->penalty, e->seconds, e->valid_auc,
            e->valid_logloss, e->samples_per_s);
    fflush(out);
}

void wd_json_epochs(FILE *out, const sp_train_history *h)
{
    fputs("\"epochs\": [", out);
    for (int i = 0; i < h->n; i++) {
        const sp_epoch_stats *e = &h->epochs[i];
        fprintf(out, "%s{\"epoch\": %d, \"step\": %lld, \"train_loss\": ", i ? ", " : "", e->epoch,
                (long long)e->step);
        sp_json_number(out, e->train_loss);
        fputs(", \"wide_loss\": ", out);
        sp_json_number(out, e->train_loss);
        fputs(", \"deep_loss\": ", out);
        sp_json_number(out, e->train_loss + e->penalty);
        fputs(", \"valid_logloss\": ", out);
        sp_json_number(out, e->valid_logloss);
        fputs(", \"valid_auc\": ", out);
        sp_json_number(out, e->valid_auc);
        fputs(", \"valid_accuracy\": ", out);
        sp_json_number(out, e->valid_accuracy);
        fputs(", \"seconds\": ", out);
        sp_json_number(out, e->seconds);
        fputs(", \"samples_per_s\": ", out);
        sp_json_number(out, e->samples_per_s);
        fputs("}", out);
    }
    fputs("]", out);
}

int wd_export_data(const char *path, const sp_ctr_data *tr, const sp_ctr_data *va)
{
    sp_safetensors s;
    sp_safetensors_init(&s);
    const sp_ctr_data *d[2] = {tr, va};
    const char *pre[2] = {"train", "valid"};
    int rc = SP_OK;
    for (int k = 0; k < 2 && rc == SP_OK; k++) {
        char name[32];
        int64_t shape[2] = {d[k]->n, d[k]->fields};
        snprintf(name, sizeof name, "%s.ids", pre[k]);
        rc = sp_safetensors_add(&s, name, SP_ST_I32, 2, shape, d[k]->ids);
        snprintf(name, sizeof name, "%s.weights", pre[k]);
        if (rc == SP_OK) rc = sp_safetensors_add(&s, name, SP_ST_F32, 2, shape, d[k]->weights);
        snprintf(name, sizeof name, "%s.labels", pre[k]);
        if (rc == SP_OK) rc = sp_safetensors_add(&s, name, SP_ST_F32, 1, shape, d[k]->labels);
    }
    if (rc == SP_OK) rc = sp_safetensors_write(&s, path);
    sp_safetensors_uninit(&s);
    return rc;
}
