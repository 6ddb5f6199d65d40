/* test_trainer.c: the training loop on real and synthetic data: a slice of
 * the shared Criteo sample reaches a validation AUC clearly above 0.5 after
 * one epoch and a held-out logloss below the base-rate predictor's; the same
 * seed gives bit-identical metrics and weights at 1 and 2 threads; early
 * stopping; a blown-up loss names the step; the softmax MLP classifier on
 * separable synthetic classes; CSV loading and split sizes. */
#include "spartan/train.h"
#include "test_util.h"
#include <string.h>
#include <unistd.h>

/* Shared Criteo slice (tests/data/criteo/criteo_train_2000.txt.gz), vocabulary
 * min_count 4, split 75/25 with seed 42. */
typedef struct criteo_fixture {
    sp_vocab *v;
    sp_ctr_data all, tr, va;
} criteo_fixture;

static void criteo_open(criteo_fixture *f)
{
    sp_vocab_options vo;
    sp_vocab_options_default(&vo);
    vo.min_count = 4;
    const char *path = test_data_path("criteo/criteo_train_2000.txt.gz");
    assert_int_equal(sp_vocab_build_from_file(path, NULL, &vo, &f->v), SP_OK);
    sp_ctr_load_stats st;
    assert_int_equal(sp_ctr_data_load(&f->all, path, NULL, f->v, &st), SP_OK);
    assert_int_equal(st.rows, 2000);
    assert_int_equal(st.positives, 418);
    assert_int_equal(sp_ctr_data_split(&f->all, 0.25, 42, &f->tr, &f->va), SP_OK);
    assert_int_equal(f->tr.n, 1500);
    assert_int_equal(f->va.n, 500);
}

static void criteo_close(criteo_fixture *f)
{
    sp_ctr_data_uninit(&f->all);
    sp_ctr_data_uninit(&f->tr);
    sp_ctr_data_uninit(&f->va);
    sp_vocab_free(f->v);
}

static void criteo_config(sp_widedeep_config *c, int n_ids)
{
    sp_widedeep_config_default(c);
    c->n_ids = n_ids;
    c->emb_dim = 8;
    c->n_deep = 2;
    c->deep[0] = 64;
    c->deep[1] = 32;
    c->max_batch = 600;
    c->deep_opt.lr = 3e-3f;
}

/* Base-rate predictor: p = positive rate of train, logloss on valid. */
static double base_rate_logloss(const sp_ctr_data *tr, const sp_ctr_data *va)
{
    double pos = 0;
    for (int64_t i = 0; i < tr->n; i++)
        pos += tr->labels[i];
    double p = pos / (double)tr->n, L = 0;
    for (int64_t i = 0; i < va->n; i++)
        L -= va->labels[i] > 0.5f ? log(p) : log1p(-p);
    return L / (double)va->n;
}

static void test_criteo_slice(void **state)
{
    (void)state;
    criteo_fixture f;
    criteo_open(&f);
    sp_widedeep_config cfg;
    criteo_config(&cfg, sp_vocab_n_ids(f.v));
    sp_widedeep m;
    assert_int_equal(sp_widedeep_init(&m, &cfg, 42), SP_OK);
    sp_train_options to;
    sp_train_options_default(&to);
    to.epochs = 3;
    to.batch = 50;
    sp_train_history h;
    sp_train_history_init(&h);
    assert_int_equal(sp_widedeep_train(&m, &f.tr, &f.va, &to, &h), SP_OK);
    double base = base_rate_logloss(&f.tr, &f.va);
    for (int e = 0; e < h.n; e++)
        print_message("epoch %d: train loss %.4f, valid logloss %.4f (base rate %.4f), AUC %.4f, "
                      "accuracy %.4f\n",
                      e + 1, h.epochs[e].train_loss, h.epochs[e].valid_logloss, base,
                      h.epochs[e].valid_auc, h.epochs[e].valid_accuracy);
    /* recorded: epoch 1 AUC 0.6234 (0.7128 after 3); assert 0.04 below it */
    assert_true(h.epochs[0].valid_auc > 0.58);
    /* held-out logloss beats the base rate's by at least 0.02 (recorded 0.4698 vs 0.5193) */
    assert_true(h.epochs[2].valid_logloss < base - 0.02);
    assert_true(h.epochs[2].penalty > 0.0);
    sp_train_history_uninit(&h);
    sp_widedeep_uninit(&m);
    criteo_close(&f);
}

