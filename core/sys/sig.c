#include <signal.h>
#include <string.h>

#include "sig.h"

/* The one piece of mutable state at file scope, and unavoidable: a
 * signal handler gets no argument through which to reach the run's
 * context, and the only object it may set with defined behaviour is a
 * volatile sig_atomic_t of static storage (C11 7.14.1.1).  It is written
 * by the handler only and read through ec_sig_caught. */
static volatile sig_atomic_t caught;

static void on_signal(int sig)
{
	if (!caught)
		caught = sig;
}

void ec_sig_init(void)
{
	static const int stop[] = { SIGTERM, SIGHUP, SIGINT };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPIPE, &sa, NULL);
	/* SA_RESTART: GnuTLS, p11-kit and our own reads carry on; the flag
	 * is looked at between steps */
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	for (size_t i = 0; i < sizeof(stop) / sizeof(stop[0]); i++)
		sigaction(stop[i], &sa, NULL);
}

int ec_sig_caught(void)
{
	return (int)caught;
}

const char *ec_sig_name(int sig)
{
	return sig == SIGTERM ? "SIGTERM" : sig == SIGHUP ? "SIGHUP" :
	       sig == SIGINT ? "SIGINT" : "a signal";
}
