/* test_idx.c: the IDX (MNIST) reader: write/read round trip (plain and gzip,
 * 1 to 4 dimensions, first-items slices), the shipped MNIST t10k facts
 * (10000 labels with the published class counts, the 1000-image slice's
 * shape and pixel sum, the full file's 10000 x 28 x 28 header when the shared
 * data is present), clear errors for bad magic, other types, truncated and
 * over-long files, and the dense-data loader for `spartan train mlp`. */
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

/* sp_errmsg() contains every one of the NULL-terminated fragments. */
static void assert_msg_has(const char *frag, ...)
{
    va_list ap;
    va_start(ap, frag);
    for (const char *f = frag; f; f = va_arg(ap, const char *))
        if (!strstr(sp_errmsg(), f)) {
            print_error("message '%s' lacks '%s'\n", sp_errmsg(), f);
            va_end(ap);
            fail();
        }
    va_end(ap);
}

static void test_round_trip(void **state)
{
    (void)state;
    uint8_t buf[2 * 3 * 4 * 5];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(i * 37 + 11);
    for (int ndim = 1; ndim <= 4; ndim++)
        for (int gz = 0; gz <= 1; gz++) {
            sp_idx x = {ndim, {2, 3, 4, 5}, 0, 1, buf};
            for (int d = 0; d < ndim; d++)
                x.count *= x.dims[d];
            const char *p = tmp_path(gz ? "rt.idx.gz" : "rt.idx");
            assert_int_equal(sp_idx_write(p, &x, gz), SP_OK);
            assert_int_equal(sp_idx_probe(p), 1);
            sp_idx y;
            assert_int_equal(sp_idx_read(p, 0, &y), SP_OK);
            assert_int_equal(y.ndim, ndim);
            assert_int_equal(y.file_items, 2);
            assert_int_equal(y.count, x.count);
            for (int d = 0; d < ndim; d++)
                assert_int_equal(y.dims[d], x.dims[d]);
            assert_memory_equal(y.data, buf, (size_t)x.count);
            sp_idx_uninit(&y);
            /* the first item only; header says 2 */
            assert_int_equal(sp_idx_read(p, 1, &y), SP_OK);
            assert_int_equal(y.dims[0], 1);
            assert_int_equal(y.file_items, 2);
            assert_int_equal(y.count, sp_idx_item_size(&x));
            assert_memory_equal(y.data, buf, (size_t)y.count);
            sp_idx_uninit(&y);
        }
    /* plain file bytes are exactly the format: big-endian dims after 00 00 08 03 */
    sp_idx x = {3, {2, 3, 4}, 0, 24, buf};
    assert_int_equal(sp_idx_write(tmp_path("b.idx"), &x, 0), SP_OK);
    FILE *fp = fopen(tmp_path("b.idx"), "rb");
    uint8_t head[16 + 24];
    assert_int_equal(fread(head, 1, sizeof head, fp), sizeof head);
    assert_int_equal(fgetc(fp), EOF);
    fclose(fp);
    const uint8_t want[16] = {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4};
    assert_memory_equal(head, want, 16);
    assert_memory_equal(head + 16, buf, 24);
}

static void test_mnist_labels(void **state)
{
    (void)state;
    const int counts[10] = {980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009};
    sp_idx lab;
    assert_int_equal(sp_idx_read(test_data_path("mnist/t10k-labels-idx1-ubyte.gz"), 0, &lab), SP_OK);
    assert_int_equal(lab.ndim, 1);
    assert_int_equal(lab.dims[0], 10000);
    int seen[256] = {0};
    for (int64_t i = 0; i < lab.count; i++)
        seen[lab.data[i]]++;
    for (int k = 0; k < 10; k++)
        assert_int_equal(seen[k], counts[k]);
    assert_int_equal(lab.data[0], 7); /* the first test digit is a 7 */
    sp_idx_uninit(&lab);
}

static void test_mnist_images(void **state)
{
    (void)state;
    sp_idx img;
    assert_int_equal(sp_idx_read(test_data_path("mnist/t10k-images-1000-idx3-ubyte.gz"), 0, &img), SP_OK);
    assert_int_equal(img.ndim, 3);
    assert_int_equal(img.dims[0], 1000);
    assert_int_equal(img.dims[1], 28);
    assert_int_equal(img.dims[2], 28);
    assert_int_equal(sp_idx_item_size(&img), 784);
    int64_t sum = 0;
    for (int64_t i = 0; i < img.count; i++)
        sum += img.data[i];
    assert_int_equal(sum, 24443134); /* computed with Python from the shared file (README) */
    sp_idx_uninit(&img);
    /* the full shared file, when present (not copied into tests/data) */
    const char *full = test_data_path("../../../shared/data/mnist/t10k-images-idx3-ubyte.gz");
    if (access(full, R_OK) != 0) {
        print_message("shared MNIST images not found at %s: header check skipped\n", full);
        return;
    }
    assert_int_equal(sp_idx_read_header(full, &img), SP_OK);
    assert_int_equal(img.ndim, 3);
    assert_int_equal(img.dims[0], 10000);
    assert_int_equal(img.dims[1], 28);
    assert_int_equal(img.dims[2], 28);
    assert_null(img.data);
}

