#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "safedir.h"
#include "sig.h"
#include "store.h"

#define STORE_VERSION 1
#define TXN ".txn"

static const char *const sections[EC_SEC_COUNT] = {
	"personal", "ca", "root", "crl", "pending", "assigned",
};

struct ec_store {
	char *dir;
	int dfd;			/* -1: the store does not exist yet */
	int secfd[EC_SEC_COUNT];	/* opened on first use; -1 */
	int lockfd;			/* writers: .lock, held throughout */
	int rofs;			/* a writer's store on a read-only
					 * file system: opened as a reader */
	int commitfd;			/* .commit: writers lock it exclusively
					 * while files move, readers shared for
					 * their run; -1 */
};

struct txn_op {
	enum ec_section sec;
	char name[201];
	int del, had_old, done;
};

struct ec_txn {
	struct ec_store *s;
	int tfd;
	struct txn_op *ops;
	size_t n;
};

const char *ec_section_name(enum ec_section sec)
{
	return (unsigned)sec < EC_SEC_COUNT ? sections[sec] : "?";
}

int ec_section_parse(const char *s)
{
	for (int i = 0; i < EC_SEC_COUNT; i++)
		if (strcmp(s, sections[i]) == 0)
			return i;
	return -1;
}

int ec_store_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 200 || name[0] == '.')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-' ||
		      c == '.'))
			return 0;
	}
	return 1;
}

const char *ec_store_dir(const struct ec_store *s)
{
	return s->dir;
}

int ec_store_fd(const struct ec_store *s)
{
	return s->dfd;
}

/* Is the directory empty but for the lock and staging files? */
static int dir_is_fresh(int dfd)
{
	int fd = dup(dfd), fresh = 1;
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0 &&
		    strcmp(de->d_name, ".lock") != 0 &&
		    strcmp(de->d_name, TXN) != 0) {
			fresh = 0;
			break;
		}
	}
	closedir(d);
	return fresh;
}

/* Open a lock file of the store: never a FIFO's wait (O_NONBLOCK), never
 * through a symlink, and only a regular file (store-corrupt otherwise).
 * -2 when it is absent and flags do not create it; -1 with e. */
static int open_lockfile(struct ec_store *s, const char *name, int flags,
			 struct ec_err *e)
{
	struct stat sb;
	int fd = openat(s->dfd, name, flags | O_NOFOLLOW | O_NONBLOCK |
			O_CLOEXEC | O_NOCTTY, 0600);

	if (fd < 0) {
		if (errno == ENOENT && !(flags & O_CREAT))
			return -2;
		if (errno == ELOOP)
			return ec_fail(e, EC_STORE_CORRUPT, "'%s/%s' is a "
				       "symlink", s->dir, name);
		return ec_fail_errno(e, EC_IO, errno, "cannot open '%s/%s'",
				     s->dir, name);
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return ec_fail(e, EC_STORE_CORRUPT, "'%s/%s' is not a regular "
			       "file", s->dir, name);
	}
	return fd;
}

static int lock_store(struct ec_store *s, int wait_seconds, struct ec_err *e)
{
	struct timespec start, now, nap = { 0, 50 * 1000 * 1000 };

	s->lockfd = open_lockfile(s, ".lock", O_RDWR | O_CREAT, e);
	if (s->lockfd < 0)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (flock(s->lockfd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR)
			return ec_fail_errno(e, EC_IO, errno, "cannot lock "
					     "store '%s'", s->dir);
		if (ec_sig_caught())
			return ec_fail(e, EC_INTERRUPTED, "interrupted by %s "
				       "while waiting for the lock of store "
				       "'%s': nothing changed",
				       ec_sig_name(ec_sig_caught()), s->dir);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((double)(now.tv_sec - start.tv_sec) +
		    (double)(now.tv_nsec - start.tv_nsec) / 1e9 >=
		    wait_seconds)
			return ec_fail(e, EC_LOCKED, "store '%s' is locked by "
				       "another writer (waited %d s)", s->dir,
				       wait_seconds);
		nanosleep(&nap, NULL);
	}
	return 0;
}

/* flock that waits, through signals. */
static int flock_wait(int fd, int op)
{
	int r;

	while ((r = flock(fd, op)) < 0 && errno == EINTR)
		;
	return r;
}

