/*
 * offline.c: when no daemon answers, the daemon's own read handlers run
 * here against its ledger file, read-only (the ops flagged WA_OP_OFFLINE:
 * list, show, who, history).  The answer is the daemon's line, so the
 * commands print it as they print the daemon's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libgen.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "safeio.h"
#include "srv.h"
#include "util.h"

static json_t *wa_offline_err;      /* {"code","message"} of the last call */

const json_t *
wa_offline_error(void)
{
	return wa_offline_err;
}

static int
wa_offline_fail(int err, const char *msg)
{
	json_decref(wa_offline_err);
	wa_offline_err = json_pack("{ss}", "message", msg);
	/* A client-side error has no protocol code: the message alone. */
	if (wa_err_code(err) != NULL)
		json_object_set_new(wa_offline_err, "code", json_string(
		    wa_err_code(err)));
	return err;
}

/*
 * The ledger of the daemon the socket names: --db, the system ledger for
 * the system socket, the caller's for the user socket.  Of a daemon
 * someone else chose the ledger is unknown: NULL, and nothing is read.
 */
static char *
wa_off_path(struct wa_cli *cli)
{
	char *st, *user, *p = NULL;
	size_t n;

	if (cli->db != NULL)
		return strdup(cli->db);
	if (cli->socket == NULL)
		return NULL;
	if (strcmp(cli->socket, WA_SYSTEM_SOCKET) == 0)
		return strdup(WA_SYSTEM_DB);
	user = wa_socket_path_user();
	st = wa_user_state_dir();
	if (user != NULL && st != NULL && strcmp(user, cli->socket) == 0) {
		n = strlen(st) + sizeof "/ledger.db";
		if ((p = malloc(n)) != NULL)
			snprintf(p, n, "%s/ledger.db", st);
	}
	free(user);
	free(st);
	return p;
}

/*
 * Root reads a user's ledger as that user: SQLite makes the -wal and
 * -shm files beside it, in a directory the user controls.  Whose: the
 * file's owner, else (a root-owned file) its directory's.
 */
static void
wa_off_owner(const char *path, struct wa_fsid *id)
{
	struct stat st;
	char *dir;

	memset(id, 0, sizeof *id);
	if (geteuid() != 0 || lstat(path, &st) != 0)
		return;
	if (st.st_uid == 0 && (dir = strdup(path)) != NULL) {
		if (stat(dirname(dir), &st) != 0)
			st.st_uid = 0;
		free(dir);
	}
	if (st.st_uid != 0)
		wa_fsid_of_user(st.st_uid, st.st_gid, id);
}

/* The answer line as the client library takes a daemon's. */
static int
wa_off_answer(const struct wa_answer *a, json_t **resp)
{
	json_t *r, *e;
	int rc;

	if (a->text == NULL || (r = json_loadb(a->text, a->len, 0,
	    NULL)) == NULL)
		return wa_offline_fail(WA_ENOMEM, "out of memory");
	if (json_is_true(json_object_get(r, "ok"))) {
		*resp = r;
		return 0;
	}
	e = json_object_get(r, "error");
	rc = wa_err_from_code(json_string_value(json_object_get(e, "code")));
	json_decref(wa_offline_err);
	wa_offline_err = json_incref(e);
	json_decref(r);
	return rc != 0 ? rc : WA_EPROTO;
}

int
wa_offline_call(struct wa_cli *cli, json_t *req, json_t **resp)
{
	struct wa_daemon d;
	struct wa_peer peer = { getuid(), getgid(), getpid() };
	struct wa_answer a = { NULL, 0, NULL, false };
	struct wa_fsid id;
	struct wa_fssave save = { .active = false };
	char err[512], *line = NULL;
	int rc, flags;

	*resp = NULL;
	memset(&d, 0, sizeof d);
	d.cfg.readonly = true;
	if ((d.db_path = wa_off_path(cli)) == NULL) {
		snprintf(err, sizeof err, "no daemon answers on %s, and which "
		    "ledger it keeps is not known: name it with --db PATH to "
		    "read it", cli->socket != NULL ? cli->socket :
		    "(no socket)");
		return wa_offline_fail(WA_ECONNECT, err);
	}
	fprintf(stderr, "wso2-alloc: no daemon answers on %s; read the "
	    "ledger %s directly (read-only)\n", cli->socket != NULL ?
	    wa_term_str(cli->socket) : "(no socket)", wa_term_str(d.db_path));
	wa_off_owner(d.db_path, &id);
	if (wa_fsid_enter(&id, &save) != 0) {
		rc = wa_offline_fail(WA_EINTERNAL, "cannot take on the ledger "
		    "owner's identity");
		goto out;
	}
	if (wa_daemon_init(&d, NULL, err, sizeof err) != 0) {
		rc = wa_offline_fail(WA_ECONNECT, err);
		goto out;
	}
	if ((line = json_dumps(req, JSON_COMPACT)) == NULL) {
		rc = wa_offline_fail(WA_ENOMEM, "out of memory");
		goto out;
	}
	wa_dispatch(&d, &peer, line, strlen(line), &flags, &a);
	rc = wa_off_answer(&a, resp);
out:
	wa_answer_clear(&a);
	free(line);
	wa_daemon_free(&d);
	wa_fsid_leave(&save);
	return rc;
}
