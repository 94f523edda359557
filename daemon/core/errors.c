/*
 * errors.c: negative error codes, their sentences and protocol codes.
 */
#include <string.h>

#include "wso2alloc.h"

struct wa_errdesc {
	int err;
	const char *code;
	const char *msg;
};

static const struct wa_errdesc wa_errs[] = {
#define WA_ERRNO_DESC(name, val, code, msg, exit) { (val), (code), (msg) },
	WA_ERRNO_MAP(WA_ERRNO_DESC)
#undef WA_ERRNO_DESC
};

static const struct wa_errdesc *
wa_err_find(int err)
{
	for (size_t i = 0; i < sizeof wa_errs / sizeof wa_errs[0]; i++)
		if (wa_errs[i].err == err)
			return &wa_errs[i];
	return NULL;
}

const char *
wa_strerror(int err)
{
	const struct wa_errdesc *d;

	if (err == 0)
		return "success";
	d = wa_err_find(err);
	return d != NULL ? d->msg : "unknown error";
}

const char *
wa_err_code(int err)
{
	const struct wa_errdesc *d = wa_err_find(err);

	return d != NULL ? d->code : "internal";
}

int
wa_err_from_code(const char *code)
{
	/* The first entry with a code is its canonical error. */
	for (size_t i = 0; code != NULL && i < sizeof wa_errs / sizeof wa_errs[0]; i++)
		if (wa_errs[i].code != NULL && strcmp(wa_errs[i].code, code) == 0)
			return wa_errs[i].err == WA_ENOMEM ? WA_EINTERNAL : wa_errs[i].err;
	return WA_EINTERNAL;
}
