/*
 * promjson.c: Prometheus' text exposition format as one JSON object,
 * for `wso2-alloc --json export`: a metric without labels is a number, a
 * labelled one an array of its samples ({"product": "mi-4", "value": 2}).
 * It reads what export wrote, so every metric export has is in it.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

/* A label value's text (\\, \" and \n unescaped) up to its closing quote. */
static const char *
wa_promjson_value(const char *p, char *buf, size_t len)
{
	size_t n = 0;

	for (; *p != '\0' && *p != '"'; p++) {
		char c = *p;

		if (c == '\\' && p[1] != '\0') {
			c = *++p == 'n' ? '\n' : *p;
		}
		if (n + 1 < len)
			buf[n++] = c;
	}
	buf[n] = '\0';
	return *p == '"' ? p + 1 : NULL;
}

/* name="value",... up to '}': into o; the text after it, or NULL. */
static const char *
wa_promjson_labels(const char *p, json_t *o)
{
	char key[128], val[1024];
	size_t n;

	while (*p != '}') {
		n = strcspn(p, "=}");
		if (p[n] != '=' || n == 0 || n >= sizeof key || p[n + 1] != '"')
			return NULL;
		memcpy(key, p, n);
		key[n] = '\0';
		if ((p = wa_promjson_value(p + n + 2, val, sizeof val)) == NULL)
			return NULL;
		json_object_set_new(o, key, json_string(val));
		if (*p == ',')
			p++;
	}
	return p + 1;
}

static json_t *
wa_promjson_number(const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || !isfinite(v))
		return json_null();
	if (v == (double)(json_int_t)v && fabs(v) < 9e15)
		return json_integer((json_int_t)v);
	return json_real(v);
}

/* One sample line into out; malformed lines are left out. */
static void
wa_promjson_sample(json_t *out, const char *line)
{
	size_t n = strcspn(line, "{ ");
	char name[128];
	json_t *labels = NULL, *a;
	const char *p = line + n;

	if (n == 0 || n >= sizeof name || *p == '\0')
		return;
	memcpy(name, line, n);
	name[n] = '\0';
	if (*p == '{') {
		labels = json_object();
		if ((p = wa_promjson_labels(p + 1, labels)) == NULL) {
			json_decref(labels);
			return;
		}
	}
	while (*p == ' ')
		p++;
	if (labels == NULL) {
		json_object_set_new(out, name, wa_promjson_number(p));
		return;
	}
	json_object_set_new(labels, "value", wa_promjson_number(p));
	if (!json_is_array(a = json_object_get(out, name))) {
		a = json_array();
		json_object_set_new(out, name, a);
	}
	json_array_append_new(a, labels);
}

json_t *
wa_prom_json(const char *text)
{
	json_t *out = json_object();
	char line[2048];
	size_t n;

	for (const char *p = text; p != NULL && *p != '\0'; p += n +
	    (p[n] == '\n')) {
		n = strcspn(p, "\n");
		if (n == 0 || *p == '#' || n >= sizeof line)
			continue;
		memcpy(line, p, n);
		line[n] = '\0';
		wa_promjson_sample(out, line);
	}
	return out;
}
