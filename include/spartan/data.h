/* spartan/data.h: click-log input for the embedding advisor and the Wide &
 * Deep trainer: a streaming Criteo reader (TSV plain or gzip, test format,
 * DeepCTR CSV), a libsvm reader, MindSpore-compatible feature mapping with a
 * saved vocabulary, and a bounded-memory co-occurrence matrix builder.
 *
 * Example (vocabulary pass, then co-occurrence pass):
 *   sp_criteo_options ro; sp_criteo_options_default(&ro);
 *   sp_vocab_options vo;  sp_vocab_options_default(&vo);   // min_count 100
 *   sp_vocab *voc;
 *   if (sp_vocab_build_from_file("train.txt.gz", &ro, &vo, &voc) < 0) goto fail;
 *   sp_vocab_save(voc, "train.vocab");           // same ids for train/predict
 *   sp_cooc_options co; sp_cooc_options_default(&co);
 *   sp_csr C;                                   // n_ids x n_ids, full symmetric
 *   if (sp_cooc_from_file("train.txt.gz", &ro, voc, 0, &co, &C, NULL) < 0) goto fail;
 *   ... sp_csr_uninit(&C); sp_vocab_free(voc);
 *   fail: fprintf(stderr, "spartan: %s\n", sp_errmsg());
 *
 * Row by row:
 *   sp_criteo_reader *r; sp_criteo_row row; int ids[39]; float w[39];
 *   sp_criteo_reader_open(&r, path, &ro);
 *   while ((rc = sp_criteo_reader_next(r, &row)) == 1) {
 *       int k = sp_feature_map(voc, &row, 0, ids, w);     // k = 39
 *       ...
 *   }
 *   sp_criteo_reader_close(r);                  // rc < 0: sp_errmsg() says where
 *
 * Id layout of a vocabulary (n_ids = 39 + vocabulary size):
 *   [0, 13)          integer fields I1..I13, one id each (field f -> id f)
 *   [13, 39)         out-of-vocabulary id of categorical field C1..C26 (13 + f)
 *   [39, n_ids)      vocabulary ids: (field, value) pairs seen more than
 *                    min_count times, ordered by descending count (ties by
 *                    field, then value, the missing value last), so low ids
 *                    are the frequent ones; in hash mode instead
 *                    39 + hash(field, value) mod B (a fixed hash, stable across runs).
 * A missing categorical value is a value of its own (as in MindSpore, where
 * the empty string is counted like any other category).
 *
 * Errors: SP_EFORMAT with "PATH:LINE: field N (I3): 'x' is not an integer";
 * fields are numbered from 1 in the line (the label is field 1 when present).
 * Nothing here prints or exits.
 */
#ifndef SPARTAN_DATA_H
#define SPARTAN_DATA_H

#include <stddef.h>
#include <stdint.h>
#include "spartan/core.h"
#include "spartan/linalg.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SP_CRITEO_INT_FIELDS 13
#define SP_CRITEO_CAT_FIELDS 26
#define SP_CRITEO_FIELDS 39 /* ids (and weights) per mapped row */
#define SP_VOCAB_FIRST_ID 39 /* first vocabulary id; below are integer and OOV ids */

/* ==== Criteo reader ===================================================== */

typedef enum sp_criteo_format {
    SP_CRITEO_TSV = 0,     /* Kaggle/Terabyte train: label \t I1..I13 \t C1..C26 (40 fields) */
    SP_CRITEO_TSV_NOLABEL, /* Kaggle test.txt: I1..I13 \t C1..C26 (39 fields), label -1 */
    SP_CRITEO_CSV_HEADER,  /* DeepCTR sample: "label,I1,..,C26" header, commas, ints as "260.0" */
    SP_CRITEO_FORMAT_COUNT
} sp_criteo_format;

typedef struct sp_criteo_options {
    sp_criteo_format format;
    int skip_bad;       /* 0 (default): a malformed line is fatal (SP_EFORMAT); 1: skip, count */
    size_t chunk_bytes; /* read buffer size; 0 = 256 KiB. Memory does not grow with the file. */
} sp_criteo_options;

/* One parsed line. Missing fields read as 0 with their present bit clear. */
typedef struct sp_criteo_row {
    int64_t line;         /* 1-based line number in the file */
    int label;            /* 0 or 1; -1 when the format has no label */
    uint32_t int_present; /* bit f: I(f+1) present */
    uint32_t cat_present; /* bit f: C(f+1) present */
    int64_t ints[SP_CRITEO_INT_FIELDS];  /* I1..I13 (may be negative) */
    uint32_t cats[SP_CRITEO_CAT_FIELDS]; /* C1..C26 as 32-bit values of the 8 hex digits */
} sp_criteo_row;

