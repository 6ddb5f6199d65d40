/* test_vocab.c: vocabulary and feature mapping. References: ids and weights
 * of tiny.tsv worked out by hand (README), and min_count / vocab_size checked
 * against a brute-force count (sort and run-length) of the real 2000-row slice. */
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include "spartan/data.h"
#include "data/data_internal.h" /* sp_mix64, sp_fastmod */
#include "test_util.h"

static const char *criteo_path(const char *name)
{
    static char buf[4200];
    snprintf(buf, sizeof buf, "%s", test_data_path("criteo"));
    size_t len = strlen(buf);
    snprintf(buf + len, sizeof buf - len, "/%s", name);
    return buf;
}

static sp_vocab *build(const char *file, int64_t min_count, int64_t vocab_size, int64_t buckets,
                       sp_dense_mode dense)
{
    sp_vocab_options vo;
    sp_vocab_options_default(&vo);
    vo.min_count = min_count;
    vo.vocab_size = vocab_size;
    vo.hash_buckets = buckets;
    vo.dense = dense;
    sp_vocab *v = NULL;
    int rc = sp_vocab_build_from_file(criteo_path(file), NULL, &vo, &v);
    if (rc < 0) print_error("%s\n", sp_errmsg());
    assert_int_equal(rc, SP_OK);
    return v;
}

/* The README's hand-worked ids of tiny.tsv with min_count 1 (kept: count > 1). */
static void test_tiny_ids_by_hand(void **state)
{
    (void)state;
    sp_vocab *v = build("tiny.tsv", 1, 0, 0, SP_DENSE_SCALE);
    assert_int_equal(sp_vocab_n_ids(v), 69);
    assert_int_equal(sp_vocab_rows(v), 8);
    for (int f = 3; f <= 24; f++) assert_int_equal(sp_vocab_lookup(v, f, 0xf, 1), 39 + f - 3);
    assert_int_equal(sp_vocab_lookup(v, 25, 0xf, 1), 61);        /* C26, count 7 */
    assert_int_equal(sp_vocab_lookup(v, 0, 0xaaaaaaaa, 1), 62);  /* C1 a, 5 */
    assert_int_equal(sp_vocab_lookup(v, 1, 0x11111111, 1), 63);  /* C2, 4 */
    assert_int_equal(sp_vocab_lookup(v, 2, 0xdeadbeef, 1), 64);  /* C3, 4 */
    assert_int_equal(sp_vocab_lookup(v, 1, 0x22222222, 1), 65);  /* 3 */
    assert_int_equal(sp_vocab_lookup(v, 0, 0xbbbbbbbb, 1), 66);  /* 2 */
    assert_int_equal(sp_vocab_lookup(v, 2, 0xcafef00d, 1), 67);  /* 2 */
    assert_int_equal(sp_vocab_lookup(v, 2, 0, 0), 68);           /* C3 missing, 2 */
    assert_int_equal(sp_vocab_lookup(v, 0, 0, 0), 13);           /* C1 missing once: OOV */
    assert_int_equal(sp_vocab_lookup(v, 1, 0x33333333, 1), 14);  /* seen once: OOV */
    assert_int_equal(sp_vocab_lookup(v, 25, 0, 0), 38);
    assert_int_equal(sp_vocab_lookup(v, 7, 0x12345678, 1), 20);  /* unseen: OOV of C8 */
    int field, present;
    uint32_t value;
    int64_t count;
    assert_int_equal(sp_vocab_entry(v, 68, &field, &value, &present, &count), SP_OK);
    assert_int_equal(field, 2);
    assert_int_equal(present, 0);
    assert_int_equal(count, 2);
    assert_int_equal(sp_vocab_entry(v, 38, &field, &value, &present, &count), SP_EINVAL);
    assert_int_equal(sp_vocab_entry(v, 69, &field, &value, &present, &count), SP_EINVAL);
    sp_vocab_free(v);
}

