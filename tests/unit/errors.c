/* The error catalog: every code in errors.def can be found by name and
 * read back, and occurrence ids have the documented shape. */
#include "tap.h"
#include "errors.h"
#include "fcgi/web.h"

#include <time.h>



static void
today(char out[9])
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(out, 9, "%Y%m%d", &tm);
}

/* ERR_YYYYMMDD_XXXXXX with date = one of the given dates and X from the
 * unambiguous alphabet (no I, L, O, U). */
static int
id_shape(const char *id, const char *date1, const char *date2)
{
	static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	if (strlen(id) != ERR_ID_LEN - 1 || strncmp(id, "ERR_", 4) != 0 || id[12] != '_')
		return 0;
	if (strncmp(id + 4, date1, 8) != 0 && strncmp(id + 4, date2, 8) != 0)
		return 0;
	for (int i = 13; i < 19; i++)
		if (id[i] == '\0' || strchr(alphabet, id[i]) == NULL)
			return 0;
	return 1;
}

int
main(void)
{
	char name[256];

	is_int(ERR_none, 0, "ERR_none is 0 so codes test as truth");

	/* Round trip of every catalog entry. */
	int n = 0;
#define ERR(c_, cat_, sev_, status_, msg_) \
	n++; \
	snprintf(name, sizeof name, "err_find(\"%s\") is ERR_%s", #c_, #c_); \
	is_int(err_find(#c_), ERR_##c_, name); \
	snprintf(name, sizeof name, "err_get(ERR_%s) has code, category, severity, status, message", #c_); \
	ok(strcmp(err_get(ERR_##c_)->code, #c_) == 0 && \
	    strcmp(err_get(ERR_##c_)->category, #cat_) == 0 && \
	    strcmp(err_get(ERR_##c_)->severity, #sev_) == 0 && \
	    err_get(ERR_##c_)->status == (status_) && \
	    strcmp(err_get(ERR_##c_)->message, (msg_)) == 0, name); \
	snprintf(name, sizeof name, "%s is recorded iff severity is error or critical", #c_); \
	is_int(err_is_recorded(ERR_##c_), \
	    strcmp(#sev_, "error") == 0 || strcmp(#sev_, "critical") == 0, name);
#include "errors.def"
#undef ERR
	is_int(n, ERR__COUNT - 1, "the catalog has one entry per code");

	/* Specific entries clients depend on. */
	is_int(err_get(ERR_not_found)->status, 404, "not_found is HTTP 404");
	is_int(err_get(ERR_validation_failed)->status, 400, "validation_failed is HTTP 400");
	is_int(err_get(ERR_internal)->status, 500, "internal is HTTP 500");
	is_int(err_is_recorded(ERR_internal), 1, "internal errors are recorded");
	is_int(err_is_recorded(ERR_not_found), 0, "not_found is not recorded");

	/* Unknown names. */
	is_int(err_find("no_such_code"), -1, "an unknown code is -1");
	is_int(err_find(""), -1, "the empty name is -1");
	is_int(err_find("none"), -1, "\"none\" is not a client-visible code");
	is_int(err_find("NOT_FOUND"), -1, "codes are case-sensitive");
	is(err_get((enum err_code)ERR__COUNT)->code, "internal", "an out-of-range code reads as internal");

	/* Occurrence ids. */
	char d1[9], d2[9], id[ERR_ID_LEN];
	today(d1);
	err_new_id(id);
	today(d2);
	snprintf(name, sizeof name, "id %s is ERR_%s_XXXXXX (today, UTC)", id, d1);
	ok(id_shape(id, d1, d2), name);
	enum { NIDS = 200 };
	static char ids[NIDS][ERR_ID_LEN];
	int shape = 1, distinct = 1;
	for (int i = 0; i < NIDS; i++) {
		err_new_id(ids[i]);
		if (!id_shape(ids[i], d1, d2))
			shape = 0;
		for (int j = 0; j < i; j++)
			if (strcmp(ids[i], ids[j]) == 0)
				distinct = 0;
	}
	today(d2);
	ok(shape, "200 ids all have the ERR_YYYYMMDD_XXXXXX shape");
	ok(distinct, "200 ids are all different");
	int letters[256] = { 0 }, used = 0;
	for (int i = 0; i < NIDS; i++)
		for (int j = 13; j < 19; j++)
			letters[(unsigned char)ids[i][j]]++;
	for (int c = 0; c < 256; c++)
		used += letters[c] > 0;
	is_int(used, 32, "the random part uses all 32 characters of the alphabet");

	/* The generated documentation lists every code. */
	char *doc = NULL;
	size_t doclen = 0;
	FILE *f = open_memstream(&doc, &doclen);
	err_write_doc(f);
	fclose(f);
	like(doc, "| `not_found` | 404 | client | info | The requested resource does not exist. |\n",
	    "the errors doc has a row for not_found");
	int lines = 0;
	for (const char *p = doc; *p; p++)
		lines += *p == '\n';
	is_int(lines, 2 + ERR__COUNT - 1, "the errors doc has one row per code");
	free(doc);

	return done_testing();
}
