/*
 * ledger-db.c: the ledger's connection: open (lock, modes, integrity
 * check, pragmas, migrations), the WAL checkpointer, and transactions
 * and savepoints.  Every state change is one BEGIN IMMEDIATE transaction
 * (or a savepoint inside the caller's batch), so a failed write leaves
 * nothing behind and the database stays the source of truth.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ledger-int.h"
#include "util.h"
#include "wso2alloc.h"

extern const char *const wa_migrations[];
extern const size_t wa_nmigrations;

static const char *const wa_tx_sql[ST_COUNT] = {
	/* Prepared once: sqlite3_exec would parse them on every request. */
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_SP_REQ] = "SAVEPOINT wa_req",
	[ST_REL_REQ] = "RELEASE wa_req",
	[ST_RB_REQ] = "ROLLBACK TO wa_req",
	[ST_SP_OP] = "SAVEPOINT wa_op",
	[ST_REL_OP] = "RELEASE wa_op",
	[ST_RB_OP] = "ROLLBACK TO wa_op",
	/* Pruning lowers the sync level around each chunk. */
	[ST_SYNC_FULL] = "PRAGMA synchronous = FULL",
	[ST_SYNC_NORMAL] = "PRAGMA synchronous = NORMAL",
};

/* SQLite's result codes, kept meaningful all the way up. */
int
wa_sqlite_err(int rc)
{
	if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
		return WA_ECONFLICT;
	switch (rc & 0xff) {
	case SQLITE_OK: case SQLITE_DONE: case SQLITE_ROW: return 0;
	case SQLITE_FULL: return WA_EFULL;
	case SQLITE_READONLY: return WA_EREADONLY;
	case SQLITE_CORRUPT: case SQLITE_NOTADB: return WA_ECORRUPT;
	case SQLITE_BUSY: case SQLITE_LOCKED: return WA_EDBBUSY;
	case SQLITE_NOMEM: return WA_ENOMEM;
	case SQLITE_CONSTRAINT: return WA_EINVAL;
	case SQLITE_IOERR:
		/* Some file systems report a full disk as a write error. */
		return errno == ENOSPC ? WA_EFULL : WA_EIO;
	default: return WA_EIO;
	}
}

int
wa_exec(struct wa_ledger *l, const char *sql)
{
	return wa_sqlite_err(sqlite3_exec(l->db, sql, NULL, NULL, NULL));
}

int
wa_ledger_exec(struct wa_ledger *l, const char *sql)
{
	return wa_exec(l, sql);
}

sqlite3_stmt *
wa_prepared(struct wa_ledger *l, enum wa_st id, const char *sql)
{
	if (l->st[id] == NULL &&
	    sqlite3_prepare_v3(l->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    &l->st[id], NULL) != SQLITE_OK)
		return NULL;
	return l->st[id];
}

void
wa_done(sqlite3_stmt *s)
{
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
}

/* Run a statement that returns no rows (or ignores them). */
int
wa_step_done(sqlite3_stmt *s)
{
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		;
	rc = rc == SQLITE_DONE ? 0 : wa_sqlite_err(sqlite3_extended_errcode(
	    sqlite3_db_handle(s)));
	wa_done(s);
	return rc;
}

/* One of the transaction-control statements above. */
static int
wa_tx(struct wa_ledger *l, enum wa_st id)
{
	sqlite3_stmt *s = wa_prepared(l, id, wa_tx_sql[id]);
	int rc = s != NULL ? wa_step_done(s) :
	    wa_sqlite_err(sqlite3_extended_errcode(l->db));

	if (rc == 0 && id == ST_COMMIT) {
		l->committed = wa_now_ms();
		l->commits++;
	}
	return rc;
}

/*
 * Give fd the ledger's mode and group, whatever the umask took from
 * open's mode or an older version left; a ledger made read-only stays
 * so (the daemon then says it cannot write it).
 */