/* Feature map of tiny.tsv rows with that vocabulary: ids and MindSpore weights. */
static void test_tiny_feature_map_by_hand(void **state)
{
    (void)state;
    sp_vocab *v = build("tiny.tsv", 1, 0, 0, SP_DENSE_SCALE);
    sp_criteo_reader *r;
    sp_criteo_row rows[8];
    int n;
    assert_int_equal(sp_criteo_reader_open(&r, criteo_path("tiny.tsv"), NULL), SP_OK);
    assert_int_equal(sp_criteo_reader_read(r, rows, 8, &n), SP_OK);
    assert_int_equal(n, 8);
    sp_criteo_reader_close(r);
    int ids[39];
    float w[39];
    assert_int_equal(sp_feature_map(v, &rows[0], 0, ids, w), 39);
    const float w_row1[13] = {0.1f, -0.01f, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0.5f};
    for (int f = 0; f < 13; f++) {
        assert_int_equal(ids[f], f);
        assert_small(w[f] - w_row1[f], 1e-7);
    }
    const int cat_row1[3] = {62, 63, 64};
    for (int f = 0; f < 26; f++) {
        assert_int_equal(ids[13 + f], f < 3 ? cat_row1[f] : (f < 25 ? 36 + f : 61));
        assert_true(w[13 + f] == 1.0f);
    }
    sp_feature_map(v, &rows[7], 0, ids, w); /* row 8: C2 OOV, C3 missing, C26 missing */
    assert_int_equal(ids[13 + 1], 14);
    assert_int_equal(ids[13 + 2], 68);
    assert_int_equal(ids[13 + 25], 38);
    assert_true(w[0] == 0.0f); /* I1 = 0 */
    /* skipping missing integers: row 1 has I3 missing -> 38 pairs, ids 0,1,3,... */
    assert_int_equal(sp_feature_map(v, &rows[0], SP_MAP_SKIP_MISSING_INTS, ids, w), 38);
    assert_int_equal(ids[2], 3);
    assert_int_equal(sp_feature_map(v, &rows[0], SP_MAP_NO_INTS, ids, w), 26);
    assert_int_equal(ids[0], 62);
    sp_vocab_free(v);
}

typedef struct key_count {
    uint64_t key; /* field << 33 | value, missing = 2^32 */
    int64_t count;
} key_count;

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static int cmp_count_desc(const void *a, const void *b)
{
    const key_count *x = a, *y = b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    return (x->key > y->key) - (x->key < y->key);
}

/* Brute force: every (field, value) of the slice with its count, sorted by
 * count desc then key. Also the integer maxima and all rows. */
typedef struct slice {
    sp_criteo_row rows[2000];
    key_count kc[2000 * 26];
    int nkc;
    int64_t int_max[13];
} slice;

static slice *load_slice(void)
{
    static slice s;
    static uint64_t keys[2000 * 26];
    sp_criteo_reader *r;
    int n;
    assert_int_equal(sp_criteo_reader_open(&r, criteo_path("criteo_train_2000.txt.gz"), NULL),
                     SP_OK);
    assert_int_equal(sp_criteo_reader_read(r, s.rows, 2000, &n), SP_OK);
    sp_criteo_reader_close(r);
    assert_int_equal(n, 2000);
    memset(s.int_max, 0, sizeof s.int_max);
    for (int i = 0; i < 2000; i++) {
        for (int f = 0; f < 13; f++)
            if ((s.rows[i].int_present >> f & 1u) && s.rows[i].ints[f] > s.int_max[f])
                s.int_max[f] = s.rows[i].ints[f];
        for (int f = 0; f < 26; f++)
            keys[i * 26 + f] = ((uint64_t)f << 33) | ((s.rows[i].cat_present >> f & 1u)
                                                           ? s.rows[i].cats[f]
                                                           : ((uint64_t)1 << 32));
    }
    qsort(keys, 2000 * 26, sizeof *keys, cmp_u64);
    s.nkc = 0;
    for (int i = 0; i < 2000 * 26; i++) {
        if (i == 0 || keys[i] != keys[i - 1]) s.kc[s.nkc++] = (key_count){keys[i], 0};
        s.kc[s.nkc - 1].count++;
    }
    qsort(s.kc, (size_t)s.nkc, sizeof *s.kc, cmp_count_desc);
    return &s;
}

