/* Prometheus exposition: the exact text a scraper receives for counters,
 * gauges and histograms, label escaping, and the series bound. */
#include "tap.h"
#include "metrics.h"
#include "fcgi/web.h"



static char text[1 << 20];

/* Renders every registered metric into text. */
static const char *
render(void)
{
	struct buf b;
	buf_init(&b, sizeof text - 1);
	if (metrics_render(&b) < 0)
		snprintf(text, sizeof text, "RENDER FAILED");
	else
		snprintf(text, sizeof text, "%s", b.data ? b.data : "");
	buf_free(&b);
	return text;
}

/* The exposition's lines for metric name only (HELP/TYPE and samples). */
static char section[1 << 20];
static const char *
only(const char *name)
{
	size_t n = 0, nl = strlen(name);
	section[0] = '\0';
	for (const char *p = render(); *p; ) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p + 1) : strlen(p);
		const char *s = p;
		if (strncmp(s, "# HELP ", 7) == 0 || strncmp(s, "# TYPE ", 7) == 0)
			s += 7;
		if (strncmp(s, name, nl) == 0 && (s[nl] == ' ' || s[nl] == '{' || s[nl] == '_')) {
			memcpy(section + n, p, len);
			n += len;
		}
		p += len;
	}
	section[n] = '\0';
	return section;
}

/* One sample line: name{label="value",...} number, with every label value
 * a correctly escaped string (what a Prometheus parser accepts). */
static int
well_formed_sample(const char *line)
{
	const char *p = strchr(line, '{');
	if (p == NULL)
		return 0;
	p++;
	for (;;) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_'))
			return 0;
		while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_')
			p++;
		if (p[0] != '=' || p[1] != '"')
			return 0;
		p += 2;
		while (*p && *p != '"') {
			if (*p == '\n')
				return 0;
			if (*p == '\\') {
				if (p[1] != '\\' && p[1] != '"' && p[1] != 'n')
					return 0;
				p++;
			}
			p++;
		}
		if (*p != '"')
			return 0;
		p++;
		if (*p == '}')
			break;
		if (*p != ',')
			return 0;
		p++;
	}
	p++;
	if (*p != ' ')
		return 0;
	p++;
	char *end;
	strtod(p, &end);
	return end > p && (*end == '\n' || *end == '\0');
}

static struct metric calls = METRIC_INIT("test_calls_total", "Calls handled.", METRIC_COUNTER);
static struct metric plain = METRIC_INIT("test_plain_total", "No labels.", METRIC_COUNTER);
static struct metric esc = METRIC_INIT("test_escaped_total", "Escaping.", METRIC_COUNTER);
static struct metric temp = METRIC_INIT("test_temperature", "A gauge.", METRIC_GAUGE);
static const double bounds[] = { 0.5, 1, 8 };
static struct metric lat = METRIC_HISTOGRAM_INIT("test_latency_seconds", "A histogram.", bounds);
static struct metric nolab = METRIC_HISTOGRAM_INIT("test_size_bytes", "Unlabelled histogram.", bounds);
static struct metric many = METRIC_INIT("test_many_total", "Bounded series.", METRIC_COUNTER);
static struct metric longl = METRIC_INIT("test_long_total", "Long label values.", METRIC_COUNTER);

