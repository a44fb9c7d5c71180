/* main.c: the edgecert multicall binary: finds the applet from argv[0]
 * ("edgecert-list") or argv[1] ("edgecert list"), runs it, and writes its
 * one status record. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <gnutls/gnutls.h>

#include "cmds.h"
#include "sig.h"

static const struct applet {
	const char *name;
	int (*fn)(int argc, char **argv, struct ec_ctx *ctx);
	const char *summary;
} applets[] = {
	{ "accept", cmd_accept, "install the CA's answer to a pending request" },
	{ "assign", cmd_assign, "bind a certificate to a server interface and "
	  "publish its live files" },
	{ "export", cmd_export, "write a certificate, its key and chain to "
	  "a PKCS#12 file" },
	{ "import-chain", cmd_import_chain, "import a CA's certification path "
	  "(.p7b, PEM bundle) and CRLs" },
	{ "import-pfx", cmd_import_pfx, "import certificates with their keys "
	  "from a PKCS#12 file" },
	{ "list", cmd_list, "show the store's certificates, CRLs, pending "
	  "requests and assignments" },
	{ "request", cmd_request, "make a key and a certificate request for a "
	  "CA" },
	{ "verify-root", cmd_verify_root, "validate a certificate's path to a "
	  "trusted root" },
};

#define NAPPLETS (sizeof(applets) / sizeof(applets[0]))

static const char main_usage[] =
	"usage: edgecert [GLOBAL OPTIONS] APPLET [OPTIONS]\n"
	"       edgecert-APPLET [OPTIONS]\n"
	"\n"
	"global options, accepted by every applet:\n"
	"  --store DIR                the store (default $EDGECERT_STORE,\n"
	"                             /var/lib/edgecert for root, else\n"
	"                             ${XDG_DATA_HOME:-~/.local/share}/edgecert)\n"
	"  --format text|json|kv      the status record's form "
	"(default $EDGECERT_FORMAT, text)\n"
	"  --check                    change nothing; report what would change\n"
	"  --wait SECONDS             wait for the store lock (default 30)\n"
	"  --status-fd N              write the status record to fd N "
	"(default 1)\n"
	"  --token URL                new private keys go into this PKCS#11\n"
	"                             token (pkcs11:token=LABEL)\n"
	"  --token-module FILE        the PKCS#11 module (default\n"
	"                             $EDGECERT_PKCS11_MODULE, else p11-kit's)\n"
	"  --pin-file FILE, --pin-env VAR, --pin-fd N\n"
	"                             the token's PIN\n"
	"  -q, --quiet                no diagnostics on stderr\n"
	"  -h, --help                 this help, or an applet's\n"
	"  -V, --version              versions of edgecert, GnuTLS, libtasn1\n";

static const struct applet *find(const char *name)
{
	for (size_t i = 0; i < NAPPLETS; i++)
		if (strcmp(applets[i].name, name) == 0)
			return &applets[i];
	return NULL;
}

/* edgecert with no applet: --help, --version, or a usage error. */
static int no_applet(int argc, char **argv, struct ec_ctx *ctx)
{
	static const struct option opts[] = { EC_GLOBAL_LONGOPTS };
	int c, bare = 0;

	while ((c = getopt_long(argc, argv, EC_GLOBAL_SHORTOPTS, opts,
				NULL)) != -1)
		ec_opt_global(ctx, c, optarg, argc, argv);
	if (ctx->err.code == EC_OK && optind < argc) {
		ec_opt_error(ctx, "unknown applet '%s'", argv[optind]);
		optind = argc;
	}
	if (ctx->err.code == EC_OK && !ctx->help && !ctx->version)
		bare = ctx->help = 1;	/* the usage, as a usage error */
	if (ec_opt_done(ctx, argc, argv) && ctx->err.code != EC_OK) {
		ec_status_text_custom(ctx->st);
		return -1;
	}
	if (bare)
		return ec_fail(&ctx->err, EC_USAGE, "no applet given");
	return 0;
}

static void list_applets(struct ec_ctx *ctx, char *usage, size_t n)
{
	size_t len = (size_t)snprintf(usage, n, "%s\napplets:\n", main_usage);

	for (size_t i = 0; i < NAPPLETS && len < n; i++)
		len += (size_t)snprintf(usage + len, n - len, "  %-14s %s\n",
					applets[i].name, applets[i].summary);
	if (len < n)
		snprintf(usage + len, n - len, "\nSee 'edgecert APPLET "
			 "--help' and edgecert(1).\n");
	ctx->usage = usage;
}

/* Leading global options before the applet's name: "edgecert --store X
 * list".  Returns the index of the applet's name, or argc. */