/* The commit lock: a writer moves files into place only under an
 * exclusive lock of .commit, and a reader holds a shared one for its
 * run, so that it never sees a change half made (a certificate without
 * its key).  Commits are short: a reader waits milliseconds at most. */
static int open_commit_lock(struct ec_store *s, int writer, struct ec_err *e)
{
	s->commitfd = open_lockfile(s, ".commit", writer ? O_RDWR | O_CREAT :
				    O_RDONLY, e);
	if (s->commitfd == -2)
		s->commitfd = -1;	/* absent: never written to */
	else if (s->commitfd < 0)
		return -1;
	return 0;
}

static int commit_lock(struct ec_store *s, int op)
{
	return s->commitfd < 0 ? 0 : flock_wait(s->commitfd, op);
}

/* Every section's directory, made where it is missing (a writer mends a
 * store whose empty section someone removed). */
static int make_sections(struct ec_store *s, struct ec_err *e)
{
	int made = 0;

	for (int i = 0; i < EC_SEC_COUNT; i++) {
		if (mkdirat(s->dfd, sections[i], 0700) == 0)
			made = 1;
		else if (errno != EEXIST)
			return ec_fail_errno(e, EC_IO, errno, "cannot create "
					     "'%s/%s'", s->dir, sections[i]);
	}
	return made ? ec_fsync_fd_dir(s->dfd, e) : 0;
}

static int init_store(struct ec_store *s, struct ec_err *e)
{
	char v[8];
	int n = snprintf(v, sizeof(v), "%d\n", STORE_VERSION);

	if (make_sections(s, e) < 0)
		return -1;
	unlinkat(s->dfd, "VERSION.tmp", 0);
	if (ec_create_at(s->dfd, "VERSION.tmp", v, (size_t)n, 0644, e) < 0)
		return -1;
	if (renameat(s->dfd, "VERSION.tmp", s->dfd, "VERSION") < 0)
		return ec_fail_errno(e, EC_IO, errno, "cannot create "
				     "'%s/VERSION'", s->dir);
	return ec_fsync_fd_dir(s->dfd, e);
}

static int check_version(struct ec_store *s, int writer, struct ec_err *e)
{
	struct ec_data d = { 0 };
	long v;
	char *end;
	int r;

	if ((r = ec_read_at_opt(s->dfd, "VERSION", 64, &d, e)) < 0)
		return -1;
	if (r == 1) {
		if (!dir_is_fresh(s->dfd))
			return ec_fail(e, EC_STORE_CORRUPT, "'%s' is not an "
				       "edgecert store (it has files but no "
				       "VERSION)", s->dir);
		return writer ? init_store(s, e) : 0;
	}
	v = strtol((char *)d.data, &end, 10);
	if (end == (char *)d.data || (*end && *end != '\n') || v < 1) {
		ec_data_free(&d);
		return ec_fail(e, EC_STORE_CORRUPT, "store '%s' has a malformed "
			       "VERSION file", s->dir);
	}
	ec_data_free(&d);
	if (v != STORE_VERSION)
		return ec_fail(e, EC_STORE_CORRUPT, "store '%s' has format "
			       "version %ld; this edgecert reads version %d",
			       s->dir, v, STORE_VERSION);
	return 0;
}

/* The section's directory, opened once: 0 with *fd, 1 when the store or
 * the section does not exist, -1 with e. */
static int sec_open(struct ec_store *s, enum ec_section sec, int *fd,
		    struct ec_err *e)
{
	char what[PATH_MAX];

