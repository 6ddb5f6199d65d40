/* history.c: per-epoch training history as CSV (--history) and as the
 * compact text stored in checkpoint metadata; optimizer configurations as
 * text. Guarantees round trips to the last bit (%.17g); writes CSV through a
 * temp file + rename. Does not plot (the CLI does). */
#include "train_internal.h"
#include <stdlib.h>
#include <string.h>

#define HISTORY_FIELDS 10

static int epoch_line(char *buf, size_t cap, const sp_epoch_stats *e)
{
    return snprintf(buf, cap, "%d,%lld,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g\n", e->epoch,
                    (long long)e->step, e->train_loss, e->penalty, e->train_accuracy,
                    e->valid_logloss, e->valid_auc, e->valid_accuracy, e->seconds,
                    e->samples_per_s);
}

int sp_history_to_text(const sp_train_history *h, char **out)
{
    size_t cap = (size_t)h->n * 256 + 1;
    char *s = sp_malloc(cap);
    if (!s) return SP_ENOMEM;
    size_t len = 0;
    s[0] = '\0';
    for (int i = 0; i < h->n; i++)
        len += (size_t)epoch_line(s + len, cap - len, &h->epochs[i]);
    *out = s;
    return SP_OK;
}

static int parse_epoch(const char *line, sp_epoch_stats *e)
{
    double v[HISTORY_FIELDS];
    const char *p = line;
    for (int k = 0; k < HISTORY_FIELDS; k++) {
        char *end;
        v[k] = strtod(p, &end);
        if (end == p || (k + 1 < HISTORY_FIELDS && *end != ',')) return -1;
        p = end + 1;
    }
    e->epoch = (int)v[0];
    e->step = (int64_t)v[1];
    e->train_loss = v[2];
    e->penalty = v[3];
    e->train_accuracy = v[4];
    e->valid_logloss = v[5];
    e->valid_auc = v[6];
    e->valid_accuracy = v[7];
    e->seconds = v[8];
    e->samples_per_s = v[9];
    return 0;
}

int sp_history_from_text(const char *text, sp_train_history *h)
{
    sp_train_history_init(h);
    for (const char *p = text; p && *p;) {
        sp_epoch_stats e;
        memset(&e, 0, sizeof e);
        if (parse_epoch(p, &e) < 0) {
            sp_train_history_uninit(h);
            return sp_error(SP_EFORMAT, "checkpoint: malformed history line %d", h->n + 1);
        }
        int rc = sp_train_history_push(h, &e);
        if (rc < 0) return rc;
        p = strchr(p, '\n');
        if (p) p++;
    }
    return SP_OK;
}

int sp_train_history_write_csv(const sp_train_history *h, const char *path)
{
    sp_atomic_file f;
    int rc = sp_atomic_open(&f, path);
    if (rc < 0) return rc;
    fprintf(f.fp, "epoch,step,train_loss,penalty,train_accuracy,valid_logloss,valid_auc,"
                  "valid_accuracy,seconds,samples_per_s\n");
    char line[512];
    for (int i = 0; i < h->n; i++) {
        epoch_line(line, sizeof line, &h->epochs[i]);
        fputs(line, f.fp);
    }
    return sp_atomic_commit(&f);
}

void sp_optim_config_to_text(const sp_optim_config *c, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s %.9g %.9g %d %.17g %.17g %.17g %.9g %.9g %.9g %.9g", sp_opt_name(c->kind),
             (double)c->lr, (double)c->momentum, c->nesterov, c->beta1, c->beta2, c->eps,
             (double)c->beta, (double)c->l1, (double)c->l2, (double)c->initial_accumulator);
}

int sp_optim_config_from_text(const char *text, sp_optim_config *c)
{
    char kind[32];
    float lr, mom, beta, l1, l2, acc;
    double b1, b2, eps;
    int nest;
    if (!text || sscanf(text, "%31s %g %g %d %lg %lg %lg %g %g %g %g", kind, &lr, &mom, &nest, &b1,
                        &b2, &eps, &beta, &l1, &l2, &acc) != 11)
        return sp_error(SP_EFORMAT, "checkpoint: malformed optimizer configuration '%s'",
                        text ? text : "(missing)");
    sp_opt_kind k;
    if (sp_opt_parse(kind, &k) < 0) return SP_EFORMAT;
    *c = sp_optim_defaults(k);
    c->lr = lr;
    c->momentum = mom;
    c->nesterov = nest;
    c->beta1 = b1;
    c->beta2 = b2;
    c->eps = eps;
    c->beta = beta;
    c->l1 = l1;
    c->l2 = l2;
    c->initial_accumulator = acc;
    return SP_OK;
}
