/*
 * test_safeio.c: files another user controls: a FIFO, a symlink, a device
 * and an oversized file are refused without blocking or reading them
 * whole; the replace of config --write never follows a planted .bak,
 * target or temporary file, keeps owner and mode, and as root works as
 * the owner; the identity is always restored.  The root-only cases skip
 * when not run as root.
 */
#include <fcntl.h>
#include <grp.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "carbon.h"
#include "confedit.h"
#include "safeio.h"
#include "util.h"
#include "wso2alloc.h"

#define WA_USER 4242
#define WA_GROUP 4343

static char dir[64];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/wa-safeio.XXXXXX");
	if (mkdtemp(dir) == NULL || chmod(dir, 0755) != 0)
		return -1;
	/* A regression that blocks fails here instead of at ctest's limit. */
	alarm(20);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	alarm(0);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static char *
at(const char *name)
{
	static char buf[4][256];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof buf[i], "%s/%s", dir, name);
	return buf[i];
}

static void
put(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static void
assert_content(const char *path, const char *want)
{
	char *t = wa_file_read(path, NULL);

	assert_non_null(t);
	assert_string_equal(t, want);
	free(t);
}

/* The caller's identity is whole again: fsuid, fsgid and groups. */
static void
assert_identity(gid_t *groups, int ngroups)
{
	gid_t now[256];

	assert_int_equal((uid_t)setfsuid((uid_t)-1), geteuid());
	assert_int_equal((gid_t)setfsgid((gid_t)-1), getegid());
	assert_int_equal(getgroups(256, now), ngroups);
	assert_memory_equal(now, groups, (size_t)ngroups * sizeof *now);
}

static void
test_read_regular(void **state)
{
	char why[128], *t;
	size_t len;

	(void)state;
	put(at("a"), "[server]\noffset = 3\n", 0644);
	assert_int_equal(wa_safe_read(at("a"), NULL, WA_SAFEIO_CAP, &t, &len,
	    why, sizeof why), 0);
	assert_int_equal(len, 20);
	assert_string_equal(t, "[server]\noffset = 3\n");
	free(t);
	assert_int_equal(wa_safe_read(at("none"), NULL, WA_SAFEIO_CAP, &t,
	    NULL, why, sizeof why), WA_ENOTFOUND);
}

static void
test_read_fifo(void **state)
{
	char why[128], *t = NULL;

	(void)state;
	assert_int_equal(mkfifo(at("fifo"), 0644), 0);
	assert_int_equal(wa_safe_read(at("fifo"), NULL, WA_SAFEIO_CAP, &t,
	    NULL, why, sizeof why), WA_EINVAL);
	assert_string_equal(why, "a FIFO, not a regular file");
	assert_null(t);
}

static void
test_read_symlink_device(void **state)
{
	char why[128], *t = NULL;

	(void)state;
	put(at("real"), "x", 0644);
	assert_int_equal(symlink(at("real"), at("link")), 0);
	assert_int_equal(wa_safe_read(at("link"), NULL, WA_SAFEIO_CAP, &t,
	    NULL, why, sizeof why), WA_EFORBIDDEN);
	assert_string_equal(why, "a symbolic link (not followed)");
	assert_int_equal(symlink("/dev/zero", at("zero")), 0);
	assert_int_equal(wa_safe_read(at("zero"), NULL, WA_SAFEIO_CAP, &t,
	    NULL, why, sizeof why), WA_EFORBIDDEN);
	assert_int_equal(wa_safe_read("/dev/zero", NULL, WA_SAFEIO_CAP, &t,
	    NULL, why, sizeof why), WA_EINVAL);
	assert_string_equal(why, "a character device, not a regular file");
	assert_int_equal(wa_safe_read(dir, NULL, WA_SAFEIO_CAP, &t, NULL, why,
	    sizeof why), WA_EINVAL);
	assert_null(t);
}

static void
test_read_cap(void **state)
{
	char why[128], *t = NULL;
	size_t len;
	int fd;

	(void)state;
	/* Sparse: the size alone refuses it, nothing is read. */
	assert_true((fd = open(at("big"), O_WRONLY | O_CREAT, 0644)) >= 0);
	assert_int_equal(ftruncate(fd, WA_SAFEIO_CAP + 1), 0);
	assert_int_equal(wa_safe_read(at("big"), NULL, WA_SAFEIO_CAP, &t, NULL,
	    why, sizeof why), WA_ETOOLARGE);
	assert_string_equal(why, "larger than 1 MiB");
	assert_int_equal(ftruncate(fd, WA_SAFEIO_CAP), 0);
	close(fd);
	assert_int_equal(wa_safe_read(at("big"), NULL, WA_SAFEIO_CAP, &t, &len,
	    why, sizeof why), 0);
	assert_int_equal(len, WA_SAFEIO_CAP);
	free(t);
	t = NULL;
	/* A size of 0 that reads longer (as /proc files do) is cut too. */
	assert_int_equal(wa_safe_read("/proc/self/status", NULL, 16, &t, NULL,
	    why, sizeof why), WA_ETOOLARGE);
	assert_string_equal(why, "larger than 16 bytes");
	assert_null(t);
}

static void
test_fsid_from_status(void **state)
{
	struct wa_fsid id;

	(void)state;
	assert_int_equal(wa_fsid_from_status("Name:\tjava\nUid:\t4242\t4242\t"
	    "4242\t4242\nGid:\t4343\t4343\t4343\t4343\nGroups:\t10 20 \n", &id),
	    0);
	assert_true(id.set);
	assert_int_equal(id.uid, 4242);
	assert_int_equal(id.gid, 4343);
	assert_int_equal(id.ngroups, 2);
	assert_int_equal(id.groups[1], 20);
	/* A set-uid root program keeps its caller's real uid: that one. */
	assert_int_equal(wa_fsid_from_status("Uid:\t4242\t0\t0\t0\nGid:\t4343"
	    "\t0\t0\t0\nGroups:\n", &id), 0);
	assert_int_equal(id.uid, 4242);
	assert_int_equal(id.gid, 4343);
	assert_int_equal(id.ngroups, 0);
	assert_int_equal(wa_fsid_from_status("Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0"
	    "\t0\n", &id), 0);
	assert_int_equal(id.uid, 0);
	assert_int_equal(wa_fsid_from_status("Name:\tUid:\n", &id), WA_EINVAL);
}

static void
test_read_as_owner(void **state)
{
	struct wa_fsid id;
	gid_t groups[256];
	char why[128], *t = NULL;
	int ng;

	(void)state;
	if (geteuid() != 0)
		skip();
	ng = getgroups(256, groups);
	wa_fsid_of_user(WA_USER, WA_GROUP, &id);
	put(at("secret"), "[server]\noffset = 7\n", 0600);
	put(at("open"), "[server]\noffset = 8\n", 0644);
	assert_int_equal(wa_safe_read(at("secret"), &id, WA_SAFEIO_CAP, &t,
	    NULL, why, sizeof why), WA_EFORBIDDEN);
	assert_string_equal(why, "permission denied to its owner uid 4242");
	assert_null(t);
	assert_identity(groups, ng);
	assert_int_equal(wa_safe_read(at("open"), &id, WA_SAFEIO_CAP, &t, NULL,
	    why, sizeof why), 0);
	free(t);
	assert_identity(groups, ng);
	/* Root's own groups are not the user's: a 0640 root:root file. */
	put(at("group"), "x", 0640);
	assert_int_equal(wa_safe_read(at("group"), &id, WA_SAFEIO_CAP, &t, NULL,
	    why, sizeof why), WA_EFORBIDDEN);
	assert_identity(groups, ng);
}

static void
wa_unread(void *arg, const char *file, const char *why)
{
	char *buf = arg;

	snprintf(buf + strlen(buf), 256 - strlen(buf), "%s: %s;", file, why);
}

static void
test_home_offset_fifo(void **state)
{
	char home[256], reasons[256] = "";
	const char *from;
	int offset;

	(void)state;
	snprintf(home, sizeof home, "%s", at("home"));
	assert_int_equal(wa_mkdir_p(at("home/conf"), 0755), 0);
	assert_int_equal(wa_mkdir_p(at("home/repository/conf"), 0755), 0);
	assert_int_equal(mkfifo(at("home/conf/deployment.toml"), 0644), 0);
	assert_int_equal(symlink("/dev/zero",
	    at("home/repository/conf/deployment.toml")), 0);
	put(at("home/repository/conf/carbon.xml"),
	    "<Server><Ports><Offset>7</Offset></Ports></Server>\n", 0644);
	assert_int_equal(wa_home_offset(home, NULL, 10, &offset, &from,
	    wa_unread, reasons), 0);
	assert_int_equal(offset, 7);
	assert_string_equal(from, "carbon.xml");
	assert_string_equal(reasons, "conf/deployment.toml: a FIFO, not a "
	    "regular file;repository/conf/deployment.toml: a symbolic link "
	    "(not followed);");
}

static void
test_replace_bak_symlink(void **state)
{
	struct stat st;

	(void)state;
	put(at("victim"), "root only\n", 0600);
	put(at("deployment.toml"), "old\n", 0640);
	assert_int_equal(symlink(at("victim"), at("deployment.toml.bak")), 0);
	assert_int_equal(wa_file_replace(at("deployment.toml"), "new\n", 4,
	    true), 0);
	assert_content(at("victim"), "root only\n");
	assert_int_equal(lstat(at("deployment.toml.bak"), &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0640);
	assert_content(at("deployment.toml.bak"), "old\n");
	assert_content(at("deployment.toml"), "new\n");
}

static void
test_replace_bak_dangling(void **state)
{
	(void)state;
	assert_int_equal(mkdir(at("cron.d"), 0755), 0);
	put(at("deployment.toml"), "old\n", 0644);
	assert_int_equal(symlink(at("cron.d/job"), at("deployment.toml.bak")),
	    0);
	assert_int_equal(wa_file_replace(at("deployment.toml"), "new\n", 4,
	    true), 0);
	assert_int_equal(access(at("cron.d/job"), F_OK), -1);
	assert_content(at("deployment.toml.bak"), "old\n");
}

static void
test_replace_refused(void **state)
{
	struct stat st;

	(void)state;
	put(at("victim"), "root only\n", 0600);
	assert_int_equal(symlink(at("victim"), at("deployment.toml")), 0);
	assert_int_equal(wa_file_replace(at("deployment.toml"), "new\n", 4,
	    true), WA_EFORBIDDEN);
	assert_content(at("victim"), "root only\n");
	assert_int_equal(lstat(at("deployment.toml"), &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(access(at("deployment.toml.bak"), F_OK), -1);
	assert_int_equal(mkfifo(at("carbon.xml"), 0644), 0);
	assert_int_equal(wa_file_replace(at("carbon.xml"), "new\n", 4, true),
	    WA_EINVAL);
	assert_int_equal(access(at("carbon.xml.bak"), F_OK), -1);
}

/* The text read at open is what .bak gets, and what the diff was of. */
static void
test_replace_same_fd(void **state)
{
	struct wa_safe_file *f;
	char why[128];

	(void)state;
	put(at("deployment.toml"), "first\n", 0644);
	assert_int_equal(wa_safe_open(&f, at("deployment.toml"), why,
	    sizeof why), 0);
	assert_string_equal(wa_safe_text(f, NULL), "first\n");
	put(at("deployment.toml"), "swapped\n", 0644);
	assert_int_equal(wa_safe_replace(f, "new\n", 4, true, why, sizeof why),
	    0);
	wa_safe_close(f);
	assert_content(at("deployment.toml.bak"), "first\n");
	assert_content(at("deployment.toml"), "new\n");
}

static void
test_replace_owner_mode(void **state)
{
	gid_t groups[256];
	struct stat st;
	int ng;

	(void)state;
	if (geteuid() != 0)
		skip();
	ng = getgroups(256, groups);
	assert_int_equal(mkdir(at("home"), 0755), 0);
	assert_int_equal(chown(at("home"), WA_USER, WA_GROUP), 0);
	put(at("home/deployment.toml"), "old\n", 02640);
	assert_int_equal(chown(at("home/deployment.toml"), WA_USER, WA_GROUP),
	    0);
	assert_int_equal(chmod(at("home/deployment.toml"), 02640), 0);
	assert_int_equal(wa_file_replace(at("home/deployment.toml"), "new\n",
	    4, true), 0);
	assert_identity(groups, ng);
	/* Owner and permission bits kept; a set-id bit is not. */
	assert_int_equal(stat(at("home/deployment.toml"), &st), 0);
	assert_int_equal(st.st_uid, WA_USER);
	assert_int_equal(st.st_gid, WA_GROUP);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(stat(at("home/deployment.toml.bak"), &st), 0);
	assert_int_equal(st.st_uid, WA_USER);
	assert_int_equal(st.st_gid, WA_GROUP);
	assert_int_equal(st.st_mode & 07777, 0640);
	/* A root-owned file in the user's directory stays root's. */
	put(at("home/carbon.xml"), "old\n", 0644);
	assert_int_equal(wa_file_replace(at("home/carbon.xml"), "new\n", 4,
	    false), 0);
	assert_int_equal(stat(at("home/carbon.xml"), &st), 0);
	assert_int_equal(st.st_uid, 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_identity(groups, ng);
}

/* As root, a path the user controls is written as the user: not into a
 * directory the user cannot write, whatever symlink leads there. */
static void
test_replace_as_owner(void **state)
{
	gid_t groups[256];
	int ng;

	(void)state;
	if (geteuid() != 0)
		skip();
	ng = getgroups(256, groups);
	assert_int_equal(mkdir(at("rootonly"), 0700), 0);
	put(at("rootonly/deployment.toml"), "root's\n", 0644);
	assert_int_equal(mkdir(at("home"), 0755), 0);
	assert_int_equal(chown(at("home"), WA_USER, WA_GROUP), 0);
	assert_int_equal(symlink(at("rootonly"), at("home/conf")), 0);
	assert_int_equal(lchown(at("home/conf"), WA_USER, WA_GROUP), 0);
	assert_int_equal(wa_file_replace(at("home/conf/deployment.toml"),
	    "new\n", 4, true), WA_EFORBIDDEN);
	assert_content(at("rootonly/deployment.toml"), "root's\n");
	assert_int_equal(access(at("rootonly/deployment.toml.bak"), F_OK), -1);
	assert_identity(groups, ng);
	/* A user's file in a directory the user cannot write: not replaced. */
	assert_int_equal(chmod(at("rootonly"), 0755), 0);
	put(at("rootonly/mine.toml"), "old\n", 0644);
	assert_int_equal(chown(at("rootonly/mine.toml"), WA_USER, WA_GROUP), 0);
	assert_int_equal(wa_file_replace(at("rootonly/mine.toml"), "new\n", 4,
	    false), WA_EIO);
	assert_content(at("rootonly/mine.toml"), "old\n");
	assert_identity(groups, ng);
}

static void
test_write_new(void **state)
{
	char why[128], cmd[256];
	struct stat st;

	(void)state;
	put(at("victim"), "root only\n", 0600);
	assert_int_equal(symlink(at("victim"), at("m.prom.tmp")), 0);
	assert_int_equal(wa_safe_write_new(at("m.prom"), "up 1\n", 5, 0644,
	    why, sizeof why), 0);
	assert_content(at("victim"), "root only\n");
	assert_content(at("m.prom"), "up 1\n");
	assert_int_equal(stat(at("m.prom"), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	/* No temporary file is left behind. */
	snprintf(cmd, sizeof cmd, "test $(ls -A '%s' | wc -l) -eq 3", dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(wa_safe_write_new(at("nodir/m.prom"), "x", 1, 0644,
	    why, sizeof why), WA_EIO);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_read_regular, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_read_fifo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_symlink_device, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_read_cap, setup, teardown),
		cmocka_unit_test(test_fsid_from_status),
		cmocka_unit_test_setup_teardown(test_read_as_owner, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_home_offset_fifo, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_replace_bak_symlink, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_replace_bak_dangling, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_replace_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_replace_same_fd, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_replace_owner_mode, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_replace_as_owner, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_write_new, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
