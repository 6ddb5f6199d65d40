/* cli.h: shared helpers of the `spartan` command: the command table, strict
 * number parsing with clear usage errors, JSON string output.
 * Exit codes: 0 success, 1 ran but did not converge / meet a target, 2 bad usage or input. */
#ifndef SPARTAN_CLI_H
#define SPARTAN_CLI_H

#include <stdint.h>
#include <stdio.h>

enum { SP_EXIT_OK = 0, SP_EXIT_NOTCONV = 1, SP_EXIT_USAGE = 2 };

typedef struct sp_command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv); /* argv[0] is the command name */
} sp_command;

/* One entry point per command, each in src/cli/cmd_<name>.c. */
int sp_cmd_info(int argc, char **argv);
int sp_cmd_eigs(int argc, char **argv);
int sp_cmd_gen(int argc, char **argv);
int sp_cmd_convert(int argc, char **argv);
int sp_cmd_cooc(int argc, char **argv);
int sp_cmd_embdim(int argc, char **argv);
int sp_cmd_train(int argc, char **argv);
int sp_cmd_predict(int argc, char **argv);
int sp_cmd_sweep(int argc, char **argv);

/* Print "spartan <cmd>: message" on stderr and return SP_EXIT_USAGE. */
int sp_cli_usage_error(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Print the library's last error for a failing status; returns 2, or 1 for SP_ENOCONV. */
int sp_cli_report(const char *cmd, int status);

/* Strict parsers: the whole string must be a number in range; on failure they
 * print "spartan <cmd>: --opt: 'text' is not ..." and return -1. */
int sp_cli_parse_int(const char *cmd, const char *opt, const char *text, long lo, long hi, long *out);
int sp_cli_parse_double(const char *cmd, const char *opt, const char *text, double lo, double hi,
                        double *out);
int sp_cli_parse_u64(const char *cmd, const char *opt, const char *text, uint64_t *out);
/* Comma-separated ints "10,15,20" into out (capacity cap); returns count or -1. */
int sp_cli_parse_int_list(const char *cmd, const char *opt, const char *text, long lo, long hi,
                          int *out, int cap);

/* Write s as a JSON string literal (quotes and escapes included). */
void sp_json_string(FILE *out, const char *s);
/* Write a double as JSON (non-finite values become null). */
void sp_json_number(FILE *out, double v);

#endif