static int
wa_ledger_fdperms(const struct wa_ledger *l, int fd, const char *path,
    char *err, size_t errlen)
{
	struct stat st;
	mode_t mode;
	int e;

	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		return WA_EIO;
	}
	mode = (mode_t)l->mode;
	if (st.st_size > 0 && !(st.st_mode & S_IWUSR))
		mode &= ~(mode_t)S_IWUSR;
	if (((st.st_mode & 07777) != mode && fchmod(fd, mode) != 0) ||
	    (l->has_group && st.st_gid != l->group &&
	    fchown(fd, (uid_t)-1, l->group) != 0)) {
		e = errno;
		snprintf(err, errlen, "%s: cannot set mode %04o%s: %s", path,
		    (unsigned)mode, l->has_group ? " and group" : "",
		    strerror(e));
		return e == EROFS ? WA_EREADONLY : WA_EIO;
	}
	return 0;
}

/*
 * SQLite makes the database 0644 less the umask and gives the -wal and
 * -shm the database's mode and owner: the database is made here first,
 * and side files an older version left get the mode too.
 */
static int
wa_ledger_perms(const struct wa_ledger *l, char *err, size_t errlen)
{
	static const char *const side[] = { "-wal", "-shm" };
	char p[PATH_MAX];
	int fd, rc, e;

	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof p, "%s%s", l->path, i > 0 ? side[i - 1] : "");
		/* No write access asked: a read-only ledger is refused later
		 * with its own message. */
		fd = i == 0 ? open(p, O_RDONLY | O_CREAT | O_NONBLOCK |
		    O_CLOEXEC, l->mode) : open(p, O_RDONLY | O_NOFOLLOW |
		    O_NONBLOCK | O_CLOEXEC);
		if (fd < 0 && i > 0 && errno == ENOENT)
			continue;
		if (fd < 0) {
			e = errno;
			snprintf(err, errlen, "ledger %s: %s", p, strerror(e));
			return e == EROFS || e == EACCES ? WA_EREADONLY : WA_EIO;
		}
		rc = wa_ledger_fdperms(l, fd, p, err, errlen);
		close(fd);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* flock beside the database: two daemons never serve one ledger. */
static int
wa_ledger_lock(struct wa_ledger *l, char *err, size_t errlen)
{
	char lpath[PATH_MAX], buf[32];
	ssize_t n;
	int rc;

	snprintf(lpath, sizeof lpath, "%s.lock", l->path);
	if ((l->lockfd = open(lpath, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
	    l->mode)) < 0) {
		snprintf(err, errlen, "%s: %s", lpath, strerror(errno));
		return errno == EROFS || errno == EACCES ? WA_EREADONLY : WA_EIO;
	}
	if ((rc = wa_ledger_fdperms(l, l->lockfd, lpath, err, errlen)) != 0)
		return rc;
	if (flock(l->lockfd, LOCK_EX | LOCK_NB) != 0) {
		n = pread(l->lockfd, buf, sizeof buf - 1, 0);
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		snprintf(err, errlen, "ledger %s is in use by another "
		    "wso2-allocd (pid %s)", l->path, *buf ? buf : "unknown");
		return WA_ELOCKED;
	}
	/* The pid is a courtesy for the message above: failure is fine. */
	n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
	if (ftruncate(l->lockfd, 0) == 0)
		(void)!pwrite(l->lockfd, buf, (size_t)n, 0);
	return 0;
}

static int
wa_ledger_migrate(struct wa_ledger *l, char *err, size_t errlen)
{
	char sql[64];
	int rc;

	for (size_t v = (size_t)l->version; v < wa_nmigrations; v++) {
		if ((rc = wa_exec(l, "BEGIN IMMEDIATE")) != 0)
			goto fail;
		snprintf(sql, sizeof sql, "PRAGMA user_version = %zu", v + 1);
		if ((rc = wa_exec(l, wa_migrations[v])) != 0 ||
		    (rc = wa_exec(l, sql)) != 0) {
			snprintf(err, errlen, "%s: migration %zu failed: %s",
			    l->path, v + 1, sqlite3_errmsg(l->db));
			wa_exec(l, "ROLLBACK");
			return rc;
		}
		if ((rc = wa_exec(l, "COMMIT")) != 0)
			goto fail;
		l->version = (int)v + 1;
	}
	return 0;
fail:
	snprintf(err, errlen, "%s: cannot migrate: %s", l->path,
	    sqlite3_errmsg(l->db));
	return rc;
}

