/* sig.h: signals a run must survive or end cleanly on.
 *
 * SIGPIPE is ignored: a reader of the record that goes away (head -c1)
 * makes the write fail with EPIPE, reported like any other write error,
 * instead of killing the run after its change.  SIGTERM, SIGHUP and
 * SIGINT are caught into a flag that the run looks at where it can still
 * stop cleanly: while it waits for the store's lock, and before a
 * transaction commits (ec_txn_commit abandons it, code interrupted).  A
 * signal that comes later lets the run finish (its change is committed,
 * its hook runs) and adds a warning; either way the record is written. */
#ifndef EC_SIG_H
#define EC_SIG_H

/* Install the dispositions, at the start of main. */
void ec_sig_init(void);
/* The signal caught so far (SIGTERM, SIGHUP or SIGINT), or 0. */
int ec_sig_caught(void);
/* Its name for a message: "SIGTERM" and the like. */
const char *ec_sig_name(int sig);

#endif