/* Train 2 epochs at `threads` threads; return the model through *m. */
static void train_at(const criteo_fixture *f, int threads, sp_widedeep *m, sp_train_history *h)
{
    sp_set_threads(threads);
    sp_widedeep_config cfg;
    criteo_config(&cfg, sp_vocab_n_ids(f->v));
    assert_int_equal(sp_widedeep_init(m, &cfg, 7), SP_OK);
    sp_train_options to;
    sp_train_options_default(&to);
    to.epochs = 2;
    to.batch = 300;
    sp_train_history_init(h);
    assert_int_equal(sp_widedeep_train(m, &f->tr, &f->va, &to, h), SP_OK);
}

static void test_threads_bit_identical(void **state)
{
    (void)state;
    criteo_fixture f;
    criteo_open(&f);
    sp_widedeep a, b;
    sp_train_history ha, hb;
    train_at(&f, 1, &a, &ha);
    train_at(&f, 2, &b, &hb);
    sp_set_threads(2);
    print_message("1 thread: AUC %.6f logloss %.6f; 2 threads: AUC %.6f logloss %.6f\n",
                  ha.epochs[1].valid_auc, ha.epochs[1].valid_logloss, hb.epochs[1].valid_auc,
                  hb.epochs[1].valid_logloss);
    for (int e = 0; e < 2; e++) {
        assert_memory_equal(&ha.epochs[e].train_loss, &hb.epochs[e].train_loss, sizeof(double));
        assert_memory_equal(&ha.epochs[e].valid_logloss, &hb.epochs[e].valid_logloss, sizeof(double));
        assert_memory_equal(&ha.epochs[e].valid_auc, &hb.epochs[e].valid_auc, sizeof(double));
    }
    assert_memory_equal(a.P.values, b.P.values, a.P.n_values * sizeof(float));
    sp_widedeep_uninit(&a);
    sp_widedeep_uninit(&b);
    sp_train_history_uninit(&ha);
    sp_train_history_uninit(&hb);
    criteo_close(&f);
}

static void test_early_stopping_and_blowup(void **state)
{
    (void)state;
    criteo_fixture f;
    criteo_open(&f);
    /* validate on the training rows with flipped labels: the better the fit, the worse */
    sp_ctr_data flipped;
    int64_t *idx = malloc(sizeof(int64_t) * f.tr.n);
    for (int64_t i = 0; i < f.tr.n; i++)
        idx[i] = i;
    assert_int_equal(sp_ctr_data_gather(&f.tr, idx, f.tr.n, &flipped), SP_OK);
    free(idx);
    for (int64_t i = 0; i < flipped.n; i++)
        flipped.labels[i] = 1.0f - flipped.labels[i];
    sp_widedeep_config cfg;
    criteo_config(&cfg, sp_vocab_n_ids(f.v));
    sp_widedeep m;
    assert_int_equal(sp_widedeep_init(&m, &cfg, 3), SP_OK);
    sp_train_options to;
    sp_train_options_default(&to);
    to.epochs = 20;
    to.batch = 300;
    to.patience = 2;
    sp_train_history h;
    sp_train_history_init(&h);
    assert_int_equal(sp_widedeep_train(&m, &f.tr, &flipped, &to, &h), SP_OK);
    print_message("early stopping after %d of 20 epochs\n", h.n);
    assert_true(h.stopped_early);
    assert_true(h.n < 20);
    sp_train_history_uninit(&h);
    sp_widedeep_uninit(&m);

    /* a huge learning rate blows the loss up: the error names the step */
    cfg.deep_opt.lr = 1e30f;
    assert_int_equal(sp_widedeep_init(&m, &cfg, 3), SP_OK);
    to.patience = 0;
    to.epochs = 2;
    sp_train_history_init(&h);
    assert_int_equal(sp_widedeep_train(&m, &f.tr, &f.va, &to, &h), SP_EINVAL);
    print_message("blow-up: %s\n", sp_errmsg());
    assert_non_null(strstr(sp_errmsg(), "step "));
    assert_non_null(strstr(sp_errmsg(), "epoch 1"));
    assert_non_null(strstr(sp_errmsg(), "deep."));
    sp_train_history_uninit(&h);
    sp_widedeep_uninit(&m);
    sp_ctr_data_uninit(&flipped);
    criteo_close(&f);
}