static int lookup_key(const sp_vocab *v, uint64_t key)
{
    int f = (int)(key >> 33), present = !((key >> 32) & 1u);
    return sp_vocab_lookup(v, f, (uint32_t)key, present);
}

static void test_min_count_against_brute_force(void **state)
{
    (void)state;
    slice *s = load_slice();
    const int64_t mins[4] = {0, 2, 10, 100};
    for (int t = 0; t < 4; t++) {
        sp_vocab *v = build("criteo_train_2000.txt.gz", mins[t], 0, 0, SP_DENSE_SCALE);
        int kept = 0;
        for (int i = 0; i < s->nkc; i++) {
            int id = lookup_key(v, s->kc[i].key);
            if (s->kc[i].count > mins[t]) {
                /* sorted by count desc, key asc: the i-th kept key gets id 39 + i */
                assert_int_equal(id, 39 + kept);
                kept++;
            } else {
                assert_int_equal(id, 13 + (int)(s->kc[i].key >> 33));
            }
        }
        assert_int_equal(sp_vocab_n_ids(v), 39 + kept);
        sp_vocab_free(v);
    }
}

static void test_vocab_size_cap(void **state)
{
    (void)state;
    slice *s = load_slice();
    sp_vocab *v = build("criteo_train_2000.txt.gz", 2, 50, 0, SP_DENSE_SCALE);
    assert_int_equal(sp_vocab_n_ids(v), 39 + 50);
    for (int i = 0; i < s->nkc; i++) {
        int id = lookup_key(v, s->kc[i].key);
        if (i < 50) assert_int_equal(id, 39 + i); /* the 50 most frequent (all > 2) */
        else assert_int_equal(id, 13 + (int)(s->kc[i].key >> 33));
    }
    assert_true(s->kc[49].count > 2);
    sp_vocab_free(v);
}

/* weight = value / max(field) (max over the data, >= 0), or log(1 + max(v, 0)). */
static void test_dense_weights(void **state)
{
    (void)state;
    slice *s = load_slice();
    sp_vocab *scale = build("criteo_train_2000.txt.gz", 100, 0, 0, SP_DENSE_SCALE);
    sp_vocab *logm = build("criteo_train_2000.txt.gz", 100, 0, 0, SP_DENSE_LOG);
    int ids[39], negatives = 0;
    float w[39], wl[39];
    for (int f = 0; f < 13; f++) assert_true(sp_vocab_int_max(scale, f) == (double)s->int_max[f]);
    for (int i = 0; i < 2000; i++) {
        const sp_criteo_row *row = &s->rows[i];
        sp_feature_map(scale, row, 0, ids, w);
        sp_feature_map(logm, row, 0, ids, wl);
        for (int f = 0; f < 13; f++) {
            int present = row->int_present >> f & 1u;
            double v = (double)row->ints[f];
            double expect = present ? v / (double)s->int_max[f] : 0.0;
            double expect_log = present ? log(1.0 + (v > 0 ? v : 0.0)) : 0.0;
            assert_int_equal(ids[f], f);
            assert_small(w[f] - expect, 1e-6 * fabs(expect) + 1e-30);
            assert_small(wl[f] - expect_log, 1e-6 * expect_log + 1e-30);
            assert_true(isfinite(wl[f]) && wl[f] >= 0.0f);
            negatives += present && v < 0;
        }
    }
    assert_true(negatives >= 217); /* the slice has negative I2 values */
    sp_vocab_free(scale);
    sp_vocab_free(logm);
}