typedef struct sp_criteo_reader sp_criteo_reader;

void sp_criteo_options_default(sp_criteo_options *opt); /* TSV, fatal errors, 1 MiB */
/* Open a plain or gzip file (detected by content). opt NULL = defaults. */
int sp_criteo_reader_open(sp_criteo_reader **r, const char *path, const sp_criteo_options *opt);
/* Next good row: returns 1, 0 at end of file, < 0 on error (message names
 * PATH:LINE and the field). With skip_bad, malformed lines are counted, not returned. */
int sp_criteo_reader_next(sp_criteo_reader *r, sp_criteo_row *row);
/* Up to cap rows into rows[]; *n = rows stored (0 at end). Returns SP_OK or < 0. */
int sp_criteo_reader_read(sp_criteo_reader *r, sp_criteo_row *rows, int cap, int *n);
int sp_criteo_reader_rewind(sp_criteo_reader *r);              /* back to line 1 (second pass) */
int64_t sp_criteo_reader_rows(const sp_criteo_reader *r);      /* good rows returned so far */
/* Bytes of the file consumed so far (compressed bytes for gzip): progress
 * against the file's size. Read ahead by up to one buffer. */
int64_t sp_criteo_reader_offset(const sp_criteo_reader *r);
int64_t sp_criteo_reader_bad_lines(const sp_criteo_reader *r); /* lines skipped (skip_bad) */
const char *sp_criteo_reader_first_bad(const sp_criteo_reader *r); /* first skip message or "" */
void sp_criteo_reader_close(sp_criteo_reader *r);              /* NULL ok */
/* "label", "I1".."I13", "C1".."C26" for field index 0..39 of the labelled layout. */
const char *sp_criteo_field_name(int field);

/* ==== libsvm reader ===================================================== */
/* Lines "label id:value id:value ... [# comment]"; label 0, 1, -1 or +1
 * (-1 read as 0); ids non-negative integers < 2^31; blank and '#' lines skipped. */

typedef struct sp_libsvm_options {
    int skip_bad;       /* as in sp_criteo_options */
    size_t chunk_bytes; /* 0 = 256 KiB */
} sp_libsvm_options;

typedef struct sp_libsvm_row {
    int64_t line;
    int label;          /* 0 or 1 */
    int n;              /* pairs in this row */
    const int *ids;     /* n ids, as written (owned by the reader, valid until next call) */
    const float *vals;  /* n values */
} sp_libsvm_row;

typedef struct sp_libsvm_reader sp_libsvm_reader;

int sp_libsvm_reader_open(sp_libsvm_reader **r, const char *path, const sp_libsvm_options *opt);
int sp_libsvm_reader_next(sp_libsvm_reader *r, sp_libsvm_row *row); /* 1, 0 at end, < 0 */
int sp_libsvm_reader_rewind(sp_libsvm_reader *r);
int64_t sp_libsvm_reader_bad_lines(const sp_libsvm_reader *r);
const char *sp_libsvm_reader_first_bad(const sp_libsvm_reader *r);
int sp_libsvm_reader_max_id(const sp_libsvm_reader *r); /* largest id seen so far, -1 if none */
int64_t sp_libsvm_reader_offset(const sp_libsvm_reader *r); /* compressed bytes read (progress) */
void sp_libsvm_reader_close(sp_libsvm_reader *r);

/* ==== vocabulary and feature mapping ==================================== */

typedef enum sp_dense_mode {
    SP_DENSE_SCALE = 0, /* weight = value / max(field), max over the counting pass and >= 0
                         * (MindSpore's); 0 when that max is 0 */
    SP_DENSE_LOG = 1,   /* weight = log(1 + max(value, 0)) */
    SP_DENSE_MODE_COUNT
} sp_dense_mode;

typedef struct sp_vocab_options {
    int64_t min_count;    /* keep (field, value) seen MORE than min_count times; default 100 */
    int64_t vocab_size;   /* keep at most this many vocabulary ids, most frequent first; 0 = all */
    int64_t hash_buckets; /* > 0: no vocabulary, id = 39 + hash(field, value) mod B */
    sp_dense_mode dense;
} sp_vocab_options;

typedef struct sp_vocab_counter sp_vocab_counter; /* counting pass state */
typedef struct sp_vocab sp_vocab;                 /* immutable id map: thread-safe lookups */

