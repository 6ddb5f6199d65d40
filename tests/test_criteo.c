/* test_criteo.c: the Criteo and libsvm readers. References: the hand-written
 * values of tests/data/criteo/tiny.tsv, every malformed-line case with its
 * message and line number, random lines against strtoll/strtoul, and facts
 * of the real 2000-row slice counted with awk. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "spartan/data.h"
#include "test_util.h"

static const char *criteo_path(const char *name)
{
    static char buf[4200];
    snprintf(buf, sizeof buf, "%s", test_data_path("criteo"));
    size_t len = strlen(buf);
    snprintf(buf + len, sizeof buf - len, "/%s", name);
    return buf;
}

/* Read every row of a file (at most cap) with the given options; returns count or rc < 0. */
static int read_all(const char *name, const sp_criteo_options *opt, sp_criteo_row *rows, int cap)
{
    sp_criteo_reader *r;
    int rc = sp_criteo_reader_open(&r, criteo_path(name), opt);
    if (rc < 0) return rc;
    int n = 0;
    while (n < cap && (rc = sp_criteo_reader_next(r, &rows[n])) == 1) n++;
    sp_criteo_reader_close(r);
    return rc < 0 ? rc : n;
}

static void test_tiny_values(void **state)
{
    (void)state;
    sp_criteo_row rows[16];
    int n = read_all("tiny.tsv", NULL, rows, 16);
    assert_int_equal(n, 8);
    const int labels[8] = {0, 1, 0, 1, 0, 0, 1, 0};
    const int64_t i1[8] = {1, 5, 0, 10, -3, 2, 0, 0};
    const int i1_present[8] = {1, 1, 0, 1, 1, 1, 0, 1};
    const uint32_t c3[8] = {0xdeadbeef, 0xdeadbeef, 0, 0xdeadbeef, 0xcafef00d, 0xdeadbeef,
                            0xcafef00d, 0};
    for (int k = 0; k < 8; k++) {
        assert_int_equal(rows[k].line, k + 1);
        assert_int_equal(rows[k].label, labels[k]);
        assert_int_equal(rows[k].ints[0], i1[k]);
        assert_int_equal(rows[k].int_present & 1u, (unsigned)i1_present[k]);
        assert_int_equal(rows[k].cats[2], c3[k]);
        assert_int_equal((rows[k].cat_present >> 2) & 1u, c3[k] != 0);
        assert_int_equal(rows[k].cats[3], 0x0000000f);
    }
    assert_int_equal(rows[0].ints[1], -1);
    assert_int_equal(rows[5].ints[1], 100);
    assert_int_equal(rows[0].int_present >> 2 & 1u, 0); /* I3 missing on row 1 */
    assert_int_equal(rows[2].int_present >> 12 & 1u, 0); /* I13 missing on row 3 */
    assert_int_equal(rows[7].cat_present >> 25 & 1u, 0); /* C26 missing on the last row */
    assert_int_equal(rows[6].cat_present >> 25 & 1u, 1);
    assert_int_equal(rows[4].cat_present & 1u, 0);       /* C1 missing on row 5 */
    assert_int_equal(rows[7].cats[1], 0x33333333);
}

static int rows_equal(const sp_criteo_row *a, const sp_criteo_row *b)
{
    return a->line == b->line && a->label == b->label && a->int_present == b->int_present &&
           a->cat_present == b->cat_present && !memcmp(a->ints, b->ints, sizeof a->ints) &&
           !memcmp(a->cats, b->cats, sizeof a->cats);
}

/* gzip and plain, one tiny chunk (lines cross the buffer edge) and the default. */
static void test_gzip_and_chunks_identical(void **state)
{
    (void)state;
    sp_criteo_row a[8], b[8], c[8];
    sp_criteo_options small;
    sp_criteo_options_default(&small);
    small.chunk_bytes = 64;
    assert_int_equal(read_all("tiny.tsv", NULL, a, 8), 8);
    assert_int_equal(read_all("tiny.tsv.gz", NULL, b, 8), 8);
    assert_int_equal(read_all("tiny.tsv", &small, c, 8), 8);
    for (int k = 0; k < 8; k++) {
        assert_true(rows_equal(&a[k], &b[k]));
        assert_true(rows_equal(&a[k], &c[k]));
    }
}

