/* cmd_convert.c: `spartan convert IN OUT`: Matrix Market (plain or .gz) to
 * binary CSR for fast repeated reads, or binary CSR (.csr) back to Matrix
 * Market. Guarantees: values round-trip exactly both ways; OUT is written to
 * a temp file and renamed. Does not change the matrix (no symmetrization). */
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"
#include "spartan/csr_binary.h"

int sp_cmd_convert(int argc, char **argv);

static void convert_help(void)
{
    printf("usage: spartan convert IN OUT\n"
           "  IN.mtx (or .mtx.gz) -> OUT binary CSR (header with n, nnz, types, CRC-32 checksums);\n"
           "  IN.csr -> OUT.mtx (coordinate real; symmetric storage when the file says symmetric).\n"
           "  The direction follows IN's name: *.csr is binary, anything else Matrix Market.\n"
           "  Exit 0 on success, 2 on bad usage or a bad input file.\n");
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

static int mtx_to_binary(const char *in, const char *out)
{
    sp_csr A;
    sp_mm_info info;
    int rc = sp_mm_read(in, &A, &info);
    if (rc < 0) return sp_cli_report("convert", rc);
    int symmetric = info.symmetry == SP_MM_SYMMETRIC || (A.rows == A.cols && sp_csr_asymmetry(&A) == 0.0);
    rc = sp_csr_binary_write(out, &A, symmetric);
    if (rc == SP_OK)
        printf("%s: %d x %d, %lld nonzeros%s -> %s (%lld bytes)\n", in, A.rows, A.cols, (long long)A.nnz,
               symmetric ? ", symmetric" : "", out,
               (long long)(SP_CSR_BINARY_HEADER_BYTES + 8 * ((int64_t)A.rows + 1) + 12 * A.nnz));
    sp_csr_uninit(&A);
    sp_mm_info_uninit(&info);
    return rc < 0 ? sp_cli_report("convert", rc) : SP_EXIT_OK;
}

static int binary_to_mtx(const char *in, const char *out)
{
    sp_csr A;
    sp_csr_binary_info info;
    int rc = sp_csr_binary_read(in, &A, &info);
    if (rc < 0) return sp_cli_report("convert", rc);
    rc = sp_mm_write_csr(out, &A, info.symmetric ? SP_MM_SYMMETRIC : SP_MM_GENERAL, "converted by spartan convert");
    if (rc == SP_OK)
        printf("%s: %d x %d, %lld nonzeros -> %s\n", in, A.rows, A.cols, (long long)A.nnz, out);
    sp_csr_uninit(&A);
    return rc < 0 ? sp_cli_report("convert", rc) : SP_EXIT_OK;
}

int sp_cmd_convert(int argc, char **argv)
{
    const char *files[2] = {NULL, NULL};
    int nfiles = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            convert_help();
            return SP_EXIT_OK;
        }
        if (argv[i][0] == '-' && argv[i][1]) return sp_cli_usage_error("convert", "unknown option '%s' (see --help)", argv[i]);
        if (nfiles == 2) return sp_cli_usage_error("convert", "too many arguments (IN OUT expected)");
        files[nfiles++] = argv[i];
    }
    if (nfiles != 2) return sp_cli_usage_error("convert", "IN and OUT are required (see --help)");
    return ends_with(files[0], ".csr") ? binary_to_mtx(files[0], files[1]) : mtx_to_binary(files[0], files[1]);
}