void sp_vocab_options_default(sp_vocab_options *opt);
/* count_categories 0 skips the per-value counts (hash mode needs only the maxima). */
int sp_vocab_counter_new(sp_vocab_counter **c, int count_categories);
void sp_vocab_counter_add(sp_vocab_counter *c, const sp_criteo_row *row);
void sp_vocab_counter_free(sp_vocab_counter *c);
/* Vocabulary from the counts (counter unchanged, may be freed after). */
int sp_vocab_build(const sp_vocab_counter *c, const sp_vocab_options *opt, sp_vocab **v);
/* One counting pass over a file, then sp_vocab_build. */
int sp_vocab_build_from_file(const char *path, const sp_criteo_options *ropt,
                             const sp_vocab_options *opt, sp_vocab **v);
void sp_vocab_free(sp_vocab *v);

int sp_vocab_n_ids(const sp_vocab *v);      /* 39 + vocabulary size (or + buckets) */
int64_t sp_vocab_rows(const sp_vocab *v);   /* rows in the counting pass */
sp_vocab_options sp_vocab_get_options(const sp_vocab *v);
double sp_vocab_int_max(const sp_vocab *v, int field); /* max(0, max of I(field+1)) */
/* Id of categorical field f (0..25) with value (present = 0: the missing value). */
int sp_vocab_lookup(const sp_vocab *v, int field, uint32_t value, int present);
/* What vocabulary id `id` (>= 39, not hash mode) stands for; SP_EINVAL otherwise. */
int sp_vocab_entry(const sp_vocab *v, int id, int *field, uint32_t *value, int *present,
                   int64_t *count);

/* Binary form: magic "SPVOCAB\0", version, options, maxima, entries, crc32.
 * Little-endian on every platform. Buffers are malloc'ed, caller frees. */
int sp_vocab_to_bytes(const sp_vocab *v, uint8_t **buf, size_t *len);
/* `name` is used in messages (file name or "checkpoint"). */
int sp_vocab_from_bytes(const uint8_t *buf, size_t len, const char *name, sp_vocab **v);
int sp_vocab_save(const sp_vocab *v, const char *path); /* temp file + rename */
int sp_vocab_load(const char *path, sp_vocab **v);

/* Flags of sp_feature_map. */
#define SP_MAP_SKIP_MISSING_INTS 1u /* leave out integer fields that are missing */
#define SP_MAP_NO_INTS 2u           /* leave out all 13 integer fields */

/* Map one row: ids[k], weights[k] for k < returned count (39 with flags 0),
 * integer fields first (I1..I13), then C1..C26. Categorical weight 1.
 * weights may be NULL: the ids alone (what a count-mode sp_cooc_add needs). */
int sp_feature_map(const sp_vocab *v, const sp_criteo_row *row, unsigned flags, int *ids,
                   float *weights);
/* n rows, flags 0: ids and weights are (n x 39) row-major. */
void sp_feature_map_batch(const sp_vocab *v, const sp_criteo_row *rows, int n, int *ids,
                          float *weights);

/* ==== co-occurrence matrix ============================================= */
/* C = X^T X where X (rows x n) has X[r][id] = 1 (counts) or the sum of the
 * row's weights at id (weighted); so C[i][j] = number of rows holding both
 * i and j, and C[i][i] = rows holding i. Exact in count mode whatever the
 * budget; weighted sums may differ in the last bits between budgets.
 * Rows are buffered in chunks; pairs of the ids most frequent in the first
 * chunk go to a small dense block in cache, the others are accumulated one
 * column of C at a time into a sorted store that spills as sorted runs.
 * Allocated memory is mapped lazily: a small input touches little of it. */

typedef enum sp_cooc_norm {
    SP_COOC_NORM_NONE = 0, /* raw counts (or weight products) */
    SP_COOC_NORM_SYM,      /* D^-1/2 C D^-1/2, D = row sums of the output C */
    SP_COOC_NORM_PPMI,     /* max(0, log(C_ij N / (C_ii C_jj))), N = rows added */
    SP_COOC_NORM_COUNT
} sp_cooc_norm;

typedef struct sp_cooc_options {
    int weighted;          /* 0: count rows; 1: sum of w_i w_j */
    int diagonal;          /* 1: keep C[i][i] in the output; 0 (default): drop it */
    sp_cooc_norm normalize;
    size_t memory_bytes;   /* accumulator budget (default 512 MiB): sorted runs spill to a
                            * temp file beyond it; the output CSR is not counted */
    int64_t dense_ids;     /* h: pairs i < j with i < h go to dense rows, h x n cells (uint32
                            * counts, doubles when weighted); -1 (default) = 0: none */
    const char *tmp_dir;   /* spill directory; NULL = $TMPDIR or /tmp */
    int row_begin, row_end;/* keep only rows [row_begin, row_end) of C, e.g. one MPI rank's
                            * block: the output is (row_end - row_begin) x n, local row r is
                            * row row_begin + r, and pairs touching no kept row are not
                            * stored. 0, 0 (default) = all rows. Not with NORM_SYM (its
                            * row sums are global). */
} sp_cooc_options;

