/* cooc_args.c: click-log options of `spartan cooc` / `spartan embdim`, input
 * recognition, and the two-pass co-occurrence build (see cooc_args.h). The
 * numerics live in the data layer; this file only wires, times and reports. */
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>
#include "cli/cli.h"
#include "cli/cooc_args.h"

void sp_cooc_args_init(sp_cooc_args *a)
{
    memset(a, 0, sizeof *a);
    a->min_count = 100;
    a->memory_mb = 512;
}

const char *sp_cli_option_value(const char *cmd, int argc, char **argv, int *i, const char *opt)
{
    size_t len = strlen(opt);
    if (argv[*i][len] == '=') return argv[*i] + len + 1;
    if (*i + 1 >= argc) {
        sp_cli_usage_error(cmd, "%s needs a value", opt);
        return NULL;
    }
    return argv[++*i];
}

int sp_cli_is_opt(const char *arg, const char *opt)
{
    size_t len = strlen(opt);
    return !strncmp(arg, opt, len) && (arg[len] == '\0' || arg[len] == '=');
}

static int parse_flag(const char *arg, sp_cooc_args *a)
{
    if (!strcmp(arg, "--weighted")) return a->weighted = 1, 1;
    if (!strcmp(arg, "--diagonal")) return a->diagonal = 1, 1;
    if (!strcmp(arg, "--no-diagonal")) return a->diagonal = 0, 1;
    if (!strcmp(arg, "--skip-bad")) return a->skip_bad = 1, 1;
    return 0;
}

static int parse_number(const char *cmd, const char *opt, const char *v, sp_cooc_args *a)
{
    if (!strcmp(opt, "--min-count")) {
        a->min_count_given = 1;
        return sp_cli_parse_int(cmd, opt, v, 0, 2147483647L, &a->min_count);
    }
    if (!strcmp(opt, "--hash-buckets"))
        return sp_cli_parse_int(cmd, opt, v, 1, 2147483647L - SP_VOCAB_FIRST_ID, &a->hash_buckets);
    if (!strcmp(opt, "--vocab-size"))
        return sp_cli_parse_int(cmd, opt, v, 1, 2147483647L - SP_VOCAB_FIRST_ID, &a->vocab_size);
    return sp_cli_parse_int(cmd, opt, v, 1, 1L << 30, &a->memory_mb);
}

int sp_cooc_args_parse(const char *cmd, int argc, char **argv, int *i, sp_cooc_args *a)
{
    const char *arg = argv[*i];
    int got = parse_flag(arg, a);
    const char *texts[] = {"--vocab-out", "--vocab", "--normalize", "--dense", "--ints", "--input-format"};
    const char **targets[] = {&a->vocab_out, &a->vocab_in, &a->normalize, &a->dense, &a->ints, &a->input};
    for (size_t t = 0; !got && t < sizeof texts / sizeof texts[0]; t++)
        if (sp_cli_is_opt(arg, texts[t])) {
            if (!(*targets[t] = sp_cli_option_value(cmd, argc, argv, i, texts[t]))) return -1;
            got = 1;
        }
    const char *nums[] = {"--min-count", "--hash-buckets", "--vocab-size", "--memory"};
    for (size_t t = 0; !got && t < sizeof nums / sizeof nums[0]; t++)
        if (sp_cli_is_opt(arg, nums[t])) {
            const char *v = sp_cli_option_value(cmd, argc, argv, i, nums[t]);
            if (!v || parse_number(cmd, nums[t], v, a) < 0) return -1;
            got = 1;
        }
    if (got && !a->given++) a->first = arg;
    return got;
}

void sp_cooc_args_help(FILE *out)
{
    fprintf(out,
            "click-log options (Criteo TSV or libsvm, plain or .gz):\n"
            "  --input-format F     tsv (default: label + 13 ints + 26 hashes), tsv-nolabel, csv,\n"
            "                       or libsvm ('label id:value ...': C over the ids as written,\n"
            "                       n = largest id + 1, values as weights with --weighted)\n"
            "  --min-count C        vocabulary: keep (field, value) seen more than C times (100)\n"
            "  --vocab-size V       keep at most V vocabulary ids, most frequent first\n"
            "  --hash-buckets B     hash (field, value) into B buckets instead of a vocabulary\n"
            "  --vocab FILE         reuse a saved vocabulary (no counting pass)\n"
            "  --vocab-out FILE     save the vocabulary (same ids for training and prediction)\n"
            "  --dense log          integer weight log(1 + max(v, 0)) instead of v / max(field)\n"
            "  --ints present|all|none  integer-field ids in a row: present values only\n"
            "                       (default), all 13, or none\n"
            "  --weighted           C[i][j] = sum of w_i w_j instead of a count of rows\n"
            "  --diagonal           keep C[i][i] (rows holding i); --no-diagonal drops it (default)\n"
            "  --normalize N        none (default), sym (D^-1/2 C D^-1/2), ppmi\n"
            "  --memory MB          accumulator budget before sorted runs spill to disk (512)\n"
            "  --skip-bad           skip malformed lines (counted) instead of failing\n");
}

