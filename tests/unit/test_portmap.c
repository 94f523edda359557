/*
 * test_portmap.c: the layered host port map.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "portmap.h"
#include "wso2alloc.h"

static int
wa_setup(void **state)
{
	struct wa_portmap *m = malloc(sizeof(*m));

	if (m == NULL)
		return -1;
	wa_portmap_init(m);
	*state = m;
	return 0;
}

static int
wa_teardown(void **state)
{
	free(*state);
	return 0;
}

static void
test_lease_and_unlease(void **state)
{
	struct wa_portmap *m = *state;
	uint32_t holder = 99;

	assert_int_equal(wa_portmap_state(m, WA_TCP, 9443, &holder),
	    WA_HOLD_FREE);
	assert_int_equal(holder, 0);
	assert_int_equal(wa_portmap_lease(m, WA_TCP, 9443, 7), 0);
	assert_int_equal(wa_portmap_state(m, WA_TCP, 9443, &holder),
	    WA_HOLD_LEASE);
	assert_int_equal(holder, 7);
	/* The protocols are separate maps. */
	assert_int_equal(wa_portmap_state(m, WA_UDP, 9443, NULL),
	    WA_HOLD_FREE);
	assert_int_equal(wa_portmap_lease(m, WA_TCP, 9443, 8), WA_ECONFLICT);
	assert_int_equal(wa_portmap_lease(m, WA_TCP, 9443, 7), WA_ECONFLICT);
	assert_int_equal(wa_portmap_lease(m, WA_UDP, 9443, 8), 0);

	/* Only the holder releases its port. */
	wa_portmap_unlease(m, WA_TCP, 9443, 8);
	assert_int_equal(wa_portmap_state(m, WA_TCP, 9443, &holder),
	    WA_HOLD_LEASE);
	assert_int_equal(holder, 7);
	wa_portmap_unlease(m, WA_TCP, 9443, 7);
	assert_int_equal(wa_portmap_state(m, WA_TCP, 9443, &holder),
	    WA_HOLD_FREE);
	assert_int_equal(wa_portmap_lease(m, WA_TCP, 9443, 8), 0);
	assert_int_equal(wa_portmap_lease(m, 5, 1, 1), WA_EINVAL);
}

static void
test_word_edges(void **state)
{
	struct wa_portmap *m = *state;
	static const uint16_t ports[] = { 1, 63, 64, 65, 127, 128, 65535 };
	size_t i;

	for (i = 0; i < sizeof(ports) / sizeof(*ports); i++)
		assert_int_equal(wa_portmap_lease(m, WA_TCP, ports[i],
		    (uint32_t)i + 1), 0);
	for (i = 0; i < sizeof(ports) / sizeof(*ports); i++) {
		uint32_t h = 0;

		assert_int_equal(wa_portmap_state(m, WA_TCP, ports[i], &h),
		    WA_HOLD_LEASE);
		assert_int_equal(h, i + 1);
	}
	assert_int_equal(wa_portmap_state(m, WA_TCP, 62, NULL), WA_HOLD_FREE);
	assert_int_equal(wa_portmap_state(m, WA_TCP, 66, NULL), WA_HOLD_FREE);
	assert_int_equal(wa_portmap_state(m, WA_TCP, 65534, NULL),
	    WA_HOLD_FREE);
}

static void
test_layers_order(void **state)
{
	struct wa_portmap *m = *state;
	uint32_t holder = 0;

	wa_portmap_set(m, WA_LAYER_HOST, WA_TCP, 8280, true);
	assert_int_equal(wa_portmap_state(m, WA_TCP, 8280, NULL),
	    WA_HOLD_HOST);
	wa_portmap_set(m, WA_LAYER_RESERVED, WA_TCP, 8280, true);
	assert_int_equal(wa_portmap_state(m, WA_TCP, 8280, NULL),
	    WA_HOLD_RESERVED);
	wa_portmap_set(m, WA_LAYER_EXCLUDED, WA_TCP, 8280, true);
	assert_int_equal(wa_portmap_state(m, WA_TCP, 8280, NULL),
	    WA_HOLD_EXCLUDED);
	/* A lease is reported before anything else: it names a holder. */
	assert_int_equal(wa_portmap_lease(m, WA_TCP, 8280, 3), 0);
	assert_int_equal(wa_portmap_state(m, WA_TCP, 8280, &holder),
	    WA_HOLD_LEASE);
	assert_int_equal(holder, 3);

	wa_portmap_unlease(m, WA_TCP, 8280, 3);
	wa_portmap_clear_layer(m, WA_LAYER_EXCLUDED);
	assert_int_equal(wa_portmap_state(m, WA_TCP, 8280, NULL),
	    WA_HOLD_RESERVED);
	wa_portmap_set(m, WA_LAYER_RESERVED, WA_TCP, 8280, false);
	assert_int_equal(wa_portmap_state(m, WA_TCP, 8280, NULL),
	    WA_HOLD_HOST);
	wa_portmap_clear_layer(m, WA_LAYER_HOST);
	assert_int_equal(wa_portmap_state(m, WA_TCP, 8280, NULL),
	    WA_HOLD_FREE);
}

static void
test_clear_lease_layer(void **state)
{
	struct wa_portmap *m = *state;
	uint32_t holder = 1;

	assert_int_equal(wa_portmap_lease(m, WA_UDP, 45564, 12), 0);
	wa_portmap_set(m, WA_LAYER_HOST, WA_UDP, 45564, true);
	wa_portmap_clear_layer(m, WA_LAYER_LEASE);
	assert_int_equal(wa_portmap_state(m, WA_UDP, 45564, &holder),
	    WA_HOLD_HOST);
	assert_int_equal(holder, 0);
	assert_int_equal(wa_portmap_lease(m, WA_UDP, 45564, 13), 0);
}

static void
test_hold_names(void **state)
{
	(void)state;
	assert_string_equal(wa_hold_name(WA_HOLD_FREE), "free");
	assert_string_equal(wa_hold_name(WA_HOLD_LEASE), "lease");
	assert_string_equal(wa_hold_name(WA_HOLD_EXCLUDED), "excluded");
	assert_string_equal(wa_hold_name(WA_HOLD_RESERVED), "reserved");
	assert_string_equal(wa_hold_name(WA_HOLD_HOST), "host");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lease_and_unlease,
		    wa_setup, wa_teardown),
		cmocka_unit_test_setup_teardown(test_word_edges, wa_setup,
		    wa_teardown),
		cmocka_unit_test_setup_teardown(test_layers_order, wa_setup,
		    wa_teardown),
		cmocka_unit_test_setup_teardown(test_clear_lease_layer,
		    wa_setup, wa_teardown),
		cmocka_unit_test(test_hold_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