static int
wa_ledger_check(struct wa_ledger *l, char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	int rc;

	rc = sqlite3_prepare_v2(l->db, "PRAGMA quick_check", -1, &s, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(s, 0),
	    "ok") == 0)
		rc = 0;
	else if (rc == SQLITE_ROW || (rc & 0xff) == SQLITE_CORRUPT ||
	    (rc & 0xff) == SQLITE_NOTADB) {
		snprintf(err, errlen, "ledger %s is corrupt (%s): restore it "
		    "from a backup or move it aside", l->path,
		    rc == SQLITE_ROW ? (const char *)sqlite3_column_text(s, 0) :
		    sqlite3_errmsg(l->db));
		rc = WA_ECORRUPT;
	} else {
		snprintf(err, errlen, "ledger %s: %s", l->path,
		    sqlite3_errmsg(l->db));
		rc = wa_sqlite_err(rc);
	}
	sqlite3_finalize(s);
	return rc;
}

static int
wa_ledger_version(struct wa_ledger *l)
{
	sqlite3_stmt *s;
	int v = -1;

	if (sqlite3_prepare_v2(l->db, "PRAGMA user_version", -1, &s,
	    NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

enum wa_sync
wa_sync_level(const struct wa_ledger *l)
{
	return l->own_sync ? WA_SYNC_NORMAL : l->sync;
}

int
wa_sync_set(struct wa_ledger *l, enum wa_sync sync)
{
	return wa_tx(l, sync == WA_SYNC_NORMAL ? ST_SYNC_NORMAL : ST_SYNC_FULL);
}

static int
wa_ledger_pragmas(struct wa_ledger *l, char *err, size_t errlen)
{
	int rc;

	if (l->readonly)
		return wa_exec(l, "PRAGMA query_only = ON");
	if ((rc = wa_exec(l, "PRAGMA journal_mode = WAL")) != 0 ||
	    (rc = wa_exec(l, "PRAGMA foreign_keys = ON")) != 0 ||
	    /* A log grown by a burst shrinks back when it restarts. */
	    (rc = wa_exec(l, "PRAGMA journal_size_limit = 16777216")) != 0 ||
	    /* A batch's savepoint journal stays in memory: with 32-64 API
	     * Manager pairs a batch it went to a temporary file (131-231
	     * us a pair instead of 93-132). */
	    (rc = wa_exec(l, "PRAGMA temp_store = MEMORY")) != 0 ||
	    (rc = wa_sync_set(l, wa_sync_level(l))) != 0)
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "ledger %s: %s", l->path, sqlite3_errmsg(l->db));
	return rc;
}

/* Replaces SQLite's auto-checkpoint hook: only count. */
static int
wa_ledger_wal_hook(void *arg, sqlite3 *db, const char *name, int frames)
{
	struct wa_ledger *l = arg;

	(void)db;
	(void)name;
	l->wal_frames = frames;
	return SQLITE_OK;
}

/*
 * The name the ledger opens with: 1 for a URI, 0 for the plain path.  A reader (the client with the daemon
 * down) may lack write access to the directory: a group member of a
 * 0640 ledger under a 0750 directory.  SQLite then cannot make the WAL
 * index, so a ledger whose log is empty (a clean stop removes it) opens
 * immutable, and one with a log opens read-only, which reads an
 * existing index it may not write.
 */
static int
wa_ledger_uri(const struct wa_ledger *l, char *buf, size_t len)
{
	char dir[PATH_MAX], wal[PATH_MAX + 8];
	const char *query = "";
	struct stat st;
	size_t n = 0;

	if (l->readonly) {
		if (wa_path_dir(l->path, dir, sizeof dir) != 0)
			return WA_EINVAL;
		snprintf(wal, sizeof wal, "%s-wal", l->path);
		if (access(dir, W_OK) != 0)
			query = stat(wal, &st) == 0 && st.st_size > 0 ?
			    "?mode=ro" : "?immutable=1";
	}
	if (*query == '\0') {
		/* Everyone else opens the plain path, as before. */
		if (strlen(l->path) >= len)
			return WA_EINVAL;
		snprintf(buf, len, "%s", l->path);
		return 0;
	}
	n = (size_t)snprintf(buf, len, "file:");
	for (const unsigned char *p = (const unsigned char *)l->path; *p;
	    p++) {
		if (n + 4 >= len)
			return WA_EINVAL;
		/* Only what a URI would read as syntax is escaped. */
		if (*p == '%' || *p == '?' || *p == '#' || *p <= ' ')
			n += (size_t)snprintf(buf + n, len - n, "%%%02X", *p);
		else
			buf[n++] = (char)*p;
	}
	if (n + strlen(query) + 1 > len)
		return WA_EINVAL;
	snprintf(buf + n, len - n, "%s", query);
	return 1;
}

/*
 * A reader opens what it is named (--db): SQLite's own open would wait
 * forever on a FIFO and calls a directory a disk I/O error, so the file
 * is looked at first, without blocking.
 */
static int
wa_ledger_regular(const char *path, char *err, size_t errlen)
{
	struct stat st;
	int fd, e;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY |
	    O_CLOEXEC)) < 0) {
		e = errno;
		snprintf(err, errlen, "ledger %s: %s", path, strerror(e));
		return e == ENOENT ? WA_ENOTFOUND : e == EACCES ?
		    WA_EFORBIDDEN : WA_EIO;
	}
	e = fstat(fd, &st);
	close(fd);
	if (e != 0 || S_ISREG(st.st_mode))
		return 0;
	snprintf(err, errlen, "ledger %s: %s, not a regular file", path,
	    S_ISFIFO(st.st_mode) ? "a FIFO" : S_ISDIR(st.st_mode) ?
	    "a directory" : "a special file");
	return WA_EINVAL;
}