static int parse_enums(const char *cmd, const sp_cooc_args *a, sp_criteo_options *ro,
                       sp_vocab_options *vo, sp_cooc_options *co, unsigned *flags)
{
    const char *in = a->input ? a->input : "tsv", *nm = a->normalize ? a->normalize : "none";
    const char *ints = a->ints ? a->ints : "present";
    if (!strcmp(in, "tsv") || !strcmp(in, "libsvm")) ro->format = SP_CRITEO_TSV;
    else if (!strcmp(in, "tsv-nolabel")) ro->format = SP_CRITEO_TSV_NOLABEL;
    else if (!strcmp(in, "csv")) ro->format = SP_CRITEO_CSV_HEADER;
    else return sp_cli_usage_error(cmd, "--input-format: '%s' is not tsv, tsv-nolabel, csv or libsvm",
                                   in), -1;
    if (!strcmp(nm, "none")) co->normalize = SP_COOC_NORM_NONE;
    else if (!strcmp(nm, "sym")) co->normalize = SP_COOC_NORM_SYM;
    else if (!strcmp(nm, "ppmi")) co->normalize = SP_COOC_NORM_PPMI;
    else return sp_cli_usage_error(cmd, "--normalize: '%s' is not none, sym or ppmi", nm), -1;
    if (!strcmp(ints, "present")) *flags = SP_MAP_SKIP_MISSING_INTS;
    else if (!strcmp(ints, "all")) *flags = 0;
    else if (!strcmp(ints, "none")) *flags = SP_MAP_NO_INTS;
    else return sp_cli_usage_error(cmd, "--ints: '%s' is not present, all or none", ints), -1;
    if (a->dense && strcmp(a->dense, "log") && strcmp(a->dense, "scale"))
        return sp_cli_usage_error(cmd, "--dense: '%s' is not log (or scale, the default)", a->dense), -1;
    vo->dense = a->dense && !strcmp(a->dense, "log") ? SP_DENSE_LOG : SP_DENSE_SCALE;
    return 0;
}

/* A libsvm log's ids are its own: the options that make Criteo ids do not apply. */
static int libsvm_check(const char *cmd, const sp_cooc_args *a)
{
    const char *opt = a->min_count_given ? "--min-count" : a->vocab_size ? "--vocab-size"
                      : a->hash_buckets ? "--hash-buckets" : a->vocab_in ? "--vocab"
                      : a->vocab_out ? "--vocab-out" : a->dense ? "--dense" : a->ints ? "--ints"
                      : NULL;
    if (!opt) return 0;
    return sp_cli_usage_error(cmd, "%s makes Criteo ids; --input-format libsvm uses the ids as "
                              "written: drop it", opt), -1;
}

int sp_cooc_args_options(const char *cmd, const sp_cooc_args *a, sp_criteo_options *ro,
                         sp_vocab_options *vo, sp_cooc_options *co, unsigned *flags)
{
    sp_criteo_options_default(ro);
    sp_vocab_options_default(vo);
    sp_cooc_options_default(co);
    if (parse_enums(cmd, a, ro, vo, co, flags) < 0) return -1;
    ro->skip_bad = a->skip_bad;
    vo->min_count = a->min_count;
    vo->vocab_size = a->vocab_size;
    vo->hash_buckets = a->hash_buckets;
    co->weighted = a->weighted;
    co->diagonal = a->diagonal;
    co->memory_bytes = (size_t)a->memory_mb << 20;
    double have = sp_cli_machine_bytes();
    if (have > 0.0 && (double)co->memory_bytes > have)
        return sp_cli_usage_error(cmd, "--memory %ld MiB is more than this machine's %.0f MiB",
                                  a->memory_mb, have / (1 << 20)), -1;
    if (a->hash_buckets && a->vocab_size)
        return sp_cli_usage_error(cmd, "--hash-buckets and --vocab-size exclude each other"), -1;
    if (a->vocab_in && (a->hash_buckets || a->vocab_size || a->dense))
        return sp_cli_usage_error(cmd, "--vocab FILE fixes the ids: drop --hash-buckets, "
                                  "--vocab-size and --dense"), -1;
    return sp_cooc_args_libsvm(a) ? libsvm_check(cmd, a) : 0;
}

int sp_cooc_args_libsvm(const sp_cooc_args *a) { return a->input && !strcmp(a->input, "libsvm"); }

int sp_input_kind_of(const char *cmd, const char *path, sp_input_kind *kind)
{
    gzFile f = gzopen(path, "rb");
    if (!f) return sp_cli_usage_error(cmd, "%s: cannot open", path), -1;
    char head[16] = {0};
    int got = gzread(f, head, sizeof head - 1);
    gzclose(f);
    if (got < 0) return sp_cli_usage_error(cmd, "%s: cannot read", path), -1;
    if (!strncmp(head, "%%MatrixMarket", 14)) *kind = SP_INPUT_MTX;
    else if (!memcmp(head, "\x89SPCSR\r\n", 8)) *kind = SP_INPUT_CSR;
    else *kind = SP_INPUT_LOG;
    return 0;
}
