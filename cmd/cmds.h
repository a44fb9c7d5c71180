/* cmds.h: the applets' entry points.  Each parses its own options (with the
 * global ones, see cmd/ctx.h), does its work, writes its fields into
 * ctx->st and returns 0, or -1 with ctx->err set.  main() writes the record
 * and turns the code into the exit status. */
#ifndef EC_CMDS_H
#define EC_CMDS_H

#include "ctx.h"

int cmd_accept(int argc, char **argv, struct ec_ctx *ctx);
int cmd_assign(int argc, char **argv, struct ec_ctx *ctx);
int cmd_export(int argc, char **argv, struct ec_ctx *ctx);
int cmd_import_chain(int argc, char **argv, struct ec_ctx *ctx);
int cmd_import_pfx(int argc, char **argv, struct ec_ctx *ctx);
int cmd_list(int argc, char **argv, struct ec_ctx *ctx);
int cmd_request(int argc, char **argv, struct ec_ctx *ctx);
int cmd_verify_root(int argc, char **argv, struct ec_ctx *ctx);

#endif