static void test_nolabel_format(void **state)
{
    (void)state;
    sp_criteo_row a[8], b[8];
    sp_criteo_options opt;
    sp_criteo_options_default(&opt);
    opt.format = SP_CRITEO_TSV_NOLABEL;
    assert_int_equal(read_all("tiny.tsv", NULL, a, 8), 8);
    assert_int_equal(read_all("tiny_nolabel.tsv", &opt, b, 8), 8);
    for (int k = 0; k < 8; k++) {
        assert_int_equal(b[k].label, -1);
        b[k].label = a[k].label;
        assert_true(rows_equal(&a[k], &b[k]));
    }
    /* the labelled file read as unlabelled has 40 fields: an error naming the count */
    assert_int_equal(read_all("tiny.tsv", &opt, a, 8), SP_EFORMAT);
    assert_non_null(strstr(sp_errmsg(), "tiny.tsv:1: found 40 fields, expected 39"));
}

static void test_csv_header_format(void **state)
{
    (void)state;
    sp_criteo_row rows[32];
    sp_criteo_options opt;
    sp_criteo_options_default(&opt);
    opt.format = SP_CRITEO_CSV_HEADER;
    assert_int_equal(read_all("deepctr_head.csv", &opt, rows, 32), 20);
    /* line 2: 0,,3,260.0,,17668.0,,,33.0,,,,0.0,,05db9164,08d6d899,... */
    assert_int_equal(rows[0].line, 2);
    assert_int_equal(rows[0].label, 0);
    assert_int_equal(rows[0].int_present & 1u, 0);
    assert_int_equal(rows[0].ints[1], 3);
    assert_int_equal(rows[0].ints[2], 260);
    assert_int_equal(rows[0].ints[4], 17668);
    assert_int_equal(rows[0].ints[11], 0);
    assert_int_equal(rows[0].int_present >> 11 & 1u, 1);
    assert_int_equal(rows[0].cats[0], 0x05db9164);
    assert_int_equal(rows[0].cats[1], 0x08d6d899);
    assert_int_equal(rows[1].ints[1], -1);
    /* the TSV reader on a CSV file: one field per line */
    assert_int_equal(read_all("deepctr_head.csv", NULL, rows, 32), SP_EFORMAT);
    assert_non_null(strstr(sp_errmsg(), "deepctr_head.csv:1: found 1 fields, expected 40"));
}

typedef struct bad_case {
    const char *file;
    const char *message; /* expected after "PATH" */
} bad_case;

static const bad_case bad_cases[] = {
    {"bad_short.tsv", ":3: found 39 fields, expected 40 (label, 13 integer, 26 categorical)"},
    {"bad_long.tsv", ":2: found 41 fields, expected 40"},
    {"bad_int.tsv", ":4: field 4 (I3): 'x7' is not an integer"},
    {"bad_int_float.tsv", ":2: field 2 (I1): '1.5' is not an integer"},
    {"bad_hex.tsv", ":3: field 17 (C3): 'deadbeeg' is not an 8-digit hex hash"},
    {"bad_hex_len.tsv", ":1: field 15 (C1): 'abc' is not an 8-digit hex hash"},
    {"bad_label.tsv", ":2: field 1 (label): '2' is not 0 or 1"},
    {"bad_empty_line.tsv", ":2: found 1 fields, expected 40"},
    {"bad_spaces.tsv", ":1: found 1 fields, expected 40"},
};