typedef struct sp_cooc_stats {
    int64_t rows;          /* rows added */
    int64_t dense_ids;     /* dense rows used (h) */
    int64_t spills;        /* sorted runs written to the temp file */
    int64_t spilled_entries;
    int64_t run_merges;    /* times the runs were merged into one (bounded fan-in) */
    int64_t nnz;           /* entries of the output (after finish) */
    int64_t memory_bytes;  /* the accumulator's planned bytes: at most the budget, unless
                            * its arrays sized by n (about 35 bytes an id) leave less than
                            * a quarter of it to the pairs (then that quarter on top) */
} sp_cooc_stats;

typedef struct sp_cooc sp_cooc;

void sp_cooc_options_default(sp_cooc_options *opt);
int sp_cooc_new(sp_cooc **c, int n, const sp_cooc_options *opt); /* n x n, ids in [0, n) */
/* Add one row of k ids (any order, duplicates merged) with weights (NULL = ones). */
int sp_cooc_add(sp_cooc *c, const int *ids, const float *weights, int k);
/* Accumulate the rows still buffered now (optional: finish does it), e.g. to
 * time the accumulation apart from the assembly. More rows may follow. */
int sp_cooc_flush(sp_cooc *c);
/* Merge everything into a full symmetric CSR (n x n, or the row block; columns
 * sorted, explicit zeros dropped). */
int sp_cooc_finish(sp_cooc *c, sp_csr *C);
sp_cooc_stats sp_cooc_get_stats(const sp_cooc *c);
void sp_cooc_free(sp_cooc *c);
/* Read a Criteo file, map each row with `flags` (sp_feature_map), accumulate, finish.
 * stats may be NULL. */
int sp_cooc_from_file(const char *path, const sp_criteo_options *ropt, const sp_vocab *v,
                      unsigned flags, const sp_cooc_options *opt, sp_csr *C,
                      sp_cooc_stats *stats);

/* ==== IDX (MNIST) files ================================================ */
/* The IDX format of the MNIST files: a 4-byte magic 00 00 TYPE NDIM, NDIM
 * big-endian 32-bit dimensions, then the values, row-major (last index
 * fastest). Only TYPE 0x08 (unsigned byte) is read: magic 0x00000801 for a
 * label vector (n), 0x00000803 for images (n, rows, cols). Plain or gzip,
 * detected by content. Errors name the file, the byte offset and what was
 * expected (bad magic, unsupported type, truncated header or data, trailing
 * bytes). Example:
 *   sp_idx img; if (sp_idx_read("t10k-images-idx3-ubyte.gz", 0, &img) < 0) ...
 *   // img.ndim 3, img.dims {10000, 28, 28}; pixel (i, r, c) = img.data[i*784 + r*28 + c]
 *   sp_idx_uninit(&img);
 */

#define SP_IDX_MAXDIM 4
#define SP_IDX_UBYTE 0x08 /* the only data type read */

typedef struct sp_idx {
    int ndim;                    /* 1 .. SP_IDX_MAXDIM */
    int64_t dims[SP_IDX_MAXDIM]; /* dims[0] = items held (labels, images) */
    int64_t file_items;          /* items the file's header declares (>= dims[0]) */
    int64_t count;               /* product of dims: bytes in data */
    uint8_t *data;               /* owned; NULL after sp_idx_read_header */
} sp_idx;

/* Read the first max_items items (max_items <= 0: all, and then the file
 * must end exactly after them). SP_EIO cannot open, SP_EFORMAT bad content. */
int sp_idx_read(const char *path, int64_t max_items, sp_idx *x);
/* Header only (dims, file_items; data NULL, count 0). */
int sp_idx_read_header(const char *path, sp_idx *x);
/* 1 when the file (plain or gzip) starts with an unsigned-byte IDX magic
 * (00 00 08 NDIM, 1 <= NDIM <= 4), 0 when it does not, < 0 when unreadable. */
int sp_idx_probe(const char *path);
/* Bytes per item: product of dims[1..ndim-1] (1 for a label vector). */
int64_t sp_idx_item_size(const sp_idx *x);
void sp_idx_uninit(sp_idx *x); /* frees data; safe on a zeroed struct */
/* Write x (ndim, dims, data) as IDX, gzip-compressed when gzip != 0;
 * temp file + rename. */
int sp_idx_write(const char *path, const sp_idx *x, int gzip);

#ifdef __cplusplus
}
#endif
#endif
