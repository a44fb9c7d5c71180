#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "safedir.h"

#define MAX_LINKS 40
#define DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

static int trusted(uid_t uid)
{
	return uid == 0 || uid == geteuid();
}

/* The walk: where it is (fd, its stat, its resolved path for messages)
 * and what is left of the path. */
struct walk {
	const char *path;	/* as asked, for messages */
	int fd;
	struct stat st;
	char where[PATH_MAX];
	char rest[2 * PATH_MAX];
};

static const char *where(const struct walk *w)
{
	return w->where[0] ? w->where : "/";
}

/* Can nobody but root and this user replace an entry owned by uid in the
 * current directory? */
static int parent_ok(const struct walk *w, const char *comp, uid_t uid,
		     struct ec_err *e)
{
	if (!trusted(w->st.st_uid))
		return ec_fail(e, EC_STORE_UNSAFE, "store '%s' is unsafe: '%s' "
			       "is owned by uid %ld, neither root nor this user",
			       w->path, where(w), (long)w->st.st_uid);
	if (!(w->st.st_mode & 022))
		return 0;
	if (!(w->st.st_mode & S_ISVTX))
		return ec_fail(e, EC_STORE_UNSAFE, "store '%s' is unsafe: '%s' "
			       "is writable by group or others (mode %04o)",
			       w->path, where(w),
			       (unsigned)(w->st.st_mode & 07777));
	if (!trusted(uid))
		return ec_fail(e, EC_STORE_UNSAFE, "store '%s' is unsafe: '%s' "
			       "is writable by others (mode %04o) and its entry "
			       "'%s' is owned by uid %ld, neither root nor this "
			       "user", w->path, where(w),
			       (unsigned)(w->st.st_mode & 07777), comp,
			       (long)uid);
	return 0;
}

static int go_root(struct walk *w, struct ec_err *e)
{
	if (w->fd >= 0)
		close(w->fd);
	w->where[0] = '\0';
	if ((w->fd = open("/", DIR_FLAGS)) < 0 || fstat(w->fd, &w->st) < 0)
		return ec_fail_errno(e, EC_IO, errno, "cannot open '/'");
	return 0;
}

/* Step into nfd (named comp; ".." goes up). */
static int step(struct walk *w, int nfd, const char *comp, struct ec_err *e)
{
	struct stat st;
	size_t n = strlen(w->where);
	char *slash;

	if (fstat(nfd, &st) < 0) {
		ec_fail_errno(e, EC_IO, errno, "cannot use store '%s'", w->path);
		close(nfd);
		return -1;
	}
	if (strcmp(comp, "..") == 0) {
		/* the parent must be as safe for the child we leave */
		struct walk up = *w;

		up.st = st;
		if (parent_ok(&up, where(w), w->st.st_uid, e) < 0) {
			close(nfd);
			return -1;
		}
		if ((slash = strrchr(w->where, '/')))
			*slash = '\0';
	} else {
		if (parent_ok(w, comp, st.st_uid, e) < 0) {
			close(nfd);
			return -1;
		}
		if (n + 1 + strlen(comp) < sizeof(w->where))
			snprintf(w->where + n, sizeof(w->where) - n, "/%s",
				 comp);
	}
	close(w->fd);
	w->fd = nfd;
	w->st = st;
	return 0;
}

/* comp in the current directory is a symlink (or not a directory): follow
 * it when it is an ancestor that cannot be swapped. */