/* Fatal mode: SP_EFORMAT, "PATH:LINE: ..." naming the field; skip mode: counted. */
static void test_malformed_lines(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof bad_cases / sizeof bad_cases[0]; k++) {
        const bad_case *bc = &bad_cases[k];
        char expect[600];
        snprintf(expect, sizeof expect, "%s%s", criteo_path(bc->file), bc->message);
        sp_criteo_row rows[8];
        int rc = read_all(bc->file, NULL, rows, 8);
        if (rc != SP_EFORMAT || strncmp(sp_errmsg(), expect, strlen(expect)) != 0)
            print_error("case %s: rc %d, message '%s', expected '%s'\n", bc->file, rc,
                        sp_errmsg(), expect);
        assert_int_equal(rc, SP_EFORMAT);
        assert_true(strncmp(sp_errmsg(), expect, strlen(expect)) == 0);

        sp_criteo_options skip;
        sp_criteo_options_default(&skip);
        skip.skip_bad = 1;
        sp_criteo_reader *r;
        assert_int_equal(sp_criteo_reader_open(&r, criteo_path(bc->file), &skip), SP_OK);
        int n = 0;
        while ((rc = sp_criteo_reader_next(r, &rows[n < 7 ? n : 7])) == 1) n++;
        assert_int_equal(rc, 0);
        assert_int_equal(sp_criteo_reader_bad_lines(r), 1);
        assert_int_equal(n, sp_criteo_reader_rows(r));
        assert_true(strncmp(sp_criteo_reader_first_bad(r), expect, strlen(expect)) == 0);
        sp_criteo_reader_close(r);
    }
}

static void test_mixed_bad_skip_count(void **state)
{
    (void)state;
    sp_criteo_options skip;
    sp_criteo_options_default(&skip);
    skip.skip_bad = 1;
    sp_criteo_row rows[16];
    int n = read_all("mixed_bad.tsv", &skip, rows, 16);
    assert_int_equal(n, 6);
    const int good_lines[6] = {1, 3, 5, 7, 8, 10};
    for (int k = 0; k < 6; k++) assert_int_equal(rows[k].line, good_lines[k]);
    sp_criteo_reader *r;
    assert_int_equal(sp_criteo_reader_open(&r, criteo_path("mixed_bad.tsv"), &skip), SP_OK);
    while (sp_criteo_reader_next(r, &rows[0]) == 1) {
    }
    assert_int_equal(sp_criteo_reader_bad_lines(r), 4);
    assert_non_null(strstr(sp_criteo_reader_first_bad(r), "mixed_bad.tsv:2: field 4 (I3)"));
    /* rewind restarts the count and the lines */
    assert_int_equal(sp_criteo_reader_rewind(r), SP_OK);
    int m = 0;
    while (sp_criteo_reader_next(r, &rows[m]) == 1) m++;
    assert_int_equal(m, 6);
    assert_int_equal(rows[0].line, 1);
    assert_int_equal(sp_criteo_reader_bad_lines(r), 4);
    sp_criteo_reader_close(r);
    /* fatal mode stops at line 2; the rows before it were returned */
    assert_int_equal(read_all("mixed_bad.tsv", NULL, rows, 16), SP_EFORMAT);
    assert_non_null(strstr(sp_errmsg(), "mixed_bad.tsv:2: field 4 (I3): 'x7' is not an integer"));
}

/* Random lines against an independent reference (strtoll, strtoul and the
 * format's rules), so that the fast path (SSE2/SWAR fields) accepts exactly
 * the well-formed lines and reads them as the checked parser would: ints
 * with signs, 1 to 22 digits and stray bytes; hashes with every kind of
 * wrong byte; missing fields; lines cut before their last separator. */
typedef struct random_line {
    int valid;
    unsigned ip, cp;
    long long ints[SP_CRITEO_INT_FIELDS];
    uint32_t cats[SP_CRITEO_CAT_FIELDS];
} random_line;