static void test_hash_buckets(void **state)
{
    (void)state;
    slice *s = load_slice();
    sp_vocab *v = build("criteo_train_2000.txt.gz", 100, 0, 1000, SP_DENSE_SCALE);
    assert_int_equal(sp_vocab_n_ids(v), 1039);
    int used[1000] = {0}, distinct = 0;
    for (int i = 0; i < s->nkc; i++) {
        int id = lookup_key(v, s->kc[i].key);
        assert_true(id >= 39 && id < 1039);
        assert_int_equal(id, lookup_key(v, s->kc[i].key));
        assert_int_equal(id, 39 + (int)(sp_mix64(s->kc[i].key) % 1000)); /* the fixed hash, pinned */
        distinct += !used[id - 39]++;
    }
    assert_true(distinct > 600); /* ~4000 keys spread over most of the 1000 buckets */
    int field, present;
    uint32_t value;
    assert_int_equal(sp_vocab_entry(v, 40, &field, &value, &present, NULL), SP_EINVAL);
    sp_vocab_free(v);
}

/* The division-free remainder of hash buckets against %, for divisors of
 * every kind (1, powers of two, primes, the largest bucket count) and
 * numerators at both ends of the range and mixed. */
static void test_fastmod(void **state)
{
    (void)state;
    const uint64_t d[] = {1, 2, 3, 7, 64, 1000, 1000003, 1u << 30, 2147483647u, 0xffffffffffffffc5ull};
    for (size_t k = 0; k < sizeof d / sizeof d[0]; k++) {
        sp_u128 magic = sp_fastmod_magic(d[k]);
        for (uint64_t i = 0; i < 200000; i++) {
            uint64_t x = i < 1000 ? i : i < 2000 ? UINT64_MAX - (i - 1000) : sp_mix64(i);
            assert_true(sp_fastmod(x, magic, d[k]) == x % d[k]);
        }
    }
}

static int write_bytes(const char *path, const uint8_t *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    size_t w = fwrite(b, 1, n, f);
    fclose(f);
    return w == n ? 0 : -1;
}

static void test_save_load_round_trip(void **state)
{
    (void)state;
    slice *s = load_slice();
    sp_vocab *v = build("criteo_train_2000.txt.gz", 2, 0, 0, SP_DENSE_LOG);
    const char *path = "test_vocab_roundtrip.vocab";
    assert_int_equal(sp_vocab_save(v, path), SP_OK);
    sp_vocab *u = NULL;
    assert_int_equal(sp_vocab_load(path, &u), SP_OK);
    assert_int_equal(sp_vocab_n_ids(u), sp_vocab_n_ids(v));
    assert_int_equal(sp_vocab_rows(u), 2000);
    sp_vocab_options o = sp_vocab_get_options(u);
    assert_int_equal(o.min_count, 2);
    assert_int_equal(o.dense, SP_DENSE_LOG);
    for (int f = 0; f < 13; f++) assert_true(sp_vocab_int_max(u, f) == sp_vocab_int_max(v, f));
    for (int i = 0; i < s->nkc; i++)
        assert_int_equal(lookup_key(u, s->kc[i].key), lookup_key(v, s->kc[i].key));
    for (int f = 0; f < 26; f++) /* unseen values: the same OOV ids */
        assert_int_equal(sp_vocab_lookup(u, f, 0x0badf00d, 1), 13 + f);
    int ids_v[39], ids_u[39];
    float w_v[39], w_u[39];
    for (int i = 0; i < 2000; i += 7) {
        sp_feature_map(v, &s->rows[i], 0, ids_v, w_v);
        sp_feature_map(u, &s->rows[i], 0, ids_u, w_u);
        assert_memory_equal(ids_v, ids_u, sizeof ids_v);
        assert_memory_equal(w_v, w_u, sizeof w_v);
    }
    uint8_t *a, *b;
    size_t na, nb;
    assert_int_equal(sp_vocab_to_bytes(v, &a, &na), SP_OK);
    assert_int_equal(sp_vocab_to_bytes(u, &b, &nb), SP_OK);
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, na);
    free(b);
    sp_vocab_free(u);
    unlink(path);
    free(a);
    sp_vocab_free(v);
}