	if (s->dfd < 0)
		return 1;
	if (s->secfd[sec] < 0) {
		s->secfd[sec] = openat(s->dfd, sections[sec], O_RDONLY |
				       O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (s->secfd[sec] < 0 && errno == ENOENT)
			return 1;
		if (s->secfd[sec] < 0 && (errno == ELOOP || errno == ENOTDIR))
			return ec_fail(e, EC_STORE_CORRUPT, "'%s/%s' is not a "
				       "directory", s->dir, sections[sec]);
		if (s->secfd[sec] < 0)
			return ec_fail_errno(e, EC_IO, errno, "cannot open "
					     "'%s/%s'", s->dir, sections[sec]);
		snprintf(what, sizeof(what), "%s/%s", s->dir, sections[sec]);
		if (ec_safedir_check(s->secfd[sec], what, e) < 0) {
			close(s->secfd[sec]);
			s->secfd[sec] = -1;
			return -1;
		}
	}
	*fd = s->secfd[sec];
	return 0;
}

/* sec_open where the section must exist: its descriptor, or -1 with e
 * (not-found when it does not). */
static int sec_fd(struct ec_store *s, enum ec_section sec, struct ec_err *e)
{
	int fd = -1, r = sec_open(s, sec, &fd, e);

	if (r == 1 && s->dfd < 0)
		return ec_fail(e, EC_NOT_FOUND, "store '%s' does not exist",
			       s->dir);
	if (r == 1)
		return ec_fail_errno(e, EC_IO, ENOENT, "cannot open '%s/%s'",
				     s->dir, sections[sec]);
	return r < 0 ? -1 : fd;
}

/* Remove every file in .txn. */
static int txn_clean(int tfd, struct ec_err *e)
{
	int fd = dup(tfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return ec_fail_errno(e, EC_IO, errno, "cannot read the "
				     "store's staging directory");
	}
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			unlinkat(tfd, de->d_name, 0);
	closedir(d);
	return ec_fsync_fd_dir(tfd, e);
}

static int parse_journal_line(char *line, struct txn_op *op)
{
	char kind[8], sec[16], num[8], old[2];
	int idx;

	memset(op, 0, sizeof(*op));
	/* digits as strings: %d on a damaged journal would overflow */
	if (sscanf(line, "%7s %15s %200s %7[0-9] %1[01]", kind, sec, op->name,
		   num, old) != 5)
		return -1;
	idx = (int)strtol(num, NULL, 10);
	op->had_old = old[0] == '1';
	if ((int)(op->sec = ec_section_parse(sec)) < 0 ||
	    !ec_store_name_ok(op->name))
		return -1;
	op->del = strcmp(kind, "del") == 0;
	if (!op->del && strcmp(kind, "put") != 0)
		return -1;
	return idx;
}

/* Complete a transaction whose journal was committed. */
static int roll_forward(struct ec_store *s, int tfd, struct ec_err *e)
{
	struct ec_data j = { 0 };
	int synced[EC_SEC_COUNT] = { 0 };
	char *line, *save = NULL, tmp[32];
	int r;

	if ((r = ec_read_at_opt(tfd, "journal", 1 << 20, &j, e)) != 0)
		return r < 0 ? -1 : 0;
	for (line = strtok_r((char *)j.data, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		struct txn_op op;
		int idx = parse_journal_line(line, &op), fd;

		if (idx < 0) {
			ec_data_free(&j);
			return ec_fail(e, EC_STORE_CORRUPT, "store '%s' has a "
				       "malformed journal", s->dir);
		}
		if ((fd = sec_fd(s, op.sec, e)) < 0)
			goto fail;
		snprintf(tmp, sizeof(tmp), "%d.new", idx);
		if (op.del) {
			if (unlinkat(fd, op.name, 0) < 0 && errno != ENOENT)
				goto fail_errno;
		} else if (renameat(tfd, tmp, fd, op.name) < 0 &&
			   errno != ENOENT) {
			goto fail_errno;
		}
		synced[op.sec] = 1;
	}
	for (int i = 0; i < EC_SEC_COUNT; i++)
		if (synced[i] && ec_fsync_fd_dir(s->secfd[i], e) < 0)
			goto fail;
	ec_data_free(&j);
	if (unlinkat(tfd, "journal", 0) < 0)
		return ec_fail_errno(e, EC_IO, errno, "cannot finish the "
				     "store's journal");
	return ec_fsync_fd_dir(tfd, e);
fail_errno:
	ec_fail_errno(e, EC_IO, errno, "cannot complete an interrupted "
		      "change to store '%s'", s->dir);
fail:
	ec_data_free(&j);
	return -1;
}

static int recover(struct ec_store *s, struct ec_err *e)
{
	int tfd = openat(s->dfd, TXN, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			 O_CLOEXEC), r;

	if (tfd < 0) {
		if (errno == ENOENT)
			return 0;
		return ec_fail_errno(e, EC_STORE_CORRUPT, errno, "cannot open "
				     "'%s/%s'", s->dir, TXN);
	}
	if (ec_safedir_check(tfd, TXN, e) < 0) {
		close(tfd);
		return -1;
	}
	if (commit_lock(s, LOCK_EX) < 0) {
		close(tfd);
		return ec_fail_errno(e, EC_IO, errno, "cannot lock store '%s'",
				     s->dir);
	}
	r = roll_forward(s, tfd, e);
	if (r == 0)
		r = txn_clean(tfd, e);
	commit_lock(s, LOCK_UN);
	close(tfd);
	return r;
}

/* A reader's shared commit lock.  Holding it, a journal in .txn can only
 * be a writer's that died after its commit point, and the store is half
 * changed.  A reader reads the committed state: it completes the change
 * itself under the writers' lock, as the next writer would, or, when a
 * writer holds that lock (and will complete it at its open, which needs
 * the commit lock), lets go of its shared lock and waits for the writer
 * to do so.  A store on a read-only file system cannot be completed:
 * io, rather than a half state. */
#define READER_WAIT_SECONDS 30
static int reader_lock(struct ec_store *s, struct ec_err *e)
{
	struct timespec start, now, nap = { 0, 20 * 1000 * 1000 };
	int lk;

	if (s->commitfd < 0)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		if (commit_lock(s, LOCK_SH) < 0)
			return ec_fail_errno(e, EC_IO, errno, "cannot lock "
					     "store '%s'", s->dir);
		if (faccessat(s->dfd, TXN "/journal", F_OK,
			      AT_SYMLINK_NOFOLLOW) < 0)
			return 0;
		lk = openat(s->dfd, ".lock", O_RDWR | O_NOFOLLOW | O_NONBLOCK |
			    O_CLOEXEC);
		if (lk < 0)
			return ec_fail_errno(e, EC_IO, errno, "store '%s' has a "
					     "change a writer that died did not "
					     "complete, and it cannot be "
					     "completed now", s->dir);
		commit_lock(s, LOCK_UN);
		if (flock(lk, LOCK_EX | LOCK_NB) == 0) {
			int r = recover(s, e);

			close(lk);	/* the writers' lock, held for it */
			if (r < 0)
				return -1;
			continue;
		}
		close(lk);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec >= READER_WAIT_SECONDS)
			return ec_fail(e, EC_LOCKED, "store '%s' has a change "
				       "a writer that died did not complete, "
				       "and the writer holding it has not "
				       "completed it (waited %d s)", s->dir,
				       READER_WAIT_SECONDS);
		nanosleep(&nap, NULL);
	}
}

