/* assign.c: edgecert assign: bind a certificate to a server interface,
 * after checking that it can serve it, and publish the files a TLS
 * daemon reads in STORE/live/NAME, switched as a whole; then run the
 * deploy hook.  Also --rollback to the assignment before, and --clear. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmds.h"
#include "../core/binding.h"
#include "../core/cert.h"
#include "../core/certstore.h"
#include "../core/hook.h"
#include "../core/ifcheck.h"
#include "../core/live.h"
#include "../core/select.h"
#include "../core/store.h"
#include "../core/token.h"
#include "../core/verify.h"

static const char usage[] =
	"usage: edgecert assign --interface NAME (--thumbprint T | --name N)\n"
	"        [--fqdn NAME] [--purpose server,client] [--resolve]\n"
	"        [--deploy-hook CMD] [--force]\n"
	"       edgecert assign --interface NAME --rollback [--deploy-hook CMD]\n"
	"       edgecert assign --interface NAME --clear [--deploy-hook CMD]\n"
	"\n"
	"  --interface NAME   the server interface: [a-z0-9][a-z0-9-]*\n"
	"  --thumbprint T     the personal certificate with this SHA-1 or\n"
	"                     SHA-256 (or a unique prefix of 8+ digits)\n"
	"  --name N           the personal certificate with friendly name N\n"
	"  --fqdn NAME        the interface's DNS name: the subject's CN or a\n"
	"                     DNS name of the certificate must match it\n"
	"  --purpose LIST     the extended key usages it must allow, comma-\n"
	"                     separated: server (default), client, any, OIDs\n"
	"  --resolve          --fqdn must resolve to an address of this host\n"
	"  --deploy-hook CMD  run CMD through /bin/sh -c after a change\n"
	"  --force            assign although the trust, name, purpose or\n"
	"                     resolve check failed (never without the key)\n"
	"  --rollback         switch back to the assignment before this one\n"
	"  --clear            remove the assignment and its live directory\n"
	"\n"
	"A certificate whose key is in a PKCS#11 token gets privkey.uri (the\n"
	"key's pkcs11: URL) instead of privkey.pem; the checks ask the token,\n"
	"so give its PIN (--pin-file, --pin-env, --pin-fd).\n";

enum { OPT_CLEAR = 1, OPT_HOOK, OPT_FORCE, OPT_FQDN, OPT_INTERFACE,
       OPT_NAME, OPT_PURPOSE, OPT_RESOLVE, OPT_ROLLBACK, OPT_THUMBPRINT };

static const struct option longopts[] = {
	{ "clear", no_argument, NULL, OPT_CLEAR },
	{ "deploy-hook", required_argument, NULL, OPT_HOOK },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "fqdn", required_argument, NULL, OPT_FQDN },
	{ "interface", required_argument, NULL, OPT_INTERFACE },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "purpose", required_argument, NULL, OPT_PURPOSE },
	{ "resolve", no_argument, NULL, OPT_RESOLVE },
	{ "rollback", no_argument, NULL, OPT_ROLLBACK },
	{ "thumbprint", required_argument, NULL, OPT_THUMBPRINT },
	EC_GLOBAL_LONGOPTS
};

enum action { ACT_ASSIGN, ACT_ROLLBACK, ACT_CLEAR };
static const char *const action_names[] = { "assign", "rollback", "clear" };

struct assign_opts {
	const char *iface, *hook;
	struct ec_selector sel;
	struct ec_ifcheck_opts chk;
	char purpose_buf[256];
	int purpose_set;
	enum action act;
};

/* --purpose server,client,OID: each through ec_purpose_parse; "any"
 * drops the check. */