int
main(void)
{
	is(render(), "", "nothing registered renders nothing");

	metrics_register(&calls);
	metrics_register(&plain);
	metrics_register(&esc);
	metrics_register(&temp);
	metrics_register(&lat);
	metrics_register(&nolab);
	metrics_register(&many);
	metrics_register(&longl);
	metrics_register(&calls);   /* twice: still once in the output */

	is(only("test_calls_total"), "# HELP test_calls_total Calls handled.\n"
	    "# TYPE test_calls_total counter\n", "a counter without samples shows HELP and TYPE");

	/* Counters with labels. */
	metrics_add(&calls, 1, "a", "x", NULL);
	metrics_add(&calls, 2, "a", "x", NULL);
	is(only("test_calls_total"), "# HELP test_calls_total Calls handled.\n"
	    "# TYPE test_calls_total counter\n"
	    "test_calls_total{a=\"x\"} 3\n", "counter with labels renders name{a=\"x\"} 3");
	metrics_add(&calls, 1, "a", "y", NULL);
	metrics_add(&calls, 5, "a", "x", "b", "z", NULL);
	metrics_add(&calls, 0.5, "a", "y", NULL);
	is(only("test_calls_total"), "# HELP test_calls_total Calls handled.\n"
	    "# TYPE test_calls_total counter\n"
	    "test_calls_total{a=\"x\"} 3\n"
	    "test_calls_total{a=\"y\"} 1.5\n"
	    "test_calls_total{a=\"x\",b=\"z\"} 5\n",
	    "each label set is its own series, in first-seen order");
	metrics_add(&calls, 1, "a", NULL, NULL);
	like(only("test_calls_total"), "test_calls_total{a=\"\"} 1\n", "a NULL label value renders as empty");

	metrics_add(&plain, 7, NULL);
	metrics_add(&plain, 1, NULL);
	is(only("test_plain_total"), "# HELP test_plain_total No labels.\n"
	    "# TYPE test_plain_total counter\n"
	    "test_plain_total 8\n", "a counter without labels has no braces");

	/* Escaping. */
	metrics_add(&esc, 1, "path", "say \"hi\"\\now\nnext", NULL);
	is(only("test_escaped_total"), "# HELP test_escaped_total Escaping.\n"
	    "# TYPE test_escaped_total counter\n"
	    "test_escaped_total{path=\"say \\\"hi\\\"\\\\now\\nnext\"} 1\n",
	    "quote, backslash and newline in label values are escaped");
	metrics_add(&esc, 1, "path", "say \"hi\"\\now\nnext", NULL);
	like(only("test_escaped_total"), "next\"} 2\n", "the escaped label set is found again");

	/* Gauges. */
	metrics_set(&temp, 21.5, "room", "a", NULL);
	metrics_set(&temp, 19, "room", "a", NULL);
	metrics_set(&temp, -3, "room", "b", NULL);
	metrics_add(&temp, 4, "room", "b", NULL);
	is(only("test_temperature"), "# HELP test_temperature A gauge.\n"
	    "# TYPE test_temperature gauge\n"
	    "test_temperature{room=\"a\"} 19\n"
	    "test_temperature{room=\"b\"} 1\n", "a gauge set replaces the value; add adjusts it");

	/* Histograms. */
	metrics_observe(&lat, 0.25, "route", "/health", NULL);
	metrics_observe(&lat, 0.5, "route", "/health", NULL);
	metrics_observe(&lat, 4, "route", "/health", NULL);
	metrics_observe(&lat, 32, "route", "/health", NULL);
	is(only("test_latency_seconds"), "# HELP test_latency_seconds A histogram.\n"
	    "# TYPE test_latency_seconds histogram\n"
	    "test_latency_seconds_bucket{route=\"/health\",le=\"0.5\"} 2\n"
	    "test_latency_seconds_bucket{route=\"/health\",le=\"1\"} 2\n"
	    "test_latency_seconds_bucket{route=\"/health\",le=\"8\"} 3\n"
	    "test_latency_seconds_bucket{route=\"/health\",le=\"+Inf\"} 4\n"
	    "test_latency_seconds_sum{route=\"/health\"} 36.75\n"
	    "test_latency_seconds_count{route=\"/health\"} 4\n",
	    "histogram buckets are cumulative (le inclusive), +Inf equals _count, _sum adds up");

	metrics_observe(&nolab, 1, NULL);
	metrics_observe(&nolab, 9, NULL);
	is(only("test_size_bytes"), "# HELP test_size_bytes Unlabelled histogram.\n"
	    "# TYPE test_size_bytes histogram\n"
	    "test_size_bytes_bucket{le=\"0.5\"} 0\n"
	    "test_size_bytes_bucket{le=\"1\"} 1\n"
	    "test_size_bytes_bucket{le=\"8\"} 1\n"
	    "test_size_bytes_bucket{le=\"+Inf\"} 2\n"
	    "test_size_bytes_sum 10\n"
	    "test_size_bytes_count 2\n",
	    "an unlabelled histogram: le is the only bucket label, sum and count bare");

	/* Registration order is exposition order. */
	const char *all = render();
	const char *a = strstr(all, "# HELP test_calls_total"), *b = strstr(all, "# HELP test_plain_total"),
	    *c = strstr(all, "# HELP test_latency_seconds");
	ok(a && b && c && a < b && b < c, "metrics render in registration order");
	const char *second = a ? strstr(a + 1, "# HELP test_calls_total") : NULL;
	ok(second == NULL, "registering a metric twice renders it once");

	/* Series are bounded. */
	char v[16];
	for (int i = 0; i < METRIC_MAX_SERIES + 10; i++) {
		snprintf(v, sizeof v, "%d", i);
		metrics_add(&many, 1, "n", v, NULL);
	}
	metrics_add(&many, 1, "n", "0", NULL);
	int nlines = 0;
	for (const char *p = only("test_many_total"); *p; p++)
		nlines += *p == '\n';
	is_int(nlines, 2 + METRIC_MAX_SERIES, "past METRIC_MAX_SERIES label sets new sets are dropped");
	like(only("test_many_total"), "test_many_total{n=\"0\"} 2\n", "existing series still count past the bound");
	like(only("test_many_total"), "test_many_total{n=\"511\"} 1\n", "the last admitted series is there");
	unlike(only("test_many_total"), "{n=\"512\"}", "the first series past the bound is not");

	/* Output stays parseable whatever the label length. */
	char big[700];
	memset(big, 'x', sizeof big);
	big[sizeof big - 1] = '\0';
	metrics_add(&longl, 1, "v", big, NULL);
	memset(big, 'y', sizeof big);
	big[505] = '"';
	big[sizeof big - 1] = '\0';
	metrics_add(&longl, 1, "v", big, NULL);
	memset(big, 'z', sizeof big);
	big[sizeof big - 1] = '\0';
	metrics_add(&longl, 1, "v", big, "w", "second", NULL);
	int good = 1, samples = 0;
	const char *s = only("test_long_total");
	while ((s = strstr(s, "\ntest_long_total{")) != NULL) {
		s++;
		samples++;
		if (!well_formed_sample(s)) {
			good = 0;
			const char *e = strchr(s, '\n');
			printf("# malformed: %.30s...%.*s\n", s, 20, e ? e - 20 : s);
		}
	}
	is_int(samples, 3, "three long-label series");
	ok(good, "samples with label values longer than the label buffer are still well formed");

	struct buf tiny;
	buf_init(&tiny, 16);
	is_int(metrics_render(&tiny), -1, "rendering into a too-small buffer returns -1");
	buf_free(&tiny);

	return done_testing();
}
