/*
 * fuzz_answer.c: any bytes as the daemon's answers to a command, in text
 * or --json (lease in every --format).  They go through the client's own
 * reading of answers (lines, JSON, errors) and the command's rendering,
 * to /dev/null: no crash, no leak, no hang, whatever a daemon (or
 * whoever sits on its socket) sends.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "replay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The first byte picks a command ('A' + 2 * its index, one more for
 * --json), the rest is the answer: an input took 15 ms when it went to
 * every command (54 runs), half a millisecond this way (1,800 a second
 * under ASan), and libFuzzer learns which bytes reach which renderer.
 */
static const struct wa_fuzz_cmd {
	const char *argv[7];
	enum { WA_CAT_UNREAD, WA_CAT_SMALL, WA_CAT_NONE } catalog;
} wa_fuzz_cmds[] = {
	{ { "list" }, WA_CAT_UNREAD },
	{ { "list", "--state", "all" }, WA_CAT_UNREAD },
	{ { "show", "a1" }, WA_CAT_UNREAD },
	{ { "lease", "--product", "mi" }, WA_CAT_UNREAD },
	{ { "lease", "--product", "mi", "--format", "offset" }, WA_CAT_UNREAD },
	{ { "lease", "--product", "mi", "--format", "args" }, WA_CAT_UNREAD },
	{ { "lease", "--product", "mi", "--format", "toml" }, WA_CAT_UNREAD },
	{ { "lease", "--product", "mi", "--format", "xml" }, WA_CAT_UNREAD },
	{ { "lease", "--product", "mi", "--format", "env" }, WA_CAT_UNREAD },
	{ { "lease", "--product", "mi", "--format", "json" }, WA_CAT_UNREAD },
	{ { "release", "a1" }, WA_CAT_UNREAD },
	{ { "renew", "a1" }, WA_CAT_UNREAD },
	{ { "attach", "a1", "--pid", "1" }, WA_CAT_UNREAD },
	{ { "who", "9443" }, WA_CAT_UNREAD },
	{ { "ports" }, WA_CAT_UNREAD },
	{ { "products" }, WA_CAT_UNREAD },
	{ { "products", "mi" }, WA_CAT_UNREAD },
	{ { "history" }, WA_CAT_UNREAD },
	{ { "status" }, WA_CAT_UNREAD },
	/* The path holds a slash: execvp tries it alone, and fails. */
	{ { "exec", "--product", "mi", "--", "/nonexistent/wa-fuzz" },
	    WA_CAT_UNREAD },
	/* A small catalog: the whole one's parsing took most of a run. */
	{ { "scan" }, WA_CAT_SMALL },
	{ { "check" }, WA_CAT_SMALL },
	{ { "config", "a1" }, WA_CAT_SMALL },
	/* None: check's scan of the host is not what is fuzzed here. */
	{ { "export", "--prometheus" }, WA_CAT_NONE },
};
#define WA_FUZZ_NCMDS (sizeof wa_fuzz_cmds / sizeof wa_fuzz_cmds[0])

static char wa_fuzz_cat[4096], wa_fuzz_nocat[4096];
static FILE *wa_fuzz_null;

/* A product of the source catalog without its prose (sources, notes):
 * the parsing of the whole catalog took most of each run. */
static void
wa_fuzz_product(const char *name)
{
	char path[4096];
	json_t *p, *port;
	size_t i;

	snprintf(path, sizeof path, "%s/%s", WA_SOURCE_CATALOG, name);
	if ((p = json_load_file(path, 0, NULL)) == NULL)
		abort();
	json_object_del(p, "sources");
	json_object_del(p, "notes");
	json_array_foreach(json_object_get(p, "ports"), i, port)
		json_object_set_new(port, "source", json_string(""));
	snprintf(path, sizeof path, "%s/%s", wa_fuzz_cat, name);
	if (json_dump_file(p, path, 0) != 0)
		abort();
	json_decref(p);
}

static const char *const wa_fuzz_products[] = {
	/* MI, API-M 2.x (config's second request), a Carbon 5 runtime. */
	"mi-4.json", "apim-2.6.json", "apim-analytics-manager-2.6.json",
};

static void
wa_fuzz_done(void)
{
	char path[4096];

	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "%s/%s", wa_fuzz_cat,
		    wa_fuzz_products[i]);
		unlink(path);
	}
	rmdir(wa_fuzz_cat);
	wa_replay_done();
}

static void
wa_fuzz_init(void)
{
	if (wa_replay_init() != 0 ||
	    (wa_fuzz_null = fopen("/dev/null", "w")) == NULL)
		abort();
	snprintf(wa_fuzz_cat, sizeof wa_fuzz_cat, "%s/catalog",
	    wa_replay_dir());
	snprintf(wa_fuzz_nocat, sizeof wa_fuzz_nocat, "%s/none",
	    wa_replay_dir());
	if (mkdir(wa_fuzz_cat, 0700) != 0)
		abort();
	for (size_t i = 0; i < 3; i++)
		wa_fuzz_product(wa_fuzz_products[i]);
	atexit(wa_fuzz_done);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct wa_fuzz_cmd *c;
	size_t k;

	if (size == 0)
		return 0;
	if (wa_fuzz_null == NULL)
		wa_fuzz_init();
	k = (data[0] + 2 * WA_FUZZ_NCMDS * 'A' - 'A') % (2 * WA_FUZZ_NCMDS);
	c = &wa_fuzz_cmds[k / 2];
	if (c->catalog != WA_CAT_UNREAD)
		setenv("WSO2_ALLOC_CATALOG", c->catalog == WA_CAT_SMALL ?
		    wa_fuzz_cat : wa_fuzz_nocat, 1);
	wa_replay((const char *)data + 1, size - 1, k % 2 == 1, c->argv,
	    getenv("WA_FUZZ_SHOW") != NULL ? stderr : wa_fuzz_null);
	unsetenv("WSO2_ALLOC_CATALOG");
	return 0;
}