int ec_store_open(struct ec_store **out, const char *dir, int flags,
		  int wait_seconds, struct ec_err *e)
{
	struct ec_store *s = calloc(1, sizeof(*s));
	int writer = flags & EC_STORE_WRITE;

	*out = NULL;
	if (!s || !(s->dir = strdup(dir))) {
		free(s);
		return ec_fail(e, EC_INTERNAL, "out of memory");
	}
	s->dfd = s->lockfd = s->commitfd = -1;
	for (int i = 0; i < EC_SEC_COUNT; i++)
		s->secfd[i] = -1;
	/* opened once, every ancestor checked; all else is relative to it */
	if (ec_safedir_open(dir, writer, &s->dfd, e) < 0)
		goto fail;
	if (s->dfd < 0) {
		*out = s;	/* an absent store is an empty one */
		return 0;
	}
	/* a read-only file system: read it as a reader does (a run that
	 * changes nothing succeeds); a change fails at ec_txn_begin */
	if (writer && faccessat(s->dfd, ".", W_OK, AT_EACCESS) < 0 &&
	    errno == EROFS) {
		writer = 0;
		s->rofs = 1;
	}
	if (writer && lock_store(s, wait_seconds, e) < 0)
		goto fail;
	if (check_version(s, writer, e) < 0)
		goto fail;
	if (open_commit_lock(s, writer, e) < 0)
		goto fail;
	if (writer && (recover(s, e) < 0 || make_sections(s, e) < 0))
		goto fail;
	if (!writer && reader_lock(s, e) < 0)
		goto fail;
	*out = s;
	return 0;
fail:
	ec_store_close(s);
	return -1;
}

void ec_store_close(struct ec_store *s)
{
	if (!s)
		return;
	for (int i = 0; i < EC_SEC_COUNT; i++)
		if (s->secfd[i] >= 0)
			close(s->secfd[i]);
	if (s->lockfd >= 0)
		close(s->lockfd);	/* releases the flock */
	if (s->commitfd >= 0)
		close(s->commitfd);
	if (s->dfd >= 0)
		close(s->dfd);
	free(s->dir);
	free(s);
}

