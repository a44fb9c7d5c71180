#include <stdio.h>

#include "deploy.h"
#include "hook.h"

int ec_deploy_hook(struct ec_status *st, const char *key,
		   const struct ec_deploy *d, struct ec_err *e)
{
	static const char *const names[] = {
		"EDGECERT_INTERFACE", "EDGECERT_THUMBPRINT",
		"EDGECERT_LIVE_DIR", "EDGECERT_FQDN", "EDGECERT_ACTION",
		"EDGECERT_PREVIOUS_THUMBPRINT",
	};
	const char *vals[] = { d->iface, d->thumbprint, d->live, d->fqdn,
			       d->action, d->previous };
	char *env[7], b[6][4200];
	struct ec_hook_result h;
	struct ec_err he = { 0 };

	for (int i = 0; i < 6; i++) {
		snprintf(b[i], sizeof(b[i]), "%s=%s", names[i],
			 vals[i] ? vals[i] : "");
		env[i] = b[i];
	}
	env[6] = NULL;
	ec_status_obj(st, key);
	ec_status_str(st, "command", d->hook);
	if (ec_hook_run(d->hook, env, &h, &he) < 0) {
		ec_status_str(st, "exit_status", NULL);
		ec_status_str(st, "signal", NULL);
		ec_status_str(st, "output", "");
		ec_status_end(st);
		return ec_fail(e, EC_HOOK_FAILED, "the deploy hook could not "
			       "run: %s; the %s of interface '%s' stands",
			       he.msg, d->action, d->iface);
	}
	if (h.signal)
		ec_status_str(st, "exit_status", NULL);
	else
		ec_status_int(st, "exit_status", h.exit_status);
	if (h.signal)
		ec_status_int(st, "signal", h.signal);
	else
		ec_status_str(st, "signal", NULL);
	ec_status_str(st, "output", h.tail);
	ec_status_end(st);
	ec_status_text(st, "hook: %s %d", h.signal ? "signal" : "exit status",
		       h.signal ? h.signal : h.exit_status);
	if (h.tail[0])
		ec_status_text_lines(st, h.tail);	/* the operator's hook's */
	if (!ec_hook_ok(&h))
		return ec_fail(e, EC_HOOK_FAILED, "the deploy hook failed (%s "
			       "%d); the %s of interface '%s' stands all the "
			       "same", h.signal ? "signal" : "exit status",
			       h.signal ? h.signal : h.exit_status, d->action,
			       d->iface);
	return 0;
}

int ec_deploy_served(struct ec_status *st, const char *key,
		     const struct ec_probe_target *t, int n,
		     const gnutls_datum_t *want, int timeout_ms,
		     struct ec_err *e)
{
	struct ec_probe_result r;
	int bad = -1;

	ec_status_arr(st, key);
	for (int i = 0; i < n; i++) {
		ec_probe_run(&t[i], want, timeout_ms, &r);
		ec_status_obj(st, NULL);
		ec_status_str(st, "target", t[i].spec);
		ec_status_bool(st, "served", r.served);
		ec_status_str(st, "seen", r.seen[0] ? r.seen : NULL);
		ec_status_int(st, "tries", r.tries);
		ec_status_str(st, "message", r.msg);
		ec_status_end(st);
		ec_status_text(st, "served: %s %s", r.served ? "yes" : "no",
			       r.msg);
		if (!r.served && bad < 0) {
			bad = i;
			ec_fail(e, EC_NOT_SERVED, "%s after %d tries", r.msg,
				r.tries);
		}
	}
	ec_status_end(st);
	return bad < 0 ? 0 : -1;
}
