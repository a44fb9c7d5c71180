#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daccess.h"

#define NOBODY 65534
#define MAX_GROUPS 64

static int number(const char *arg, long *id)
{
	char *end;

	if (*arg < '0' || *arg > '9')
		return 0;
	errno = 0;
	*id = strtol(arg, &end, 10);
	return !*end && !errno && *id <= 0x7fffffffL;
}

int ec_owner_parse(const char *arg, long *id, struct ec_err *e)
{
	struct passwd *pw;

	if (!*arg) {
		*id = -1;
		return 0;
	}
	if (number(arg, id))
		return 0;
	if (!(pw = getpwnam(arg)))
		return ec_fail(e, EC_USAGE, "--owner: no user '%s'", arg);
	*id = (long)pw->pw_uid;
	return 0;
}

int ec_group_parse(const char *arg, long *id, struct ec_err *e)
{
	struct group *gr;

	if (!*arg) {
		*id = -1;
		return 0;
	}
	if (number(arg, id))
		return 0;
	if (!(gr = getgrnam(arg)))
		return ec_fail(e, EC_USAGE, "--group: no group '%s'", arg);
	*id = (long)gr->gr_gid;
	return 0;
}

/* The identity the check takes: uid, its primary gid, its groups. */
struct who {
	uid_t uid;
	gid_t gid;
	gid_t groups[MAX_GROUPS];
	int ngroups;
};

static void who_of(long owner, long group, struct who *w)
{
	struct passwd *pw = owner >= 0 ? getpwuid((uid_t)owner) : NULL;

	w->uid = owner >= 0 ? (uid_t)owner : NOBODY;
	w->gid = group >= 0 ? (gid_t)group : pw ? pw->pw_gid : NOBODY;
	w->ngroups = MAX_GROUPS - 1;
	if (!pw || getgrouplist(pw->pw_name, w->gid, w->groups,
				&w->ngroups) < 0) {
		w->groups[0] = w->gid;
		w->ngroups = 1;
	} else if (group >= 0) {
		w->groups[w->ngroups++] = (gid_t)group;
	}
}

/* In the child: become w, try each path; on the first failure write
 * { index (-1: the identity), errno } to fd and exit 1. */
static void child(const struct who *w, const char *const *paths, size_t n,
		  int fd)
{
	long fail[2] = { -1, 0 };
	struct stat sb;
	char byte;
	int f;

	if (setgroups((size_t)w->ngroups, w->groups) < 0 ||
	    setresgid(w->gid, w->gid, w->gid) < 0 ||
	    setresuid(w->uid, w->uid, w->uid) < 0) {
		fail[1] = errno;
		(void)!write(fd, fail, sizeof(fail));
		_exit(1);
	}
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(paths[i]);

		f = open(paths[i], (len && paths[i][len - 1] == '/' ?
				    O_PATH : O_RDONLY) | O_CLOEXEC |
			 O_NONBLOCK);
		if (f >= 0 && fstat(f, &sb) == 0 && S_ISREG(sb.st_mode) &&
		    read(f, &byte, 1) < 0) {
			close(f);
			f = -1;
		}
		if (f < 0) {
			fail[0] = (long)i;
			fail[1] = errno;
			(void)!write(fd, fail, sizeof(fail));
			_exit(1);
		}
		close(f);
	}
	_exit(0);
}

/* The user (owner, or with a group only nobody) in group (or owner's
 * own) opens each of the n paths for reading (dirs: searches it).
 * A path that ends with a slash is opened O_PATH (searched, not read).
 * Returns 1 when it can, 0 when it cannot (msg says which and why), -1
 * with e set when the check could not run (not root, say). */
static int can_open_as(long owner, long group, const char *const *paths,
		       size_t n, char *msg, size_t msglen, struct ec_err *e)
{
	struct who w;
	long fail[2] = { -2, 0 };
	int pfd[2], st, err;
	long idx;
	ssize_t got;
	pid_t pid;

	who_of(owner, group, &w);
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return ec_fail_errno(e, EC_IO, errno, "cannot check the "
				     "daemon's access");
	if ((pid = fork()) < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return ec_fail_errno(e, EC_IO, errno, "cannot check the "
				     "daemon's access");
	}
	if (pid == 0) {
		close(pfd[0]);
		child(&w, paths, n, pfd[1]);
	}
	close(pfd[1]);
	got = read(pfd[0], fail, sizeof(fail));
	close(pfd[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	idx = got == (ssize_t)sizeof(fail) ? fail[0] : -2;
	err = (int)fail[1];
	if (idx == -1)
		return ec_fail_errno(e, EC_NO_DAEMON_ACCESS, err, "cannot take "
				     "the identity of uid %lu gid %lu to check "
				     "the daemon's access", (unsigned long)w.uid,
				     (unsigned long)w.gid);
	if (idx >= 0 && (size_t)idx < n) {
		snprintf(msg, msglen, "uid %lu gid %lu cannot read '%s': %s",
			 (unsigned long)w.uid, (unsigned long)w.gid, paths[idx],
			 strerror(err));
		return 0;
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return ec_fail(e, EC_INTERNAL, "the daemon-access check "
			       "failed");
	snprintf(msg, msglen, "uid %lu gid %lu reads the %zu live files",
		 (unsigned long)w.uid, (unsigned long)w.gid, n);
	return 1;
}

int ec_daccess_live(const char *live, unsigned long gen,
		    const struct ec_live_file *f, size_t n, long owner,
		    long group, struct ec_check *c, struct ec_err *e)
{
	char buf[EC_LIVE_NFILES + 1][4200], msg[sizeof(c->msg)];
	const char *paths[EC_LIVE_NFILES + 1];
	const char *slash = strrchr(live, '/');
	int dirlen = slash ? (int)(slash - live) : 0, x;
	size_t np = 0;

	c->code = EC_OK;
	if (owner < 0 && group < 0) {
		c->outcome = EC_OUT_SKIPPED;
		snprintf(c->msg, sizeof(c->msg), "no --owner or --group");
		return 0;
	}
	if (!gen) {	/* the store searchable: STORE/./ (live/ may not be
			 * there yet, nor 0711 before a real run) */
		int storelen = dirlen;

		while (storelen > 0 && live[storelen - 1] != '/')
			storelen--;
		if (storelen == 0)	/* "live/IFACE": the store is "." */
			snprintf(buf[0], sizeof(buf[0]), "./");
		else
			snprintf(buf[0], sizeof(buf[0]), "%.*s./", storelen,
				 live);
		paths[np++] = buf[0];
	}
	for (size_t i = 0; gen && i < n && i < EC_LIVE_NFILES; i++) {
		snprintf(buf[i], sizeof(buf[i]), "%.*s/.gen/%s/%lu/%s", dirlen,
			 live, slash ? slash + 1 : live, gen, f[i].name);
		paths[np++] = buf[i];
	}
	if ((x = can_open_as(owner, group, paths, np, msg, sizeof(msg),
				  e)) < 0)
		return -1;
	c->outcome = x ? EC_OUT_PASS : EC_OUT_FAIL;
	c->code = x ? EC_OK : EC_NO_DAEMON_ACCESS;
	snprintf(c->msg, sizeof(c->msg), "%.300s%s", msg, x ? "" : " (the "
		 "store and its parents must be searchable by it: chmod 0711)");
	return 0;
}

void ec_daccess_report(struct ec_status *st, long owner, long group)
{
	if (owner < 0)
		ec_status_str(st, "owner", NULL);
	else
		ec_status_int(st, "owner", owner);
	if (group < 0)
		ec_status_str(st, "group", NULL);
	else
		ec_status_int(st, "group", group);
}