/* One random field into s; 1 well formed (value in *v), 0 missing, -1 malformed. */
static int random_int_field(char *s, long long *v)
{
    int k = 0, kind = rand() % 10;
    if (kind == 0) return s[0] = '\0', 0;
    if (rand() % 8 == 0) s[k++] = "+-"[rand() % 2];
    int nd = kind == 9 ? 1 + rand() % 22 : 1 + rand() % 8;
    for (int d = 0; d < nd; d++) s[k++] = (char)('0' + rand() % 10);
    if (rand() % 40 == 0) s[k++] = "x:/ .a\x80"[rand() % 7];
    s[k] = '\0';
    int j = s[0] == '-' || s[0] == '+', good = k > j && k - j <= 18;
    for (int t = j; t < k; t++) good &= s[t] >= '0' && s[t] <= '9';
    *v = good ? strtoll(s, NULL, 10) : 0;
    return good ? 1 : -1;
}

static int random_cat_field(char *s, uint32_t *v)
{
    static const char hex[] = "0123456789abcdefABCDEF", any[] = "0123456789abcdefABCDEFgG@`/: \x01\x80\xff";
    if (rand() % 5 == 0) return s[0] = '\0', 0;
    int bad = rand() % 40 == 0, len = bad && rand() % 2 ? rand() % 10 : 8, good = len == 8;
    for (int k = 0; k < len; k++) {
        s[k] = bad ? any[rand() % (int)(sizeof any - 1)] : hex[rand() % (int)(sizeof hex - 1)];
        good &= strchr(hex, s[k]) != NULL;
    }
    s[len] = '\0';
    if (len == 0) return 0; /* an empty field is a missing value */
    *v = good ? (uint32_t)strtoul(s, NULL, 16) : 0;
    return good ? 1 : -1;
}

static void test_random_fields(void **state)
{
    (void)state;
    enum { LINES = 20000 };
    static random_line ref[LINES];
    const char *tmp = "test_criteo_random.tsv";
    FILE *f = fopen(tmp, "wb");
    assert_non_null(f);
    srand(5);
    for (int l = 0; l < LINES; l++) {
        random_line *x = &ref[l];
        char line[1024], field[64];
        int n = snprintf(line, sizeof line, "%d", rand() % 2), ok = 1;
        x->ip = x->cp = 0;
        for (int i = 0; i < SP_CRITEO_INT_FIELDS; i++) {
            int rc = random_int_field(field, &x->ints[i]);
            ok &= rc >= 0;
            x->ip |= (unsigned)(rc > 0) << i;
            n += snprintf(line + n, sizeof line - (size_t)n, "\t%s", field);
        }
        for (int i = 0; i < SP_CRITEO_CAT_FIELDS; i++) {
            int rc = random_cat_field(field, &x->cats[i]);
            ok &= rc >= 0;
            x->cp |= (unsigned)(rc > 0) << i;
            n += snprintf(line + n, sizeof line - (size_t)n, "\t%s", field);
        }
        if (rand() % 50 == 0) { /* cut before the last separator: a field short */
            n = rand() % (int)(strrchr(line, '\t') - line);
            ok = 0;
        }
        x->valid = ok;
        fprintf(f, "%.*s\n", n, line);
    }
    fclose(f);
    sp_criteo_options skip;
    sp_criteo_options_default(&skip);
    skip.skip_bad = 1;
    sp_criteo_reader *r;
    sp_criteo_row row;
    assert_int_equal(sp_criteo_reader_open(&r, tmp, &skip), SP_OK);
    int l = 0, good = 0;
    for (int k = 0; k < LINES; k++) good += ref[k].valid;
    while (sp_criteo_reader_next(r, &row) == 1) {
        while (l < LINES && !ref[l].valid) l++;
        assert_true(l < LINES);
        assert_int_equal(row.line, l + 1);
        assert_int_equal(row.int_present, ref[l].ip);
        assert_int_equal(row.cat_present, ref[l].cp);
        for (int i = 0; i < SP_CRITEO_INT_FIELDS; i++)
            if (ref[l].ip >> i & 1u) assert_int_equal(row.ints[i], ref[l].ints[i]);
        for (int i = 0; i < SP_CRITEO_CAT_FIELDS; i++)
            if (ref[l].cp >> i & 1u) assert_int_equal(row.cats[i], ref[l].cats[i]);
        l++;
    }
    assert_int_equal(sp_criteo_reader_rows(r), good);
    assert_int_equal(sp_criteo_reader_bad_lines(r), LINES - good);
    assert_true(good > LINES / 4 && good < LINES * 3 / 4); /* both kinds well represented */
    sp_criteo_reader_close(r);
    unlink(tmp);
}

