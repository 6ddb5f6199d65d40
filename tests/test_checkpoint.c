/* test_checkpoint.c: safetensors round trip (every dtype, metadata with
 * escapes, 8-byte aligned header) and refusal of malformed files; Wide & Deep
 * checkpoints: parameters, optimizer state, vocabulary (with out-of-vocabulary
 * ids) and history survive a round trip bit for bit; resuming gives exactly
 * the uninterrupted run; a checkpoint of another shape or kind is refused. */
#include "spartan/train.h"
#include "test_util.h"
#include <string.h>
#include <unistd.h>

static char tmpdir[256];

static const char *tmp_path(const char *name)
{
    static char buf[512];
    snprintf(buf, sizeof buf, "%s/%s", tmpdir, name);
    return buf;
}

static void write_bytes(const char *path, const void *data, size_t n)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, n, fp), n);
    fclose(fp);
}

static void test_safetensors_round_trip(void **state)
{
    (void)state;
    float f[6] = {1.5f, -2.0f, 3.25f, 0.0f, 1e-30f, -7.0f};
    double d[2] = {3.141592653589793, -1e300};
    int32_t i32[3] = {-1, 0, 2147483647};
    int64_t i64[2] = {-5, 1ll << 40};
    uint8_t u8[5] = {0, 1, 2, 254, 255};
    int64_t s23[2] = {2, 3}, s2[1] = {2}, s3[1] = {3}, s5[1] = {5}, s0[1] = {0};
    sp_safetensors s;
    sp_safetensors_init(&s);
    assert_int_equal(sp_safetensors_add(&s, "w", SP_ST_F32, 2, s23, f), SP_OK);
    assert_int_equal(sp_safetensors_add(&s, "d", SP_ST_F64, 1, s2, d), SP_OK);
    assert_int_equal(sp_safetensors_add(&s, "i\"q", SP_ST_I32, 1, s3, i32), SP_OK);
    assert_int_equal(sp_safetensors_add(&s, "l", SP_ST_I64, 1, s2, i64), SP_OK);
    assert_int_equal(sp_safetensors_add(&s, "empty", SP_ST_F32, 1, s0, NULL), SP_OK);
    assert_int_equal(sp_safetensors_add(&s, "bytes", SP_ST_U8, 1, s5, u8), SP_OK);
    assert_int_equal(sp_safetensors_add(&s, "w", SP_ST_F32, 1, s2, f), SP_EINVAL); /* duplicate */
    assert_int_equal(sp_safetensors_set_meta(&s, "note", "a \"quoted\"\nline\\ \x01 caf\xc3\xa9"), SP_OK);
    assert_int_equal(sp_safetensors_write(&s, tmp_path("a.safetensors")), SP_OK);
    sp_safetensors_uninit(&s);

    FILE *fp = fopen(tmp_path("a.safetensors"), "rb");
    unsigned char head[9];
    assert_int_equal(fread(head, 1, 9, fp), 9);
    fclose(fp);
    uint64_t hlen = 0;
    for (int i = 0; i < 8; i++)
        hlen |= (uint64_t)head[i] << (8 * i);
    assert_int_equal(hlen % 8, 0);
    assert_int_equal(head[8], '{');

    sp_safetensors r;
    assert_int_equal(sp_safetensors_read(&r, tmp_path("a.safetensors")), SP_OK);
    assert_int_equal(r.n, 6);
    const sp_st_tensor *t = sp_safetensors_find(&r, "w");
    assert_non_null(t);
    assert_int_equal(t->dtype, SP_ST_F32);
    assert_int_equal(t->ndim, 2);
    assert_int_equal(t->shape[1], 3);
    assert_memory_equal(t->data, f, sizeof f);
    assert_memory_equal(sp_safetensors_find(&r, "d")->data, d, sizeof d);
    assert_memory_equal(sp_safetensors_find(&r, "i\"q")->data, i32, sizeof i32);
    assert_memory_equal(sp_safetensors_find(&r, "l")->data, i64, sizeof i64);
    assert_memory_equal(sp_safetensors_find(&r, "bytes")->data, u8, sizeof u8);
    assert_int_equal(sp_safetensors_find(&r, "empty")->nbytes, 0);
    assert_string_equal(sp_safetensors_meta(&r, "note"), "a \"quoted\"\nline\\ \x01 caf\xc3\xa9");
    assert_null(sp_safetensors_meta(&r, "absent"));
    sp_safetensors_uninit(&r);
}

static void expect_format_error(const char *name, const void *data, size_t n, const char *needle)
{
    write_bytes(tmp_path(name), data, n);
    sp_safetensors r;
    int rc = sp_safetensors_read(&r, tmp_path(name));
    print_message("%s: %s\n", name, sp_errmsg());
    assert_int_equal(rc, SP_EFORMAT);
    assert_non_null(strstr(sp_errmsg(), needle));
}

