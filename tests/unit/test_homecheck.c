/*
 * test_homecheck.c: a lease's carbon home against its product, on the
 * shipped catalog and homes laid out in a temporary directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "catalog.h"
#include "homecheck.h"
#include "wso2alloc.h"

static struct wa_catalog *wa_cat;
static char wa_root[64];
static char wa_err[512];

/* Files under root/home, each created with its directories. */
static void
wa_lay(const char *home, ...)
{
	char path[512], *s;
	const char *rel;
	va_list ap;
	FILE *f;

	va_start(ap, home);
	while ((rel = va_arg(ap, const char *)) != NULL) {
		snprintf(path, sizeof path, "%s/%s/%s", wa_root, home, rel);
		for (s = path + strlen(wa_root) + 1; (s = strchr(s, '/')) !=
		    NULL; s++) {
			*s = '\0';
			mkdir(path, 0755);
			*s = '/';
		}
		assert_non_null(f = fopen(path, "w"));
		fclose(f);
	}
	va_end(ap);
}

static int
wa_check(const char *id, const char *home, uid_t uid)
{
	char path[512];
	const struct wa_product *p = wa_catalog_find(wa_cat, id);

	assert_non_null(p);
	/* /nowhere/... as it is (it does not exist: only the name counts);
	 * the rest under the test's root. */
	snprintf(path, sizeof path, "%s%s", strncmp(home, "/nowhere/", 9) == 0 ?
	    "" : wa_root, home);
	wa_err[0] = '\0';
	return wa_home_check(wa_cat, p, path, uid, wa_err, sizeof wa_err);
}

static void
wa_said(const char *what)
{
	if (strstr(wa_err, what) == NULL)
		fail_msg("'%s' not in: %s", what, wa_err);
}

static int
wa_setup(void **state)
{
	const char *dirs[1] = { WA_SOURCE_CATALOG };

	(void)state;
	snprintf(wa_root, sizeof wa_root, "/tmp/wa-home.XXXXXX");
	if (mkdtemp(wa_root) == NULL ||
	    wa_catalog_load(&wa_cat, dirs, 1, NULL, 0) != 0)
		return -1;
	return 0;
}

static int
wa_teardown(void **state)
{
	char cmd[128];

	(void)state;
	wa_catalog_free(wa_cat);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", wa_root);
	return system(cmd) == 0 ? 0 : -1;
}

/* The reported case: an mi lease on an API Manager 4.2 home. */
static void
test_named_like_another(void **state)
{
	(void)state;
	wa_lay("/wso2am-4.2.0", "repository/conf/deployment.toml",
	    "bin/api-manager.sh", NULL);
	assert_int_equal(wa_check("mi", "/wso2am-4.2.0", (uid_t)-1),
	    WA_EINVAL);
	wa_said("looks like apim-4 (by its name, and it has "
	    "repository/conf/deployment.toml and bin/api-manager.sh), not "
	    "mi-4 (no conf/deployment.toml)");
	wa_said("lease it as apim-4");
	assert_int_equal(wa_check("apim", "/wso2am-4.2.0", (uid_t)-1), 0);
	/* Not there (yet): the name alone says so. */
	assert_int_equal(wa_check("mi", "/nowhere/wso2am-4.2.0", (uid_t)-1),
	    WA_EINVAL);
	wa_said("looks like apim-4 (by its name), not mi-4:");
	/* Versions with other ports: IS 5 is not IS 7, API-M Analytics 2.6
	 * not 3.x, an SI server not EI Analytics. */
	assert_int_equal(wa_check("is", "/nowhere/wso2is-5.11.0", (uid_t)-1),
	    WA_EINVAL);
	wa_said("looks like is-5");
	assert_int_equal(wa_check("apim-analytics-worker-2.6",
	    "/nowhere/wso2am-analytics-3.2.0", (uid_t)-1), WA_EINVAL);
	assert_int_equal(wa_check("si-4", "/nowhere/wso2ei-analytics-7.1.0",
	    (uid_t)-1), WA_EINVAL);
	assert_int_equal(wa_check("ei-6-broker",
	    "/nowhere/wso2ei-6.6.0/wso2/broker", (uid_t)-1), 0);
	assert_int_equal(wa_check("ei-6-broker", "/nowhere/wso2ei-6.6.0",
	    (uid_t)-1), WA_EINVAL);
	wa_said("looks like ei-6 ");
}