static void test_open_errors(void **state)
{
    (void)state;
    sp_criteo_reader *r;
    assert_int_equal(sp_criteo_reader_open(&r, criteo_path("no_such_file.tsv"), NULL), SP_EIO);
    assert_null(r);
    assert_non_null(strstr(sp_errmsg(), "no_such_file.tsv: cannot open"));
    /* a gzip file cut in half is an error, never a silently shorter file */
    const char *tmp = "test_criteo_truncated.tsv.gz";
    FILE *in = fopen(criteo_path("criteo_train_2000.txt.gz"), "rb");
    assert_non_null(in);
    static unsigned char buf[1 << 16];
    size_t got = fread(buf, 1, sizeof buf, in);
    fclose(in);
    FILE *out = fopen(tmp, "wb");
    assert_non_null(out);
    fwrite(buf, 1, got, out);
    fclose(out);
    assert_int_equal(sp_criteo_reader_open(&r, tmp, NULL), SP_OK);
    sp_criteo_row row;
    int rc, n = 0;
    while ((rc = sp_criteo_reader_next(r, &row)) == 1) n++;
    sp_criteo_reader_close(r);
    unlink(tmp);
    assert_true(n < 2000);
    assert_true(rc < 0);
    assert_non_null(strstr(sp_errmsg(), "truncated"));
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static int distinct(uint32_t *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_u32);
    int d = n > 0;
    for (int k = 1; k < n; k++) d += v[k] != v[k - 1];
    return d;
}

/* The README's facts of criteo_train_2000.txt.gz (counted with awk and sort). */
static void test_real_slice_facts(void **state)
{
    (void)state;
    sp_criteo_reader *r;
    assert_int_equal(sp_criteo_reader_open(&r, criteo_path("criteo_train_2000.txt.gz"), NULL),
                     SP_OK);
    static uint32_t c3[2000], c9[2000];
    int n = 0, pos = 0, i1_missing = 0, i2_neg = 0, n3 = 0, n9 = 0, c3_missing = 0, rc;
    int64_t i2_max = 0, i5_max = 0;
    sp_criteo_row row;
    while ((rc = sp_criteo_reader_next(r, &row)) == 1 && n < 2000) {
        n++;
        pos += row.label;
        i1_missing += !(row.int_present & 1u);
        i2_neg += (row.int_present >> 1 & 1u) && row.ints[1] < 0;
        if (row.ints[1] > i2_max) i2_max = row.ints[1];
        if (row.ints[4] > i5_max) i5_max = row.ints[4];
        if (row.cat_present >> 2 & 1u) c3[n3++] = row.cats[2];
        else c3_missing++;
        if (row.cat_present >> 8 & 1u) c9[n9++] = row.cats[8];
    }
    assert_int_equal(rc, 0);
    assert_int_equal(sp_criteo_reader_offset(r), 170835); /* the whole .gz consumed */
    sp_criteo_reader_close(r);
    assert_int_equal(n, 2000);
    assert_int_equal(pos, 418);
    assert_int_equal(i1_missing, 890);
    assert_int_equal(i2_neg, 217);
    assert_int_equal(i2_max, 7864);
    assert_int_equal(i5_max, 1015215);
    assert_int_equal(c3_missing, 66);
    assert_int_equal(distinct(c3, n3), 1292);
    assert_int_equal(distinct(c9, n9), 2);
}