static void test_safetensors_malformed(void **state)
{
    (void)state;
    expect_format_error("short", "abc", 3, "not a safetensors file");
    const char big[16] = {(char)0xff, (char)0xff, 0, 0, 0, 0, 0, 0, '{', '}'};
    expect_format_error("biglen", big, sizeof big, "header length");
    const char *hdr = "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
    unsigned char buf[128] = {0};
    size_t L = strlen(hdr);
    buf[0] = (unsigned char)L;
    memcpy(buf + 8, hdr, L);
    expect_format_error("truncated", buf, 8 + L + 4, "data_offsets");
    const char *bad = "{\"x\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,2]}}";
    L = strlen(bad);
    buf[0] = (unsigned char)L;
    memcpy(buf + 8, bad, L);
    expect_format_error("dtype", buf, 8 + L + 2, "unsupported dtype");
    const char *open = "{\"x\":{\"dtype\":\"F32\",\"shape\":[1";
    L = strlen(open);
    buf[0] = (unsigned char)L;
    memcpy(buf + 8, open, L);
    expect_format_error("unterminated", buf, 8 + L, "header");
    sp_safetensors r;
    assert_int_equal(sp_safetensors_read(&r, tmp_path("does-not-exist")), SP_EIO);
}

/* ---- Wide & Deep -------------------------------------------------------- */

static sp_vocab *tiny_vocab(void)
{
    sp_vocab_options vo;
    sp_vocab_options_default(&vo);
    vo.min_count = 0;
    sp_vocab *v = NULL;
    assert_int_equal(sp_vocab_build_from_file(test_data_path("criteo/tiny.tsv"), NULL, &vo, &v),
                     SP_OK);
    return v;
}

static void small_config(sp_widedeep_config *c, int n_ids)
{
    sp_widedeep_config_default(c);
    c->n_ids = n_ids;
    c->emb_dim = 4;
    c->n_deep = 2;
    c->deep[0] = 8;
    c->deep[1] = 4;
    c->max_batch = 4;
    c->deep_opt.lr = 1e-2f;
}

static void assert_same_history(const sp_train_history *a, const sp_train_history *b)
{
    assert_int_equal(a->n, b->n);
    for (int e = 0; e < a->n; e++) {
        assert_int_equal(a->epochs[e].epoch, b->epochs[e].epoch);
        assert_int_equal(a->epochs[e].step, b->epochs[e].step);
        assert_memory_equal(&a->epochs[e].train_loss, &b->epochs[e].train_loss, sizeof(double));
        assert_memory_equal(&a->epochs[e].valid_logloss, &b->epochs[e].valid_logloss, sizeof(double));
        assert_memory_equal(&a->epochs[e].valid_auc, &b->epochs[e].valid_auc, sizeof(double));
    }
}

static void test_widedeep_round_trip(void **state)
{
    (void)state;
    sp_vocab *v = tiny_vocab();
    sp_ctr_data d;
    assert_int_equal(sp_ctr_data_load(&d, test_data_path("criteo/tiny.tsv"), NULL, v, NULL), SP_OK);
    assert_int_equal(d.n, 8);
    sp_widedeep_config cfg;
    small_config(&cfg, sp_vocab_n_ids(v));
    sp_widedeep m, m2;
    assert_int_equal(sp_widedeep_init(&m, &cfg, 11), SP_OK);
    sp_train_options to;
    sp_train_options_default(&to);
    to.epochs = 2;
    to.batch = 3;
    sp_train_history h, h2;
    sp_train_history_init(&h);
    assert_int_equal(sp_widedeep_train(&m, &d, &d, &to, &h), SP_OK);
    assert_int_equal(sp_widedeep_save(&m, v, &h, tmp_path("wd.safetensors")), SP_OK);
    sp_vocab *v2 = NULL;
    assert_int_equal(sp_widedeep_load(tmp_path("wd.safetensors"), NULL, 0, &m2, &v2, &h2), SP_OK);
    assert_non_null(v2);
    assert_int_equal(m2.P.n_values, m.P.n_values);
    assert_memory_equal(m2.P.values, m.P.values, m.P.n_values * sizeof(float));
    assert_memory_equal(m2.opt_deep.state, m.opt_deep.state, 2 * m.opt_deep.n * sizeof(float));
    assert_memory_equal(m2.opt_wide.state, m.opt_wide.state, 2 * m.opt_wide.n * sizeof(float));
    assert_int_equal(m2.opt_deep.t, m.opt_deep.t);
    assert_int_equal(m2.step, m.step);
    assert_int_equal(m2.epochs_done, 2);
    assert_same_history(&h, &h2);
    /* vocabulary: known values and out-of-vocabulary ids map identically */
    assert_int_equal(sp_vocab_n_ids(v2), sp_vocab_n_ids(v));
    uint32_t probes[4] = {0xaaaaaaaau, 0xdeadbeefu, 0x12345678u, 0x0000000fu};
    for (int f = 0; f < 26; f++)
        for (int k = 0; k < 4; k++)
            assert_int_equal(sp_vocab_lookup(v2, f, probes[k], 1), sp_vocab_lookup(v, f, probes[k], 1));
    assert_int_equal(sp_vocab_lookup(v2, 0, 0x12345678u, 1), 13); /* OOV id of C1 */
    /* predictions of rows with OOV ids agree bit for bit */
    int ids[39];
    float w[39], p1, p2;
    memcpy(ids, d.ids, sizeof ids);
    memcpy(w, d.weights, sizeof w);
    for (int f = 13; f < 39; f += 2)
        ids[f] = f; /* OOV ids 13..38 */
    assert_int_equal(sp_widedeep_predict(&m, 1, ids, w, &p1), SP_OK);
    assert_int_equal(sp_widedeep_predict(&m2, 1, ids, w, &p2), SP_OK);
    assert_memory_equal(&p1, &p2, sizeof p1);
    sp_widedeep_uninit(&m2);
    sp_train_history_uninit(&h2);
    sp_vocab_free(v2);

    /* another shape: refused with the difference named */
    sp_widedeep_config other = cfg;
    other.emb_dim = 5;
    assert_int_equal(sp_widedeep_load(tmp_path("wd.safetensors"), &other, 0, &m2, NULL, NULL), SP_EINVAL);
    print_message("shape mismatch: %s\n", sp_errmsg());
    assert_non_null(strstr(sp_errmsg(), "emb_dim"));
    other = cfg;
    other.deep[1] = 5;
    assert_int_equal(sp_widedeep_load(tmp_path("wd.safetensors"), &other, 0, &m2, NULL, NULL), SP_EINVAL);
    assert_non_null(strstr(sp_errmsg(), "deep layer sizes"));
    /* not a Wide & Deep checkpoint */
    sp_mlp_classifier c;
    assert_int_equal(sp_mlp_classifier_load(tmp_path("wd.safetensors"), 0, &c, NULL), SP_EFORMAT);
    assert_non_null(strstr(sp_errmsg(), "not a spartan mlp checkpoint"));
    sp_train_history_uninit(&h);
    sp_widedeep_uninit(&m);
    sp_ctr_data_uninit(&d);
    sp_vocab_free(v);
}