static void test_bad_labels(void **state)
{
    (void)state;
    sp_vocab_options vo;
    sp_vocab_options_default(&vo);
    sp_vocab *v;
    assert_int_equal(sp_vocab_build_from_file(test_data_path("criteo/tiny.tsv"), NULL, &vo, &v), SP_OK);
    sp_ctr_data d;
    assert_true(sp_ctr_data_load(&d, test_data_path("criteo/bad_label.tsv"), NULL, v, NULL) < 0);
    print_message("bad label: %s\n", sp_errmsg());
    assert_non_null(strstr(sp_errmsg(), "bad_label.tsv"));
    sp_vocab_free(v);
}

/* ---- MLP classifier ------------------------------------------------------- */

static void test_mlp_classifier(void **state)
{
    (void)state;
    /* three Gaussian blobs in 5-D, written as CSV with the label last */
    char path[] = "/tmp/spartan_blobs_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "w");
    sp_rng rng;
    sp_rng_seed(&rng, 4);
    for (int i = 0; i < 900; i++) {
        int k = i % 3;
        for (int j = 0; j < 5; j++)
            fprintf(fp, "%.4f,", 10.0 * (j == k) + 3.0 * (j == k + 1) + sp_rng_normal(&rng));
        fprintf(fp, "%d\n", k);
    }
    fclose(fp);
    sp_dense_data all, tr, va;
    assert_int_equal(sp_dense_data_load_csv(&all, path, -1), SP_OK);
    unlink(path);
    assert_int_equal(all.n, 900);
    assert_int_equal(all.features, 5);
    assert_int_equal(all.classes, 3);
    assert_int_equal(sp_dense_data_split(&all, 0.2, 1, &tr, &va), SP_OK);
    assert_int_equal(va.n, 180);
    int sizes[3] = {5, 16, 3};
    sp_optim_config oc = sp_optim_defaults(SP_OPT_ADAM);
    oc.lr = 1e-2f;
    sp_mlp_classifier c;
    assert_int_equal(sp_mlp_classifier_init(&c, 3, sizes, SP_ACT_RELU, &oc, 64, 9), SP_OK);
    assert_int_equal(sp_mlp_classifier_fit_scaler(&c, &tr), SP_OK);
    sp_train_options to;
    sp_train_options_default(&to);
    to.epochs = 10;
    to.batch = 64;
    sp_train_history h;
    sp_train_history_init(&h);
    assert_int_equal(sp_mlp_classifier_train(&c, &tr, &va, &to, &h), SP_OK);
    print_message("blobs: valid accuracy %.4f, logloss %.4f\n", h.epochs[9].valid_accuracy,
                  h.epochs[9].valid_logloss);
    assert_true(h.epochs[9].valid_accuracy > 0.95);
    float prob[3];
    assert_int_equal(sp_mlp_classifier_predict(&c, 1, va.x, prob), SP_OK);
    assert_small(prob[0] + prob[1] + prob[2] - 1.0, 1e-5);
    sp_train_history_uninit(&h);
    sp_mlp_classifier_uninit(&c);
    sp_dense_data_uninit(&all);
    sp_dense_data_uninit(&tr);
    sp_dense_data_uninit(&va);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_criteo_slice),
        cmocka_unit_test(test_threads_bit_identical),
        cmocka_unit_test(test_early_stopping_and_blowup),
        cmocka_unit_test(test_bad_labels),
        cmocka_unit_test(test_mlp_classifier),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