static void parse_purpose(struct ec_ctx *ctx, struct assign_opts *o,
			  const char *arg)
{
	char *save = NULL, *tok;
	const char *oid;

	o->purpose_set = 1;
	o->chk.npurpose = 0;
	if (snprintf(o->purpose_buf, sizeof(o->purpose_buf), "%s", arg) >=
	    (int)sizeof(o->purpose_buf)) {
		ec_opt_error(ctx, "--purpose is too long");
		return;
	}
	for (tok = strtok_r(o->purpose_buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (ec_purpose_parse(tok, &oid, &ctx->err) < 0)
			return;
		if (!oid)
			continue;
		if (o->chk.npurpose == EC_PURPOSE_MAX) {
			ec_opt_error(ctx, "--purpose takes at most %d usages",
				     EC_PURPOSE_MAX);
			return;
		}
		o->chk.purpose[o->chk.npurpose++] = oid;
	}
	if (!o->chk.npurpose && !strstr(arg, "any"))
		ec_opt_error(ctx, "--purpose wants server, client, any or "
			     "OIDs, not '%s'", arg);
}

static void take_opt(struct ec_ctx *ctx, struct assign_opts *o, int c,
		     const char *arg)
{
	if (ctx->err.code != EC_OK)
		return;		/* the first usage error wins */
	switch (c) {
	case OPT_CLEAR:
		o->act = ACT_CLEAR;
		break;
	case OPT_ROLLBACK:
		o->act = ACT_ROLLBACK;
		break;
	case OPT_HOOK:
		o->hook = arg;
		break;
	case OPT_FORCE:
		o->chk.force = 1;
		break;
	case OPT_FQDN:
		if (*arg == '\0' || strlen(arg) > 253)
			ec_opt_error(ctx, "--fqdn wants a DNS name");
		o->chk.fqdn = arg;
		break;
	case OPT_INTERFACE:
		if (!ec_interface_ok(arg))
			ec_opt_error(ctx, "bad interface name '%s' (want "
				     "[a-z0-9][a-z0-9-]*, at most 64)", arg);
		o->iface = arg;
		break;
	case OPT_NAME:
		ec_selector_set(&o->sel, EC_SEL_NAME, arg, &ctx->err);
		break;
	case OPT_THUMBPRINT:
		ec_selector_set(&o->sel, EC_SEL_THUMBPRINT, arg, &ctx->err);
		break;
	case OPT_PURPOSE:
		parse_purpose(ctx, o, arg);
		break;
	case OPT_RESOLVE:
		o->chk.resolve = 1;
		break;
	}
}

static void check_combination(struct ec_ctx *ctx, struct assign_opts *o,
			      int rollback, int clear)
{
	if (!o->iface)
		ec_opt_error(ctx, "--interface NAME is required");
	else if (rollback && clear)
		ec_opt_error(ctx, "--rollback and --clear exclude each other");
	else if ((rollback || clear) && (o->sel.kind != EC_SEL_NONE ||
		 o->chk.fqdn || o->purpose_set || o->chk.resolve ||
		 o->chk.force))
		ec_opt_error(ctx, "--%s takes no certificate and no checks",
			     rollback ? "rollback" : "clear");
	else if (!rollback && !clear && o->sel.kind == EC_SEL_NONE)
		ec_opt_error(ctx, "name the certificate: --thumbprint or "
			     "--name");
	else if (o->chk.resolve && !o->chk.fqdn)
		ec_opt_error(ctx, "--resolve needs --fqdn");
}

static int parse_opts(int argc, char **argv, struct ec_ctx *ctx,
		      struct assign_opts *o)
{
	int c, rollback = 0, clear = 0;

	o->chk.purpose[0] = GNUTLS_KP_TLS_WWW_SERVER;
	o->chk.npurpose = 1;
	while ((c = getopt_long(argc, argv, EC_GLOBAL_SHORTOPTS, longopts,
				NULL)) != -1) {
		if (c >= OPT_CLEAR && c <= OPT_THUMBPRINT) {
			rollback |= c == OPT_ROLLBACK;
			clear |= c == OPT_CLEAR;
			take_opt(ctx, o, c, optarg);
		} else if (!ec_opt_global(ctx, c, optarg, argc, argv)) {
			ec_opt_error(ctx, "unknown option");
		}
	}
	if (!ctx->help && !ctx->version)
		check_combination(ctx, o, rollback, clear);
	return ec_opt_done(ctx, argc, argv);
}

/* What the run did, for the record and the hook. */
struct run {
	struct ec_ctx *ctx;
	struct assign_opts *o;
	struct ec_store *s;
	char live[4096];
	struct ec_binding cur;		/* the record before the run */
	unsigned long link_gen;		/* live/NAME before the run */
	const char *thumbprint;		/* assigned after the run, or NULL */
	const char *fqdn;		/* (pointing into the buffers) */
	char thumb_buf[EC_SHA1_HEX], fqdn_buf[256];
	unsigned long generation;
	int changed;
};

/* What is assigned after the run, kept past the store's closing. */
static void result(struct run *r, const char *thumbprint, const char *fqdn)
{
	snprintf(r->thumb_buf, sizeof(r->thumb_buf), "%s",
		 thumbprint ? thumbprint : "");
	snprintf(r->fqdn_buf, sizeof(r->fqdn_buf), "%s", fqdn ? fqdn : "");
	r->thumbprint = thumbprint ? r->thumb_buf : NULL;
	r->fqdn = fqdn ? r->fqdn_buf : NULL;
}

static void now_rfc3339(char *buf, size_t n)
{
	ec_time_rfc3339(time(NULL), buf, n);
}

static void report_cert(struct run *r, gnutls_x509_crt_t crt,
			const char *sha1)
{
	struct ec_cert_extra x = { 0 };
	struct ec_meta m = { 0 };
	struct ec_err e;
	char *dn = ec_cert_dn(crt, 0);

	if (ec_cs_load_meta(r->s, EC_SEC_PERSONAL, sha1, &m, &e) == 0)
		ec_cs_extra(r->s, EC_SEC_PERSONAL, sha1, &m, &x);
	ec_cert_status(r->ctx->st, "certificate", crt, &x);
	ec_st_text(r->ctx->st, "certificate: %s %s", sha1, dn ? dn : "");
	free(dn);
	ec_meta_free(&m);
}

/* Commit the new record (or, with b NULL, its removal). */
static int commit_record(struct run *r, const struct ec_binding *b)
{
	struct ec_err *e = &r->ctx->err;
	struct ec_txn *t;
	char name[80];

	if (ec_txn_begin(r->s, &t, e) < 0)
		return -1;
	snprintf(name, sizeof(name), "%s.meta", r->o->iface);
	if ((b ? ec_binding_stage(t, r->o->iface, b, e)
	       : ec_txn_del(t, EC_SEC_ASSIGNED, name, e)) < 0) {
		ec_txn_abort(t);
		return -1;
	}
	return ec_txn_commit(t, e);
}

/* The forced checks, comma-separated, for the record. */
static void forced_list(const struct ec_ifcheck *c, char *buf, size_t n)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int i = 0; i < EC_CHK_COUNT && len < n; i++)
		if (c->c[i].outcome == EC_OUT_FORCED)
			len += (size_t)snprintf(buf + len, n - len, "%s%s",
						len ? "," : "",
						ec_check_name((enum ec_check_id)i));
}