static int follow(struct walk *w, const char *comp, const char *after,
		  int last, int *links, struct ec_err *e)
{
	char target[PATH_MAX], rest[sizeof(w->rest)];
	struct stat st;
	ssize_t n;

	if (fstatat(w->fd, comp, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return ec_fail_errno(e, EC_IO, errno, "cannot use store '%s'",
				     w->path);
	if (!S_ISLNK(st.st_mode))
		return ec_fail(e, EC_STORE_CORRUPT, "store '%s' is not a "
			       "directory", w->path);
	if (last)
		return ec_fail(e, EC_STORE_CORRUPT, "store '%s' is a symlink; "
			       "refusing to use it", w->path);
	if (parent_ok(w, comp, st.st_uid, e) < 0)
		return -1;
	if (++*links > MAX_LINKS)
		return ec_fail(e, EC_STORE_CORRUPT, "store '%s': too many "
			       "symlinks in its path", w->path);
	n = readlinkat(w->fd, comp, target, sizeof(target) - 1);
	if (n < 0)
		return ec_fail_errno(e, EC_IO, errno, "cannot use store '%s'",
				     w->path);
	target[n] = '\0';
	if ((size_t)snprintf(rest, sizeof(rest), "%s/%s", target, after) >=
	    sizeof(rest))
		return ec_fail(e, EC_USAGE, "store '%s': its path is too long",
			       w->path);
	memcpy(w->rest, rest, sizeof(rest));
	return target[0] == '/' ? go_root(w, e) : 0;
}

/* The store itself. */
static int final_ok(const struct walk *w, struct ec_err *e)
{
	if (w->st.st_uid != geteuid())
		return ec_fail(e, EC_STORE_UNSAFE, "store '%s' is owned by uid "
			       "%ld, not by this user; refusing to use it",
			       w->path, (long)w->st.st_uid);
	if (w->st.st_mode & 022)
		return ec_fail(e, EC_STORE_UNSAFE, "store '%s' is writable by "
			       "group or others (mode %04o); refusing to use it",
			       w->path, (unsigned)(w->st.st_mode & 07777));
	return 0;
}

static int walk(struct walk *w, int create, struct ec_err *e)
{
	char comp[NAME_MAX + 1], *p = w->rest, *end;
	int links = 0, nfd, last;
	size_t n;

	if (go_root(w, e) < 0)
		return -1;
	for (;;) {
		while (*p == '/')
			p++;
		if (!*p)
			return final_ok(w, e);
		end = strchr(p, '/');
		n = end ? (size_t)(end - p) : strlen(p);
		if (n > NAME_MAX)
			return ec_fail(e, EC_USAGE, "store '%s': a component "
				       "of its path is too long", w->path);
		memcpy(comp, p, n);
		comp[n] = '\0';
		p += n;
		while (*p == '/')
			p++;
		last = *p == '\0';
		if (strcmp(comp, ".") == 0)
			continue;
		nfd = openat(w->fd, comp, DIR_FLAGS);
		if (nfd < 0 && errno == ENOENT && create &&
		    strcmp(comp, "..") != 0) {
			if (mkdirat(w->fd, comp, 0700) < 0 && errno != EEXIST)
				return ec_fail_errno(e, EC_IO, errno, "cannot "
						     "create store '%s'",
						     w->path);
			nfd = openat(w->fd, comp, DIR_FLAGS);
		}
		if (nfd >= 0) {
			if (step(w, nfd, comp, e) < 0)
				return -1;
			continue;
		}
		if (errno == ENOENT) {
			/* absent: could someone else make it? */
			if (parent_ok(w, comp, geteuid(), e) < 0)
				return -1;
			close(w->fd);
			w->fd = -1;	/* absent */
			return 0;
		}
		if (errno != ELOOP && errno != ENOTDIR)
			return ec_fail_errno(e, EC_IO, errno, "cannot use store "
					     "'%s'", w->path);
		{
			char after[sizeof(w->rest)];

			snprintf(after, sizeof(after), "%s", p);
			if (follow(w, comp, after, last, &links, e) < 0)
				return -1;
		}
		p = w->rest;
	}
}

int ec_safedir_open(const char *path, int create, int *out, struct ec_err *e)
{
	static const struct walk empty = { .fd = -1 };
	struct walk *w;
	char cwd[PATH_MAX];
	int r;

	*out = -1;
	if (!path[0])
		return ec_fail(e, EC_USAGE, "the store's path is empty");
	if (!(w = malloc(sizeof(*w))))
		return ec_fail(e, EC_INTERNAL, "out of memory");
	*w = empty;
	w->path = path;
	if (path[0] != '/' && !getcwd(cwd, sizeof(cwd))) {
		free(w);
		return ec_fail_errno(e, EC_IO, errno, "cannot tell the current "
				     "directory");
	}
	if ((size_t)snprintf(w->rest, sizeof(w->rest), "%s/%s",
			     path[0] == '/' ? "" : cwd, path) >=
	    sizeof(w->rest)) {
		free(w);
		return ec_fail(e, EC_USAGE, "store '%s': its path is too long",
			       path);
	}
	r = walk(w, create, e);
	if (r < 0 && w->fd >= 0)
		close(w->fd);
	else
		*out = w->fd;
	free(w);
	return r;
}

int ec_safedir_check(int fd, const char *what, struct ec_err *e)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return ec_fail_errno(e, EC_IO, errno, "cannot stat '%s'", what);
	if (!S_ISDIR(st.st_mode))
		return ec_fail(e, EC_STORE_CORRUPT, "'%s' is not a directory",
			       what);
	if (st.st_uid != geteuid())
		return ec_fail(e, EC_STORE_UNSAFE, "'%s' is owned by uid %ld, "
			       "not by this user; refusing to use it", what,
			       (long)st.st_uid);
	if (st.st_mode & 022)
		return ec_fail(e, EC_STORE_UNSAFE, "'%s' is writable by group or "
			       "others (mode %04o); refusing to use it", what,
			       (unsigned)(st.st_mode & 07777));
	return 0;
}