static int name_check(const char *name, struct ec_err *e)
{
	if (!ec_store_name_ok(name))
		return ec_fail(e, EC_INTERNAL, "unsafe object name '%s'", name);
	return 0;
}

int ec_store_read(struct ec_store *s, enum ec_section sec, const char *name,
		  struct ec_data *out, struct ec_err *e)
{
	return ec_store_read_max(s, sec, name, EC_INPUT_MAX, out, e);
}

/* Read an object of at most max bytes: 0 read, 1 absent (the object,
 * its section or the store), -1 with e. */
static int read_obj(struct ec_store *s, enum ec_section sec,
		    const char *name, size_t max, struct ec_data *out,
		    struct ec_err *e)
{
	size_t n;
	int fd, r;

	if (name_check(name, e) < 0)
		return -1;
	if ((r = sec_open(s, sec, &fd, e)) != 0)
		return r;
	/* another user's object (a root, a key) is not this user's trust;
	 * a key is readable by its owner (and perhaps its group) only */
	n = strlen(name);
	return ec_read_owned_at_opt(fd, name, max, n > 4 &&
				    strcmp(name + n - 4, ".key") == 0 ? 027 :
				    022, out, e);
}

int ec_store_read_max(struct ec_store *s, enum ec_section sec,
		      const char *name, size_t max, struct ec_data *out,
		      struct ec_err *e)
{
	int r = read_obj(s, sec, name, max, out, e);

	if (r == 1 && sec_fd(s, sec, e) < 0)
		return -1;
	if (r == 1)
		return ec_fail_errno(e, EC_IO, ENOENT, "cannot open '%s'",
				     name);
	return r;
}

int ec_store_read_opt(struct ec_store *s, enum ec_section sec,
		      const char *name, struct ec_data *out, struct ec_err *e)
{
	return read_obj(s, sec, name, EC_INPUT_MAX, out, e);
}

int ec_store_has(struct ec_store *s, enum ec_section sec, const char *name)
{
	struct ec_err e;
	int fd;

	if (!ec_store_name_ok(name) || (fd = sec_fd(s, sec, &e)) < 0)
		return 0;
	return faccessat(fd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

int ec_store_scan(struct ec_store *s, enum ec_section sec, const char *suffix,
		  int (*fn)(void *arg, const char *name), void *arg,
		  struct ec_err *e)
{
	size_t sl = strlen(suffix);
	struct dirent *de;
	int fd, r = 0;
	DIR *d;

	if ((r = sec_open(s, sec, &fd, e)) != 0)
		return r < 0 ? -1 : 0;
	fd = dup(fd);
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return ec_fail_errno(e, EC_IO, errno, "cannot read '%s/%s'",
				     s->dir, sections[sec]);
	}
	rewinddir(d);
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (de->d_name[0] == '.' || n < sl ||
		    strcmp(de->d_name + n - sl, suffix) != 0 ||
		    !ec_store_name_ok(de->d_name))
			continue;
		if ((r = fn(arg, de->d_name)) != 0)
			break;
	}
	closedir(d);
	return r;
}

int ec_txn_begin(struct ec_store *s, struct ec_txn **out, struct ec_err *e)
{
	struct ec_txn *t;

	*out = NULL;
	if (s->rofs)
		return ec_fail(e, EC_IO, "cannot change store '%s': it is on a "
			       "read-only file system", s->dir);
	if (s->lockfd < 0)
		return ec_fail(e, EC_INTERNAL, "store opened read-only");
	if (!(t = calloc(1, sizeof(*t))))
		return ec_fail(e, EC_INTERNAL, "out of memory");
	t->s = s;
	if (mkdirat(s->dfd, TXN, 0700) < 0 && errno != EEXIST) {
		free(t);
		return ec_fail_errno(e, EC_IO, errno, "cannot create '%s/%s'",
				     s->dir, TXN);
	}
	t->tfd = openat(s->dfd, TXN, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			O_CLOEXEC);
	if (t->tfd < 0) {
		free(t);
		return ec_fail_errno(e, EC_IO, errno, "cannot open '%s/%s'",
				     s->dir, TXN);
	}
	if (ec_safedir_check(t->tfd, TXN, e) < 0) {
		close(t->tfd);
		free(t);
		return -1;
	}
	*out = t;
	return 0;
}