/* The full shared sample when present (not shipped in tests/data): README facts. */
static void test_full_sample_if_present(void **state)
{
    (void)state;
    const char *path = "/work/shared/data/criteo/criteo_train_8000.txt";
    if (access(path, R_OK) != 0) skip();
    sp_criteo_reader *r;
    assert_int_equal(sp_criteo_reader_open(&r, path, NULL), SP_OK);
    static uint32_t c3[8000], c9[8000];
    int n = 0, pos = 0, i1_missing = 0, n3 = 0, n9 = 0;
    sp_criteo_row row;
    while (n < 8000 && sp_criteo_reader_next(r, &row) == 1) {
        n++;
        pos += row.label;
        i1_missing += !(row.int_present & 1u);
        if (row.cat_present >> 2 & 1u) c3[n3++] = row.cats[2];
        if (row.cat_present >> 8 & 1u) c9[n9++] = row.cats[8];
    }
    assert_int_equal(sp_criteo_reader_next(r, &row), 0);
    sp_criteo_reader_close(r);
    assert_int_equal(n, 8000);
    assert_int_equal(pos, 1728);
    assert_small(i1_missing / 8000.0 - 0.45, 0.01); /* README: I1 45 % missing */
    assert_int_equal(distinct(c3, n3), 4524);
    assert_int_equal(distinct(c9, n9), 3);
}

static void test_libsvm(void **state)
{
    (void)state;
    sp_libsvm_reader *r;
    assert_int_equal(sp_libsvm_reader_open(&r, criteo_path("tiny.svm"), NULL), SP_OK);
    sp_libsvm_row row;
    const int labels[4] = {1, 0, 1, 0}, lines[4] = {1, 3, 4, 6}, counts[4] = {3, 2, 2, 1};
    for (int k = 0; k < 4; k++) {
        assert_int_equal(sp_libsvm_reader_next(r, &row), 1);
        assert_int_equal(row.label, labels[k]);
        assert_int_equal(row.line, lines[k]);
        assert_int_equal(row.n, counts[k]);
        if (k == 0) {
            assert_int_equal(row.ids[1], 7);
            assert_true(row.vals[1] == 0.5f);
            assert_int_equal(row.ids[2], 12);
        }
        if (k == 2) {
            assert_int_equal(row.ids[0], 7);
            assert_true(row.vals[1] == -2.5f);
        }
    }
    assert_int_equal(sp_libsvm_reader_next(r, &row), 0);
    assert_int_equal(sp_libsvm_reader_max_id(r), 12);
    sp_libsvm_reader_close(r);

    assert_int_equal(sp_libsvm_reader_open(&r, criteo_path("bad.svm"), NULL), SP_OK);
    assert_int_equal(sp_libsvm_reader_next(r, &row), 1);
    assert_int_equal(sp_libsvm_reader_next(r, &row), SP_EFORMAT);
    assert_non_null(strstr(sp_errmsg(), "bad.svm:2: '3:x' is not an id:value pair"));
    sp_libsvm_reader_close(r);

    sp_libsvm_options skip = {.skip_bad = 1};
    assert_int_equal(sp_libsvm_reader_open(&r, criteo_path("bad.svm"), &skip), SP_OK);
    int n = 0;
    while (sp_libsvm_reader_next(r, &row) == 1) n++;
    assert_int_equal(n, 2);
    assert_int_equal(sp_libsvm_reader_bad_lines(r), 1);
    assert_non_null(strstr(sp_libsvm_reader_first_bad(r), "bad.svm:2:"));
    sp_libsvm_reader_close(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tiny_values),
        cmocka_unit_test(test_gzip_and_chunks_identical),
        cmocka_unit_test(test_nolabel_format),
        cmocka_unit_test(test_csv_header_format),
        cmocka_unit_test(test_malformed_lines),
        cmocka_unit_test(test_mixed_bad_skip_count),
        cmocka_unit_test(test_random_fields),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_real_slice_facts),
        cmocka_unit_test(test_full_sample_if_present),
        cmocka_unit_test(test_libsvm),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