static int same_str(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static void undo_publish(struct run *r, int switched)
{
	struct ec_err ignored;
	int k, ok = !switched;

	for (k = 0; !ok && k < 3; k++)
		ok = ec_live_switch(r->s, r->o->iface, r->link_gen,
				    &ignored) == 0;
	for (k = 0; ok && k < 3; k++)
		if (ec_live_drop(r->s, r->o->iface, r->generation,
				 &ignored) == 0)
			break;
}

/* Write the generation, switch it in, record it, prune. */
static int publish(struct run *r, const struct ec_live_set *ls,
		   const char *sha1, const char *forced)
{
	struct ec_binding nb = { 0 };
	struct ec_err *e = &r->ctx->err;
	char when[32];
	unsigned long keep;

	if (ec_live_write(r->s, r->o->iface, ls->f, EC_LIVE_NFILES,
			  &r->generation, e) < 0)
		return -1;
	now_rfc3339(when, sizeof(when));
	nb.thumbprint = sha1;
	nb.fqdn = r->o->chk.fqdn;
	nb.assigned = when;
	nb.generation = r->generation;
	nb.forced = forced;
	if (r->cur.have && strcmp(r->cur.thumbprint, sha1) == 0) {
		/* the same certificate again (a new name, a mended live
		 * directory): the one before stays the rollback's */
		nb.prev_thumbprint = r->cur.prev_thumbprint;
		nb.prev_fqdn = r->cur.prev_fqdn;
		nb.prev_assigned = r->cur.prev_assigned;
		nb.prev_forced = r->cur.prev_forced;
		nb.prev_generation = r->cur.prev_generation;
	} else if (r->cur.have && r->link_gen) {
		nb.prev_thumbprint = r->cur.thumbprint;
		nb.prev_fqdn = r->cur.fqdn;
		nb.prev_assigned = r->cur.assigned;
		nb.prev_forced = r->cur.forced;
		nb.prev_generation = r->link_gen;
	}
	keep = nb.prev_generation;
	/* Switch, then record; a failure of either puts back the link
	 * and drops the new generation, so a failed run changes nothing.
	 * The undo tries each step a few times: the error that sent us
	 * here may be a passing one. */
	if (ec_live_switch(r->s, r->o->iface, r->generation, e) < 0) {
		undo_publish(r, 0);
		return -1;
	}
	if (commit_record(r, &nb) < 0) {
		undo_publish(r, 1);
		return -1;
	}
	if (ec_live_prune(r->s, r->o->iface, r->generation, keep, e) < 0) {
		ec_st_warn(r->ctx->st, "%s", e->msg);
		e->code = EC_OK;
	}
	return 0;
}

/* The token of the certificate's key, when it has one. */
static int open_token(struct run *r, const char *sha1)
{
	struct ec_meta m;
	int ret = 0;

	if (ec_cs_load_meta(r->s, EC_SEC_PERSONAL, sha1, &m, &r->ctx->err) < 0)
		return -1;
	if (ec_cs_key_url(&m) && !r->o->chk.tok)
		ret = ec_ctx_token(r->ctx, &r->o->chk.tok, &r->ctx->err);
	ec_meta_free(&m);
	return ret;
}

static int do_assign(struct run *r)
{
	struct ec_ctx *ctx = r->ctx;
	struct ec_ifcheck chk = { 0 };
	struct ec_live_set ls = { 0 };
	gnutls_x509_crt_t crt = NULL;
	struct ec_found f;
	char forced[100];
	int ret = -1, refuse;

	if (ec_select(r->s, &r->o->sel, EC_SECMASK(EC_SEC_PERSONAL), &f,
		      &ctx->err) < 0 ||
	    ec_cs_load_cert(r->s, EC_SEC_PERSONAL, f.sha1, &crt,
			    &ctx->err) < 0)
		goto out;
	report_cert(r, crt, f.sha1);
	ec_st_str(ctx->st, "fqdn", r->o->chk.fqdn);
	if (open_token(r, f.sha1) < 0 ||
	    ec_ifcheck_run(r->s, f.sha1, crt, &r->o->chk, &chk,
			   &ctx->err) < 0)
		goto out;
	ec_ifcheck_report(ctx->st, &chk, &r->o->chk);
	if ((refuse = ec_ifcheck_refusal(&chk)) >= 0) {
		ec_fail(&ctx->err, chk.c[refuse].code, "refusing to assign %s "
			"to interface '%s': %s: %s; nothing changed", f.sha1,
			r->o->iface, ec_check_name((enum ec_check_id)refuse),
			chk.c[refuse].msg);
		goto out;
	}
	if (ec_live_set_make(crt, &chk.vr.built, chk.key, chk.key_url, &ls,
			     &ctx->err) < 0)
		goto out;
	forced_list(&chk, forced, sizeof(forced));
	r->generation = r->link_gen;
	r->changed = !(r->cur.have && strcmp(r->cur.thumbprint, f.sha1) == 0 &&
		       same_str(r->cur.fqdn, r->o->chk.fqdn) &&
		       r->link_gen && r->link_gen == r->cur.generation &&
		       ec_live_same(r->s, r->o->iface, r->link_gen, ls.f,
				    EC_LIVE_NFILES));
	if (r->changed && !ctx->check && publish(r, &ls, f.sha1, forced) < 0)
		goto out;
	if (r->changed && ctx->check)
		r->generation = 0;
	result(r, f.sha1, r->o->chk.fqdn);
	ret = 0;
out:
	ec_live_set_free(&ls);
	ec_ifcheck_free(&chk);
	if (crt)
		gnutls_x509_crt_deinit(crt);
	return ret;
}

static int do_rollback(struct run *r)
{
	struct ec_ctx *ctx = r->ctx;
	struct ec_binding nb = { 0 };
	gnutls_x509_crt_t crt = NULL;
	char when[32], name[EC_SHA1_HEX + 4];
	const struct ec_binding *c = &r->cur;

	if (!c->have)
		return ec_fail(&ctx->err, EC_NOT_FOUND, "no certificate is "
			       "assigned to interface '%s'", r->o->iface);
	snprintf(name, sizeof(name), "%s.pem",
		 c->prev_thumbprint ? c->prev_thumbprint : "");
	if (!c->prev_thumbprint || !c->prev_generation ||
	    !ec_live_has(r->s, r->o->iface, c->prev_generation) ||
	    !ec_store_has(r->s, EC_SEC_PERSONAL, name))
		return ec_fail(&ctx->err, EC_NOT_FOUND, "interface '%s' has no "
			       "previous assignment to roll back to",
			       r->o->iface);
	if (ec_cs_load_cert(r->s, EC_SEC_PERSONAL, c->prev_thumbprint, &crt,
			    &ctx->err) < 0)
		return -1;
	report_cert(r, crt, c->prev_thumbprint);
	gnutls_x509_crt_deinit(crt);
	ec_st_str(ctx->st, "fqdn", c->prev_fqdn);
	now_rfc3339(when, sizeof(when));
	nb.thumbprint = c->prev_thumbprint;
	nb.fqdn = c->prev_fqdn;
	nb.assigned = when;
	nb.generation = c->prev_generation;
	nb.forced = c->prev_forced;	/* what was forced stays on record */
	nb.prev_thumbprint = c->thumbprint;
	nb.prev_fqdn = c->fqdn;
	nb.prev_assigned = c->assigned;
	nb.prev_forced = c->forced;
	nb.prev_generation = r->link_gen ? r->link_gen : c->generation;
	result(r, c->prev_thumbprint, c->prev_fqdn);
	r->generation = c->prev_generation;
	r->changed = 1;
	if (ctx->check)
		return 0;
	if (commit_record(r, &nb) < 0)
		return -1;
	return ec_live_switch(r->s, r->o->iface, c->prev_generation,
			      &ctx->err);
}

static int do_clear(struct run *r)
{
	struct ec_err *e = &r->ctx->err;

	r->changed = r->cur.have || r->link_gen ||
		     ec_live_has(r->s, r->o->iface, r->cur.generation);
	if (!r->changed || r->ctx->check)
		return 0;
	if ((r->cur.have && commit_record(r, NULL) < 0) ||
	    ec_live_switch(r->s, r->o->iface, 0, e) < 0 ||
	    ec_live_prune(r->s, r->o->iface, 0, 0, e) < 0)
		return -1;
	return 0;
}

/* Run the hook (the store closed: a hook may run edgecert). */
static void run_hook(struct run *r, const char *prev)
{
	char *env[7], b[6][4200];
	struct ec_hook_result h;
	struct ec_status *st = r->ctx->st;
	struct ec_err e = { 0 };

	snprintf(b[0], sizeof(b[0]), "EDGECERT_INTERFACE=%s", r->o->iface);
	snprintf(b[1], sizeof(b[1]), "EDGECERT_THUMBPRINT=%s",
		 r->thumbprint ? r->thumbprint : "");
	snprintf(b[2], sizeof(b[2]), "EDGECERT_LIVE_DIR=%s", r->live);
	snprintf(b[3], sizeof(b[3]), "EDGECERT_FQDN=%s",
		 r->fqdn ? r->fqdn : "");
	snprintf(b[4], sizeof(b[4]), "EDGECERT_ACTION=%s",
		 action_names[r->o->act]);
	snprintf(b[5], sizeof(b[5]), "EDGECERT_PREVIOUS_THUMBPRINT=%s",
		 prev ? prev : "");
	for (int i = 0; i < 6; i++)
		env[i] = b[i];
	env[6] = NULL;
	ec_ctx_drop_secrets(r->ctx);	/* the PIN's source, read or not */
	ec_st_obj(st, "hook");
	ec_st_str(st, "command", r->o->hook);
	if (ec_hook_run(r->o->hook, env, &h, &e) < 0) {
		ec_st_str(st, "exit_status", NULL);
		ec_st_str(st, "signal", NULL);
		ec_st_str(st, "output", "");
		ec_st_end(st);
		ec_fail(&r->ctx->err, EC_HOOK_FAILED, "the deploy hook could "
			"not run: %s; the %s of interface '%s' stands",
			e.msg, action_names[r->o->act], r->o->iface);
		return;
	}
	if (h.signal)
		ec_st_str(st, "exit_status", NULL);
	else
		ec_st_int(st, "exit_status", h.exit_status);
	if (h.signal)
		ec_st_int(st, "signal", h.signal);
	else
		ec_st_str(st, "signal", NULL);
	ec_st_str(st, "output", h.tail);
	ec_st_end(st);
	ec_st_text(st, "hook: %s %d", h.signal ? "signal" : "exit status",
		   h.signal ? h.signal : h.exit_status);
	if (h.tail[0])
		ec_st_text_lines(st, h.tail);	/* the operator's hook's */
	if (!ec_hook_ok(&h))
		ec_fail(&r->ctx->err, EC_HOOK_FAILED, "the deploy hook failed "
			"(%s %d); the %s of interface '%s' stands all the same",
			h.signal ? "signal" : "exit status",
			h.signal ? h.signal : h.exit_status,
			action_names[r->o->act], r->o->iface);
}

static void summary(struct run *r)
{
	struct ec_status *st = r->ctx->st;
	const char *would = r->ctx->check && r->changed ? "would " : "";

	if (r->generation)
		ec_st_int(st, "generation", (long long)r->generation);
	else
		ec_st_str(st, "generation", NULL);
	ec_st_text(st, "live: %s%s", r->live, r->generation ? "" :
		   " (none)");
	ec_st_changed(st, r->changed);
	if (!r->changed)
		ec_st_message(st, r->o->act == ACT_CLEAR ? "nothing is "
			      "assigned to interface '%s'" : "interface '%s' "
			      "already has %s", r->o->iface, r->thumbprint);
	else if (r->o->act == ACT_CLEAR)
		ec_st_message(st, "%scleared interface '%s'", would,
			      r->o->iface);
	else
		ec_st_message(st, "%s%s %s to interface '%s' (%s)", would,
			      r->o->act == ACT_ROLLBACK ? "rolled back" :
			      "assigned", r->thumbprint, r->o->iface,
			      r->live);
}

/* A run killed between the switch of live/NAME and its record (assign
 * switches, then records; rollback and clear record, then switch) leaves
 * the link at a generation the record does not name.  The record,
 * committed through the store's journal, is the truth: the link goes
 * back to the recorded generation (none without a record) and the
 * killed run's own generation is dropped, before anything else. */
static int reconcile(struct run *r)
{
	struct ec_err ignored, *e = &r->ctx->err;
	unsigned long want = r->cur.have ? r->cur.generation : 0;
	unsigned long was = r->link_gen;

	if (!was || was == want || (r->cur.have && !want) ||
	    (want && !ec_live_has(r->s, r->o->iface, want)))
		return 0;
	if (ec_live_switch(r->s, r->o->iface, want, e) < 0)
		return -1;
	r->link_gen = want;
	if (!want)
		(void)ec_live_prune(r->s, r->o->iface, 0, 0, &ignored);
	else if (was != r->cur.prev_generation)
		(void)ec_live_drop(r->s, r->o->iface, was, &ignored);
	ec_st_warn(r->ctx->st, "interface '%s': live pointed at generation "
		   "%lu, its record at %lu (a run killed midway): put back "
		   "as recorded", r->o->iface, was, want);
	return 0;
}

int cmd_assign(int argc, char **argv, struct ec_ctx *ctx)
{
	struct assign_opts o = { 0 };
	struct run r = { .ctx = ctx, .o = &o };
	char prev[EC_SHA1_HEX] = "";
	int ret = -1;

	ctx->usage = usage;
	if (parse_opts(argc, argv, ctx, &o))
		return ctx->err.code == EC_OK ? 0 : -1;
	if (ec_store_open(&r.s, ctx->store_dir, ctx->check ? 0 :
			  EC_STORE_WRITE, ctx->wait_seconds, &ctx->err) < 0)
		return -1;
	ec_st_text_custom(ctx->st);
	ec_st_str(ctx->st, "interface", o.iface);
	ec_st_str(ctx->st, "action", action_names[o.act]);
	ec_st_text(ctx->st, "interface: %s (%s)", o.iface,
		   action_names[o.act]);
	if (ec_live_path(r.s, o.iface, r.live, sizeof(r.live), &ctx->err) < 0 ||
	    ec_binding_load(r.s, o.iface, &r.cur, &ctx->err) < 0 ||
	    ec_live_current(r.s, o.iface, &r.link_gen, &ctx->err) < 0 ||
	    (!ctx->check && reconcile(&r) < 0))
		goto out;
	if (r.cur.have)
		memcpy(prev, r.cur.thumbprint, sizeof(prev));
	ec_st_str(ctx->st, "previous", r.cur.have ? prev : NULL);
	ec_st_str(ctx->st, "live_dir", r.live);
	if ((o.act == ACT_ASSIGN ? do_assign(&r) : o.act == ACT_ROLLBACK ?
	     do_rollback(&r) : do_clear(&r)) < 0)
		goto out;
	summary(&r);
	ec_binding_free(&r.cur);
	ec_store_close(r.s);
	r.s = NULL;
	if (o.hook && r.changed && !ctx->check)
		run_hook(&r, prev[0] ? prev : NULL);
	else
		ec_st_str(ctx->st, "hook", NULL);
	ret = ctx->err.code == EC_OK ? 0 : -1;
out:
	ec_binding_free(&r.cur);
	ec_store_close(r.s);
	ec_token_close(o.chk.tok);
	return ret;
}