static int txn_add(struct ec_txn *t, enum ec_section sec, const char *name,
		   int del, struct ec_err *e)
{
	struct txn_op *ops;

	if (name_check(name, e) < 0)
		return -1;
	for (size_t i = 0; i < t->n; i++)
		if (t->ops[i].sec == sec && strcmp(t->ops[i].name, name) == 0)
			return ec_fail(e, EC_INTERNAL, "'%s/%s' staged twice",
				       sections[sec], name);
	ops = realloc(t->ops, (t->n + 1) * sizeof(*ops));
	if (!ops)
		return ec_fail(e, EC_INTERNAL, "out of memory");
	t->ops = ops;
	memset(&ops[t->n], 0, sizeof(ops[t->n]));
	ops[t->n].sec = sec;
	ops[t->n].del = del;
	snprintf(ops[t->n].name, sizeof(ops[t->n].name), "%s", name);
	t->n++;
	return 0;
}

int ec_txn_put(struct ec_txn *t, enum ec_section sec, const char *name,
	       const void *data, size_t len, mode_t mode, struct ec_err *e)
{
	char tmp[32];

	if (txn_add(t, sec, name, 0, e) < 0)
		return -1;
	snprintf(tmp, sizeof(tmp), "%zu.new", t->n - 1);
	if (ec_create_at(t->tfd, tmp, data, len, mode, e) < 0) {
		t->n--;
		return -1;
	}
	return 0;
}

int ec_txn_put_if_changed(struct ec_store *s, struct ec_txn *t,
			  enum ec_section sec, const char *name,
			  const void *data, size_t len, mode_t mode,
			  struct ec_err *e)
{
	struct ec_data old = { 0 };
	int r = ec_store_read_opt(s, sec, name, &old, e), same;

	if (r < 0)
		return -1;
	if (r == 0) {
		same = old.size == len && memcmp(old.data, data, len) == 0;
		ec_data_free(&old);
		if (same)
			return 0;
	}
	if (t && ec_txn_put(t, sec, name, data, len, mode, e) < 0)
		return -1;
	return 1;
}

int ec_txn_del(struct ec_txn *t, enum ec_section sec, const char *name,
	       struct ec_err *e)
{
	return txn_add(t, sec, name, 1, e);
}

size_t ec_txn_count(const struct ec_txn *t)
{
	return t->n;
}

static void txn_free(struct ec_txn *t)
{
	close(t->tfd);
	free(t->ops);
	free(t);
}

void ec_txn_abort(struct ec_txn *t)
{
	struct ec_err ignored;

	if (!t)
		return;
	txn_clean(t->tfd, &ignored);
	txn_free(t);
}

static int write_journal(struct ec_txn *t, struct ec_err *e)
{
	struct ec_buf b = { 0 };
	int r;

	for (size_t i = 0; i < t->n; i++)
		ec_buf_addf(&b, "%s %s %s %zu %d\n", t->ops[i].del ? "del" :
			    "put", sections[t->ops[i].sec], t->ops[i].name, i,
			    t->ops[i].had_old);
	if (b.oom) {
		ec_buf_free(&b);
		return ec_fail(e, EC_INTERNAL, "out of memory");
	}
	unlinkat(t->tfd, "journal.tmp", 0);
	r = ec_create_at(t->tfd, "journal.tmp", b.p, b.len, 0600, e);
	ec_buf_free(&b);
	if (r < 0)
		return -1;
	if (renameat(t->tfd, "journal.tmp", t->tfd, "journal") < 0)
		return ec_fail_errno(e, EC_IO, errno, "cannot commit to store "
				     "'%s'", t->s->dir);
	return ec_fsync_fd_dir(t->tfd, e);
}

/* Undo the changes made so far; the journal then still describes the
 * transaction, so a failed undo is completed (rolled forward) by the next
 * writer.  Each step is tried a few times: the error that sent us here
 * may be a passing one (EIO on a busy device, EINTR), and an undo that
 * gives up at once leaves the new state where the old one was promised.
 * Returns 0 when the store is back as it was. */