/* Damaged files: each error says what is wrong and what to do. */
static void test_damaged_vocab_files(void **state)
{
    (void)state;
    sp_vocab *v = build("tiny.tsv", 1, 0, 0, SP_DENSE_SCALE), *u = NULL;
    const char *path = "test_vocab_damaged.vocab";
    uint8_t *a;
    size_t na;
    assert_int_equal(sp_vocab_to_bytes(v, &a, &na), SP_OK);
    uint8_t *bad = malloc(na);
    assert_non_null(bad);
    memcpy(bad, a, na);
    memcpy(bad, "NOTVOCAB", 8);
    assert_int_equal(write_bytes(path, bad, na), 0);
    assert_int_equal(sp_vocab_load(path, &u), SP_EFORMAT);
    assert_null(u);
    assert_non_null(strstr(sp_errmsg(), "bad magic number"));
    assert_non_null(strstr(sp_errmsg(), "--vocab-out"));
    memcpy(bad, a, na);
    bad[8] = 7; /* version 7 */
    assert_int_equal(write_bytes(path, bad, na), 0);
    assert_int_equal(sp_vocab_load(path, &u), SP_EFORMAT);
    assert_non_null(strstr(sp_errmsg(), "version 7, this spartan reads version 1; rebuild"));
    assert_int_equal(write_bytes(path, a, na / 2), 0);
    assert_int_equal(sp_vocab_load(path, &u), SP_EFORMAT);
    assert_non_null(strstr(sp_errmsg(), "truncated"));
    assert_int_equal(write_bytes(path, a, 20), 0);
    assert_int_equal(sp_vocab_load(path, &u), SP_EFORMAT);
    assert_non_null(strstr(sp_errmsg(), "truncated"));
    memcpy(bad, a, na);
    bad[na / 2] ^= 0x40;
    assert_int_equal(write_bytes(path, bad, na), 0);
    assert_int_equal(sp_vocab_load(path, &u), SP_EFORMAT);
    assert_non_null(strstr(sp_errmsg(), "checksum"));
    assert_int_equal(sp_vocab_from_bytes(a, na, "checkpoint", &u), SP_OK);
    assert_int_equal(sp_vocab_n_ids(u), sp_vocab_n_ids(v));
    sp_vocab_free(u);
    unlink(path);
    assert_int_equal(sp_vocab_load(path, &u), SP_EIO);
    free(bad);
    free(a);
    sp_vocab_free(v);
}

static void test_bad_options(void **state)
{
    (void)state;
    sp_vocab_options vo;
    sp_vocab_options_default(&vo);
    assert_int_equal(vo.min_count, 100);
    vo.min_count = -1;
    sp_vocab *v;
    assert_int_equal(sp_vocab_build_from_file(criteo_path("tiny.tsv"), NULL, &vo, &v), SP_EINVAL);
    assert_non_null(strstr(sp_errmsg(), "min_count"));
    sp_vocab_options_default(&vo);
    vo.hash_buckets = -5;
    assert_int_equal(sp_vocab_build_from_file(criteo_path("tiny.tsv"), NULL, &vo, &v), SP_EINVAL);
    sp_vocab_options_default(&vo);
    assert_int_equal(sp_vocab_build_from_file(criteo_path("bad_hex.tsv"), NULL, &vo, &v),
                     SP_EFORMAT);
    assert_non_null(strstr(sp_errmsg(), "bad_hex.tsv:3: field 17 (C3)"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tiny_ids_by_hand),
        cmocka_unit_test(test_tiny_feature_map_by_hand),
        cmocka_unit_test(test_min_count_against_brute_force),
        cmocka_unit_test(test_vocab_size_cap),
        cmocka_unit_test(test_dense_weights),
        cmocka_unit_test(test_hash_buckets),
        cmocka_unit_test(test_fastmod),
        cmocka_unit_test(test_save_load_round_trip),
        cmocka_unit_test(test_damaged_vocab_files),
        cmocka_unit_test(test_bad_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
