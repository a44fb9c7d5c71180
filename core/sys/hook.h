/* hook.h: a deploy hook: a shell command run after a change, through
 * /bin/sh -c, with variables added to its environment, standard input
 * from /dev/null, and its output (standard output and error together)
 * kept as a short tail for the status record, never passed through. */
#ifndef EC_HOOK_H
#define EC_HOOK_H

#include <stddef.h>

#include "err.h"

#define EC_HOOK_TAIL 1024

struct ec_hook_result {
	int exit_status;	/* -1: killed by a signal */
	int signal;		/* the signal, or 0 */
	char tail[EC_HOOK_TAIL + 1];	/* the end of its output */
};

/* Run cmd with env (NAME=VALUE strings, NULL-terminated) added.  Returns
 * 0 when it ran (whatever its exit status), -1 with e set when it could
 * not be started.  Output that a background child of the hook keeps
 * writing after the hook exits is not waited for. */
int ec_hook_run(const char *cmd, char *const *env, struct ec_hook_result *r,
		struct ec_err *e);
/* Did the hook succeed (exit status 0)? */
int ec_hook_ok(const struct ec_hook_result *r);

#endif