/*
 * SQLite's memory statistics take a global mutex on every malloc and
 * free (2-3% of the daemon's time at 64 clients); nothing reads them.
 * Set before SQLite initializes: later it is refused, harmlessly.
 */
static void
wa_sqlite_config(void)
{
	static bool done;

	if (!done) {
		sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
		done = true;
	}
}

int
wa_ledger_open(struct wa_ledger **out, const char *path,
    const struct wa_ledger_opts *o, char *err, size_t errlen)
{
	char uri[PATH_MAX * 3 + 32];
	struct wa_ledger *l;
	char dummy[8];
	int rc, flags;

	if (err == NULL || errlen == 0) {
		err = dummy;
		errlen = sizeof dummy;
	}
	*out = NULL;
	wa_sqlite_config();
	if ((l = calloc(1, sizeof *l)) == NULL)
		return WA_ENOMEM;
	l->lockfd = -1;
	l->walfd = -1;
	l->readonly = o != NULL && o->readonly;
	l->sync = o != NULL ? o->sync : WA_SYNC_FULL;
	l->own_sync = !l->readonly && l->sync == WA_SYNC_FULL && o != NULL &&
	    o->own_sync;
	l->mode = o != NULL && o->mode != 0 ? o->mode & 0777 : 0600;
	l->has_group = o != NULL && o->has_group;
	l->group = o != NULL ? o->group : 0;
	if ((l->path = strdup(path)) == NULL) {
		rc = WA_ENOMEM;
		goto out;
	}
	if (!l->readonly && ((rc = wa_ledger_lock(l, err, errlen)) != 0 ||
	    (rc = wa_ledger_perms(l, err, errlen)) != 0))
		goto out;
	if (l->readonly && (rc = wa_ledger_regular(path, err, errlen)) != 0)
		goto out;
	flags = (l->readonly ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
	    SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
	if ((rc = wa_ledger_uri(l, uri, sizeof uri)) < 0) {
		snprintf(err, errlen, "ledger %s: path too long", path);
		goto out;
	}
	if (rc == 1)
		flags |= SQLITE_OPEN_URI;
	if ((rc = sqlite3_open_v2(uri, &l->db, flags, NULL)) != SQLITE_OK) {
		snprintf(err, errlen, "ledger %s: %s", path,
		    l->db ? sqlite3_errmsg(l->db) : sqlite3_errstr(rc));
		rc = wa_sqlite_err(rc);
		goto out;
	}
	/* SQLite quietly opens a file it cannot write read-only: say so
	 * before any read, which would leave a -shm of the file's mode. */
	if (!l->readonly && sqlite3_db_readonly(l->db, "main") == 1) {
		snprintf(err, errlen, "ledger %s is read-only: the daemon "
		    "needs to write it", path);
		rc = WA_EREADONLY;
		goto out;
	}
	sqlite3_extended_result_codes(l->db, 1);
	sqlite3_busy_timeout(l->db, o != NULL && o->busy_timeout_ms > 0 ?
	    o->busy_timeout_ms : 5000);
	if ((rc = wa_ledger_check(l, err, errlen)) != 0 ||
	    (rc = wa_ledger_pragmas(l, err, errlen)) != 0)
		goto out;
	l->version = wa_ledger_version(l);
	if (l->version > (int)wa_nmigrations) {
		snprintf(err, errlen, "ledger %s has schema version %d, newer "
		    "than this binary's %zu: use a newer wso2-alloc", path,
		    l->version, wa_nmigrations);
		rc = WA_ESCHEMA;
		goto out;
	}
	if (l->readonly && l->version != (int)wa_nmigrations) {
		snprintf(err, errlen, "ledger %s has schema version %d, this "
		    "binary reads %zu", path, l->version, wa_nmigrations);
		rc = WA_ESCHEMA;
		goto out;
	}
	rc = l->readonly ? 0 : wa_ledger_migrate(l, err, errlen);
	if (rc == 0 && !l->readonly && o != NULL && o->manual_checkpoint)
		sqlite3_wal_hook(l->db, wa_ledger_wal_hook, l);
out:
	if (rc != 0)
		wa_ledger_close(l);
	else
		*out = l;
	return rc;
}

void
wa_ledger_close(struct wa_ledger *l)
{
	if (l == NULL)
		return;
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(l->st[i]);
	free(l->pack);
	if (l->db != NULL)
		sqlite3_close(l->db);
	if (l->lockfd >= 0)
		close(l->lockfd);
	if (l->walfd >= 0)
		close(l->walfd);
	free(l->path);
	free(l);
}

int
wa_ledger_wal_frames(const struct wa_ledger *l)
{
	return l->wal_frames;
}

int
wa_ledger_checkpointer_open(const struct wa_ledger *w, struct wa_ledger **out)
{
	struct wa_ledger *l;
	int rc;

	*out = NULL;
	if ((l = calloc(1, sizeof *l)) == NULL)
		return WA_ENOMEM;
	l->lockfd = -1;
	l->walfd = -1;
	l->sync = w->sync;
	l->version = w->version;
	if ((l->path = strdup(w->path)) == NULL) {
		rc = WA_ENOMEM;
		goto out;
	}
	rc = wa_sqlite_err(sqlite3_open_v2(l->path, &l->db,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
	    SQLITE_OPEN_EXRESCODE, NULL));
	if (rc != 0)
		goto out;
	sqlite3_busy_timeout(l->db, 5000);
	/* Its own writes are the checkpoint's: the writer's sync level.  It
	 * copies frames through one buffer, never through a page cache. */
	if ((rc = wa_sync_set(l, wa_sync_level(w))) == 0)
		rc = wa_exec(l, "PRAGMA cache_size = -64");
out:
	if (rc != 0)
		wa_ledger_close(l);
	else
		*out = l;
	return rc;
}

int
wa_ledger_checkpoint(struct wa_ledger *l, int *backfilled)
{
	int log = 0, done = 0, rc;

	rc = sqlite3_wal_checkpoint_v2(l->db, NULL, SQLITE_CHECKPOINT_PASSIVE,
	    &log, &done);
	if (backfilled != NULL)
		*backfilled = done > 0 ? done : 0;
	return wa_sqlite_err(rc);
}

int
wa_ledger_schema_version(const struct wa_ledger *l)
{
	return l->version;
}

int
wa_ledger_latest_version(void)
{
	return (int)wa_nmigrations;
}

const char *
wa_ledger_path(const struct wa_ledger *l)
{
	return l->path;
}

enum wa_sync
wa_ledger_sync(const struct wa_ledger *l)
{
	return l->sync;
}

const char *
wa_ledger_errmsg(const struct wa_ledger *l)
{
	return sqlite3_errmsg(l->db);
}

/* The WAL's name must outlast a power cut too: SQLite at NORMAL syncs
 * the directory only at the first checkpoint. */
static int
wa_ledger_dirsync(const char *path)
{
	char dir[PATH_MAX];
	int fd, rc = 0;

	if (wa_path_dir(path, dir, sizeof dir) != 0)
		return WA_EINVAL;
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return WA_EIO;
	if (fsync(fd) != 0)
		rc = WA_EIO;
	close(fd);
	return rc;
}

/*
 * SQLite opens the WAL once and writes it through that descriptor until
 * the connection closes, even were the name unlinked: ours, opened once
 * on the same file, syncs what it writes.  The file is SQLite's own
 * beside the ledger, in the daemon's directory: never a link, never
 * another owner's than the ledger's.
 */
int
wa_ledger_sync_fd(struct wa_ledger *l, int *fd)
{
	sqlite3_filename db = sqlite3_db_filename(l->db, "main");
	const char *wal;
	struct stat st, dbst;
	int nfd;

	*fd = -1;
	if (!l->own_sync)
		return 0;
	if (l->walfd >= 0) {
		*fd = l->walfd;
		return 0;
	}
	/* SQLite's names: a ledger reached through a link has its WAL
	 * beside the file the link names. */
	if (db == NULL || (wal = sqlite3_filename_wal(db)) == NULL)
		return WA_EIO;
	nfd = open(wal, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (nfd < 0)
		return WA_EIO;
	/* As root SQLite gives the WAL the ledger's owner. */
	if (fstat(nfd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    stat(db, &dbst) != 0 || st.st_uid != dbst.st_uid ||
	    wa_ledger_dirsync(wal) != 0) {
		close(nfd);
		return WA_EIO;
	}
	*fd = l->walfd = nfd;
	return 0;
}

uint64_t
wa_ledger_commit_seq(const struct wa_ledger *l)
{
	return l->own_sync ? l->commits : 0;
}

int
wa_ledger_begin(struct wa_ledger *l)
{
	int rc;

	if (l->in_tx)
		return WA_EINVAL;
	if ((rc = wa_tx(l, ST_BEGIN)) == 0)
		l->in_tx = true;
	return rc;
}

int
wa_ledger_commit(struct wa_ledger *l)
{
	int rc;

	if (!l->in_tx)
		return WA_EINVAL;
	if ((rc = wa_tx(l, ST_COMMIT)) != 0)
		wa_tx(l, ST_ROLLBACK);
	l->in_tx = false;
	return rc;
}

void
wa_ledger_rollback(struct wa_ledger *l)
{
	if (l->in_tx)
		wa_tx(l, ST_ROLLBACK);
	l->in_tx = false;
}

int
wa_ledger_savepoint(struct wa_ledger *l)
{
	int rc = wa_tx(l, ST_SP_REQ);

	l->in_req = rc == 0;
	return rc;
}

int
wa_ledger_savepoint_release(struct wa_ledger *l)
{
	l->in_req = false;
	return wa_tx(l, ST_REL_REQ);
}

void
wa_ledger_savepoint_rollback(struct wa_ledger *l)
{
	l->in_req = false;
	wa_tx(l, ST_RB_REQ);
	wa_tx(l, ST_REL_REQ);
}

bool
wa_ledger_in_tx(const struct wa_ledger *l)
{
	return l->in_tx;
}

/*
 * Every write runs in its own transaction, or in a savepoint of the
 * caller's batch: a failure half-way leaves nothing behind either way.
 * In a request's savepoint it runs bare: the caller rolls the request
 * back on any error, and a savepoint per write cost two statements.
 */
int
wa_write_begin(struct wa_ledger *l)
{
	if (l->readonly)
		return WA_EREADONLY;
	if (l->in_req)
		return 0;
	return wa_tx(l, l->in_tx ? ST_SP_OP : ST_BEGIN);
}

int
wa_write_end(struct wa_ledger *l, int rc)
{
	int crc;

	if (l->in_req)
		return rc;
	if (rc == 0) {
		crc = wa_tx(l, l->in_tx ? ST_REL_OP : ST_COMMIT);
		if (crc == 0)
			return 0;
		rc = crc;
	}
	if (l->in_tx) {
		wa_tx(l, ST_RB_OP);
		wa_tx(l, ST_REL_OP);
	} else
		wa_tx(l, ST_ROLLBACK);
	return rc;
}