static int leading_options(int argc, char **argv, struct ec_ctx *ctx)
{
	static const struct option opts[] = { EC_GLOBAL_LONGOPTS };
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+" EC_GLOBAL_SHORTOPTS, opts,
				NULL)) != -1)
		ec_opt_global(ctx, c, optarg, argc, argv);
	return optind;
}

/* A diagnostic for a person, escaped as the text form is: a certificate's
 * subject or a file's name never sends control bytes to the terminal. */
static void diag(const struct applet *a, const char *command,
		 const char *what, const char *msg)
{
	char *esc = ec_text_escape(msg);

	fprintf(stderr, "%s%s: %s%s\n", a ? "edgecert " : "", command, what,
		esc ? esc : "(out of memory)");
	free(esc);
}

/* A core file would hold what edgecert holds: passwords, PINs, private
 * keys.  None is written, and no other process of the same user may read
 * this one's memory (ptrace, /proc/PID/mem). */
static void no_core_dumps(void)
{
	const struct rlimit zero = { 0, 0 };

	setrlimit(RLIMIT_CORE, &zero);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

int main(int argc, char **argv)
{
	char usage[4096];
	const char *base = strrchr(argv[0] ? argv[0] : "", '/');
	const struct applet *a = NULL;
	struct ec_ctx ctx;
	int first = 0, r, code;

	no_core_dumps();
	ec_sig_init();
	base = base ? base + 1 : (argv[0] ? argv[0] : "edgecert");
	if (strncmp(base, "edgecert-", 9) == 0) {
		ec_ctx_init(&ctx, base + 9);
		if (!(a = find(base + 9)))
			ec_opt_error(&ctx, "unknown applet '%s'", base + 9);
	} else {
		ec_ctx_init(&ctx, "edgecert");
		first = leading_options(argc, argv, &ctx);
		if (first < argc && ctx.err.code == EC_OK) {
			if ((a = find(argv[first])))
				ctx.command = a->name;
			else
				ec_opt_error(&ctx, "unknown applet '%s'",
					     argv[first]);
		}
	}
	if (gnutls_global_init() < 0)
		ec_opt_error(&ctx, "cannot initialise GnuTLS");
	opterr = 0;
	optind = 0;
	if (a && ctx.err.code == EC_OK) {
		/* the applet sees argv from its own name on */
		r = a->fn(argc - first, argv + first, &ctx);
	} else {
		list_applets(&ctx, usage, sizeof(usage));
		r = no_applet(first ? argc : 1, argv, &ctx);
	}
	if (!ctx.st)
		ec_opt_done(&ctx, 0, argv);
	if (r < 0 && ctx.err.code == EC_OK)	/* an applet bug: be loud */
		ec_fail(&ctx.err, EC_INTERNAL, "failed without a reason");
	if (ctx.err.code == EC_LOCKED)	/* the global option that helps */
		ec_err_append(&ctx.err, "; --wait SECONDS waits longer");
	code = ctx.st ? (int)ctx.err.code : EC_INTERNAL;
	if (ec_sig_caught() && code != EC_INTERRUPTED && ctx.st)
		ec_status_warn(ctx.st, "%s came too late to stop the run: it "
			       "finished", ec_sig_name(ec_sig_caught()));
	if (!ctx.quiet && ctx.st) {
		for (size_t i = 0; i < ec_status_nwarnings(ctx.st); i++)
			diag(a, ctx.command, "warning: ",
			     ec_status_warning(ctx.st, i));
	}
	if (!ctx.quiet && code != EC_OK) {
		diag(a, ctx.command, "", ctx.err.msg);
		if (code == EC_USAGE)
			fprintf(stderr, "see 'edgecert%s%s --help'\n",
				a ? " " : "", a ? a->name : "");
	}
	if (!ctx.st || ec_status_finish(ctx.st, ctx.status_fd, &ctx.err) < 0) {
		/* no record: exit 8 wins, and the message says what the
		 * record would have, a committed change included */
		int err = errno;

		if (!ctx.quiet)
			fprintf(stderr, "edgecert %s: cannot write the status "
				"record: %s; the run ended with code %s%s\n",
				ctx.command, strerror(err),
				ec_code_name((enum ec_code)code),
				ctx.st && ec_status_has_changed(ctx.st) ?
				" and changed the store" : "");
		ec_status_free(ctx.st);
		gnutls_global_deinit();
		return EC_EXIT_NO_RECORD;
	}
	ec_status_free(ctx.st);
	gnutls_global_deinit();
	return ec_code_exit((enum ec_code)code);
}