static void test_bad_files(void **state)
{
    (void)state;
    const char *p = tmp_path("bad.idx");
    sp_idx x;
    write_bytes(p, "label,x\n1,2\n", 12);
    assert_int_equal(sp_idx_read(p, 0, &x), SP_EFORMAT);
    assert_msg_has(p, "not an IDX file", "magic 0x6c616265", "byte 0", "0x00000803", NULL);
    assert_null(x.data);
    assert_int_equal(sp_idx_probe(p), 0);
    const uint8_t flt[12] = {0, 0, 0x0D, 1, 0, 0, 0, 2, 0, 0, 0, 0};
    write_bytes(p, flt, sizeof flt);
    assert_int_equal(sp_idx_read(p, 0, &x), SP_EFORMAT);
    assert_msg_has("type 0x0d (float)", "byte 2", NULL);
    const uint8_t nd[8] = {0, 0, 8, 9, 0, 0, 0, 1};
    write_bytes(p, nd, sizeof nd);
    assert_int_equal(sp_idx_read(p, 0, &x), SP_EFORMAT);
    assert_msg_has("9 dimensions", NULL);
    write_bytes(p, "\0\0", 2);
    assert_int_equal(sp_idx_read(p, 0, &x), SP_EFORMAT);
    assert_msg_has("truncated IDX header", "2 bytes", NULL);
    const uint8_t hdr[10] = {0, 0, 8, 3, 0, 0, 0, 5, 0, 0};
    write_bytes(p, hdr, sizeof hdr);
    assert_int_equal(sp_idx_read(p, 0, &x), SP_EFORMAT);
    assert_msg_has("truncated IDX header", "ends at byte 10", "needs 16", NULL);
    const uint8_t zero[8] = {0, 0, 8, 1, 0, 0, 0, 0};
    write_bytes(p, zero, sizeof zero);
    assert_int_equal(sp_idx_read(p, 0, &x), SP_EFORMAT);
    assert_msg_has("dimension 1", "is 0", NULL);
    assert_int_equal(sp_idx_read(tmp_path("missing.idx"), 0, &x), SP_EIO);
    assert_msg_has("missing.idx", "cannot open", NULL);
}

/* A 3-image file cut inside image 2 (plain and gzip), and one with extra bytes. */
static void test_truncated_and_long(void **state)
{
    (void)state;
    uint8_t data[3 * 4] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    sp_idx x = {3, {3, 2, 2}, 0, 12, data}, y;
    for (int gz = 0; gz <= 1; gz++) {
        const char *full = tmp_path(gz ? "t.idx.gz" : "t.idx");
        assert_int_equal(sp_idx_write(full, &x, gz), SP_OK);
        FILE *fp = fopen(full, "rb");
        uint8_t bytes[256];
        size_t n = fread(bytes, 1, sizeof bytes, fp);
        fclose(fp);
        /* plain: keep header + 9 data bytes; gzip: drop the 8-byte trailer and some data */
        write_bytes(tmp_path("cut"), bytes, gz ? n - 12 : 16 + 9);
        assert_int_equal(sp_idx_read(tmp_path("cut"), 0, &y), SP_EFORMAT);
        assert_msg_has("cut", "truncated IDX data", "3 x 2 x 2", "12 data bytes from byte 16", NULL);
        if (!gz) assert_msg_has("ends at byte 25, inside item 2", NULL);
        assert_null(y.data);
        /* the first two items are complete in the plain cut file */
        if (!gz) {
            assert_int_equal(sp_idx_read(tmp_path("cut"), 2, &y), SP_OK);
            assert_memory_equal(y.data, data, 8);
            sp_idx_uninit(&y);
        }
    }
    FILE *fp = fopen(tmp_path("t.idx"), "ab");
    fputs("xyz", fp);
    fclose(fp);
    assert_int_equal(sp_idx_read(tmp_path("t.idx"), 0, &y), SP_EFORMAT);
    assert_msg_has("3 bytes after the data", "ends at byte 28", NULL);
}

static void test_dense_from_idx(void **state)
{
    (void)state;
    sp_dense_data d;
    char img[4096], lab[4096]; /* test_data_path's buffer is reused by the next call */
    snprintf(img, sizeof img, "%s", test_data_path("mnist/t10k-images-1000-idx3-ubyte.gz"));
    snprintf(lab, sizeof lab, "%s", test_data_path("mnist/t10k-labels-1000-idx1-ubyte.gz"));
    assert_int_equal(sp_dense_data_load_idx(&d, img, lab, 0), SP_OK);
    assert_int_equal(d.n, 1000);
    assert_int_equal(d.features, 784);
    assert_int_equal(d.classes, 10);
    assert_int_equal(d.labels[0], 7);
    double sum = 0.0;
    for (size_t i = 0; i < 784000; i++)
        sum += d.x[i];
    assert_small(sum - 24443134.0, 0.5);
    sp_dense_data_uninit(&d);
    assert_int_equal(sp_dense_data_load_idx(&d, img, lab, 10), SP_OK);
    assert_int_equal(d.n, 10);
    sp_dense_data_uninit(&d);
    /* 1000 images against 10000 labels; images given as labels */
    snprintf(lab, sizeof lab, "%s", test_data_path("mnist/t10k-labels-idx1-ubyte.gz"));
    assert_int_equal(sp_dense_data_load_idx(&d, img, lab, 0), SP_EFORMAT);
    assert_msg_has("1000 items", "10000 labels", NULL);
    assert_null(d.x);
    assert_int_equal(sp_dense_data_load_idx(&d, img, img, 0), SP_EFORMAT);
    assert_msg_has("1-D IDX", "3 dimensions", NULL);
}

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/spartan_test_idx_XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    const char *names[] = {"rt.idx", "rt.idx.gz", "b.idx", "bad.idx", "t.idx", "t.idx.gz", "cut"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        unlink(tmp_path(names[i]));
    return rmdir(tmpdir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_mnist_labels),
        cmocka_unit_test(test_mnist_images),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_truncated_and_long),
        cmocka_unit_test(test_dense_from_idx),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