/* A directory named anything holding another product's layout. */
static void
test_laid_out_like_another(void **state)
{
	(void)state;
	wa_lay("/orders", "repository/conf/deployment.toml",
	    "bin/api-manager.sh", NULL);
	assert_int_equal(wa_check("mi", "/orders", (uid_t)-1), WA_EINVAL);
	wa_said("looks like apim-4 (it has repository/conf/deployment.toml "
	    "and bin/api-manager.sh), not mi-4 (no conf/deployment.toml)");
	assert_int_equal(wa_check("apim", "/orders", (uid_t)-1), 0);
	/* Several products share a layout: named together. */
	wa_lay("/idp", "repository/conf/deployment.toml",
	    "bin/wso2server.sh", NULL);
	assert_int_equal(wa_check("apim", "/idp", (uid_t)-1), WA_EINVAL);
	wa_said("looks like one of apim-3, is-5, is-7");
	wa_said("not apim-4 (no bin/api-manager.sh)");
	/* Files of a home another uid owns are not looked at for it. */
	assert_int_equal(wa_check("mi", "/orders", getuid() + 4242), 0);
	assert_int_equal(wa_check("mi", "/orders", getuid()), WA_EINVAL);
	assert_int_equal(wa_check("mi", "/orders", 0), WA_EINVAL);
}

/* What must pass: new, empty or partial homes, renamed directories,
 * and the Carbon-5 runtimes that share one home. */
static void
test_own_homes(void **state)
{
	(void)state;
	assert_int_equal(wa_check("mi", "/nowhere/orders-mi", (uid_t)-1), 0);
	wa_lay("/empty", NULL);
	assert_int_equal(wa_check("mi", "/empty", (uid_t)-1), 0);
	wa_lay("/partial", "conf/deployment.toml", NULL);
	assert_int_equal(wa_check("mi", "/partial", (uid_t)-1), 0);
	wa_lay("/renamed/wso2am-4.2.0", "conf/deployment.toml",
	    "bin/micro-integrator.sh", NULL);
	assert_int_equal(wa_check("mi", "/renamed/wso2am-4.2.0", (uid_t)-1),
	    0);
	wa_lay("/wso2ei-analytics-7.1.0", "conf/server/deployment.yaml",
	    "conf/portal/deployment.yaml", "bin/server.sh", "bin/portal.sh",
	    NULL);
	assert_int_equal(wa_check("ei-analytics-7", "/wso2ei-analytics-7.1.0",
	    (uid_t)-1), 0);
	assert_int_equal(wa_check("ei-analytics-7-portal",
	    "/wso2ei-analytics-7.1.0", (uid_t)-1), 0);
	assert_int_equal(wa_check("ei-analytics-7-portal",
	    "/nowhere/wso2ei-analytics-7.1.0", (uid_t)-1), 0);
	wa_lay("/wso2am-analytics-3.2.0", "conf/worker/deployment.yaml",
	    "conf/dashboard/deployment.yaml", "bin/worker.sh",
	    "bin/dashboard.sh", NULL);
	assert_int_equal(wa_check("apim-analytics-dashboard",
	    "/wso2am-analytics-3.2.0", (uid_t)-1), 0);
	/* But not a runtime this home does not hold. */
	assert_int_equal(wa_check("ei-analytics-7-portal",
	    "/wso2am-analytics-3.2.0", (uid_t)-1), WA_EINVAL);
	wa_said("not ei-analytics-7-portal (no conf/portal/deployment.yaml)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_named_like_another),
		cmocka_unit_test(test_laid_out_like_another),
		cmocka_unit_test(test_own_homes),
	};

	return cmocka_run_group_tests(tests, wa_setup, wa_teardown);
}