/* Train `epochs` in one go, or 1 + save + load + the rest: same bits. */
static void test_resume_equals_uninterrupted(void **state)
{
    (void)state;
    sp_vocab *v = tiny_vocab();
    sp_ctr_data all, tr, va;
    assert_int_equal(sp_ctr_data_load(&all, test_data_path("criteo/tiny.tsv"), NULL, v, NULL), SP_OK);
    assert_int_equal(sp_ctr_data_split(&all, 0.25, 3, &tr, &va), SP_OK);
    assert_int_equal(tr.n, 6);
    assert_int_equal(va.n, 2);
    sp_widedeep_config cfg;
    small_config(&cfg, sp_vocab_n_ids(v));
    cfg.dropout = 0.2f; /* the dropout stream must resume too */
    sp_train_options to;
    sp_train_options_default(&to);
    to.epochs = 3;
    to.batch = 4;
    sp_widedeep a, b, c;
    sp_train_history ha, hb, hc;
    sp_train_history_init(&ha);
    sp_train_history_init(&hb);
    assert_int_equal(sp_widedeep_init(&a, &cfg, 21), SP_OK);
    assert_int_equal(sp_widedeep_train(&a, &tr, &va, &to, &ha), SP_OK);
    assert_int_equal(sp_widedeep_init(&b, &cfg, 21), SP_OK);
    to.epochs = 1;
    assert_int_equal(sp_widedeep_train(&b, &tr, &va, &to, &hb), SP_OK);
    assert_int_equal(sp_widedeep_save(&b, v, &hb, tmp_path("resume.safetensors")), SP_OK);
    sp_widedeep_uninit(&b);
    sp_train_history_uninit(&hb);
    assert_int_equal(sp_widedeep_load(tmp_path("resume.safetensors"), &cfg, 0, &c, NULL, &hc), SP_OK);
    assert_int_equal(c.epochs_done, 1);
    to.epochs = 3;
    assert_int_equal(sp_widedeep_train(&c, &tr, &va, &to, &hc), SP_OK);
    assert_int_equal(c.step, a.step);
    assert_memory_equal(c.P.values, a.P.values, a.P.n_values * sizeof(float));
    assert_memory_equal(c.opt_deep.state, a.opt_deep.state, 2 * a.opt_deep.n * sizeof(float));
    assert_same_history(&ha, &hc);
    sp_widedeep_uninit(&a);
    sp_widedeep_uninit(&c);
    sp_train_history_uninit(&ha);
    sp_train_history_uninit(&hc);
    sp_ctr_data_uninit(&all);
    sp_ctr_data_uninit(&tr);
    sp_ctr_data_uninit(&va);
    sp_vocab_free(v);
}

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/spartan_ckpt_XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    const char *names[] = {"a.safetensors", "short", "biglen", "truncated", "dtype", "unterminated",
                           "wd.safetensors", "resume.safetensors"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        unlink(tmp_path(names[i]));
    rmdir(tmpdir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_safetensors_round_trip),
        cmocka_unit_test(test_safetensors_malformed),
        cmocka_unit_test(test_widedeep_round_trip),
        cmocka_unit_test(test_resume_equals_uninterrupted),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
