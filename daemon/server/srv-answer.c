/*
 * srv-answer.c: answers as lines: an error's shape, and freeing one.
 */
#include <stdlib.h>
#include <string.h>

#include "srv.h"

json_t *
wa_error_resp(json_t *id, int err, const char *msg, json_t *extra)
{
	json_t *e = extra != NULL ? extra : json_object();
	const char *code = wa_err_code(err);

	json_object_set_new(e, "code", json_string(code ? code : "internal"));
	json_object_set_new(e, "message", json_string(msg != NULL && *msg ?
	    msg : wa_strerror(err)));
	return id != NULL ?
	    json_pack("{sbsOso}", "ok", 0, "id", id, "error", e) :
	    json_pack("{sbso}", "ok", 0, "error", e);
}

void
wa_answer_error(struct wa_answer *a, json_t *id, int err, const char *msg)
{
	json_t *resp = wa_error_resp(id, err, msg, NULL);

	a->text = wa_json_line(resp, &a->len);
	a->id = json_incref(id);
	a->ok = false;
	json_decref(resp);
}

void
wa_answer_clear(struct wa_answer *a)
{
	free(a->text);
	json_decref(a->id);
	memset(a, 0, sizeof *a);
}