#define UNDO_TRIES 3
static int roll_back(struct ec_txn *t)
{
	struct ec_err e;
	char nw[32], old[32];
	int k, r;

	for (size_t i = t->n; i-- > 0;) {
		struct txn_op *op = &t->ops[i];
		int fd = t->s->secfd[op->sec];

		if (!op->done)
			continue;
		snprintf(nw, sizeof(nw), "%zu.new", i);
		snprintf(old, sizeof(old), "%zu.old", i);
		if (!op->del) {
			for (k = 0; (r = renameat(fd, op->name, t->tfd, nw)) < 0
			     && k < UNDO_TRIES; k++)
				;
			if (r < 0)
				return -1;
		}
		if (op->had_old) {
			for (k = 0; (r = linkat(t->tfd, old, fd, op->name, 0)) < 0
			     && errno != EEXIST && k < UNDO_TRIES; k++)
				;
			if (r < 0 && errno != EEXIST)
				return -1;
		}
		for (k = 0; (r = ec_fsync_fd_dir(fd, &e)) < 0 &&
		     k < UNDO_TRIES; k++)
			;
		if (r < 0)
			return -1;
		op->done = 0;
	}
	for (k = 0; (r = unlinkat(t->tfd, "journal", 0)) < 0 && errno != ENOENT
	     && k < UNDO_TRIES; k++)
		;
	if (r < 0 && errno != ENOENT)
		return -1;
	for (k = 0; (r = ec_fsync_fd_dir(t->tfd, &e)) < 0 && k < UNDO_TRIES;
	     k++)
		;
	return r < 0 ? -1 : 0;
}

int ec_txn_commit(struct ec_txn *t, struct ec_err *e)
{
	struct ec_err left;
	int synced[EC_SEC_COUNT] = { 0 }, fd, err, r;
	char nw[32], old[32];
	size_t i;

	if (t->n == 0) {
		ec_txn_abort(t);
		return 0;
	}
	/* The last moment to stop cleanly: abandon the transaction. */
	if (ec_sig_caught()) {
		ec_fail(e, EC_INTERRUPTED, "interrupted by %s before the "
			"change was committed: the store is left as it was",
			ec_sig_name(ec_sig_caught()));
		goto abort;
	}
	/* Keep the old content of every target, for an undo. */
	for (i = 0; i < t->n; i++) {
		struct txn_op *op = &t->ops[i];

		if ((fd = sec_fd(t->s, op->sec, e)) < 0)
			goto abort;
		snprintf(old, sizeof(old), "%zu.old", i);
		if (linkat(fd, op->name, t->tfd, old, 0) == 0)
			op->had_old = 1;
		else if (errno != ENOENT) {
			ec_fail_errno(e, EC_IO, errno, "cannot stage '%s/%s'",
				      sections[op->sec], op->name);
			goto abort;
		}
	}
	if (commit_lock(t->s, LOCK_EX) < 0) {
		ec_fail_errno(e, EC_IO, errno, "cannot lock store '%s'",
			      t->s->dir);
		goto abort;
	}
	if (write_journal(t, e) < 0) {
		commit_lock(t->s, LOCK_UN);
		goto abort;
	}
	/* The commit point is passed: from here the change completes, now
	 * or, if this process dies, at the next writer's open. */
	for (i = 0; i < t->n; i++) {
		struct txn_op *op = &t->ops[i];

		fd = t->s->secfd[op->sec];
		snprintf(nw, sizeof(nw), "%zu.new", i);
		if (op->del ? unlinkat(fd, op->name, 0) < 0 && errno != ENOENT
			    : renameat(t->tfd, nw, fd, op->name) < 0)
			goto undo;
		op->done = 1;
		synced[op->sec] = 1;
	}
	for (i = 0; i < EC_SEC_COUNT; i++)
		if (synced[i] && fsync(t->s->secfd[i]) < 0)
			goto undo;
	if (unlinkat(t->tfd, "journal", 0) < 0)
		goto undo;
	commit_lock(t->s, LOCK_UN);
	/* committed: a staged file left here is the next writer's to drop */
	txn_clean(t->tfd, &left);
	txn_free(t);
	return 0;
undo:
	err = errno;
	r = roll_back(t);
	commit_lock(t->s, LOCK_UN);
	if (r == 0) {
		ec_fail_errno(e, EC_IO, err, "cannot write to store '%s'; "
			      "nothing was changed", t->s->dir);
		goto abort_quiet;
	}
	ec_fail_errno(e, EC_IO, err, "cannot write to store '%s'; the change "
		      "will be completed by the next writer", t->s->dir);
	txn_free(t);
	return -1;
abort:
	err = e->code;
	ec_txn_abort(t);
	e->code = err;
	return -1;
abort_quiet:
	ec_txn_abort(t);
	return -1;
}
