/* cmd_eigs.c: placeholder until the command is written. */
#include "cli/cli.h"

int sp_cmd_eigs(int argc, char **argv)
{
    (void)argc;
    return sp_cli_usage_error(argv[0], "not implemented yet");
}
