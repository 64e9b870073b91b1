/* The spool: durable appends, replay in order, stop at the first
 * failure keeping the rest, torn tail ignored, idempotent re-runs. */
#include "tap.h"
#include "../../media/spool.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char seen[16][64];
static int nseen, fail_at = -1;

static int
apply(const char *line, void *arg)
{
	if (nseen == fail_at)
		return -1;
	snprintf(seen[nseen++], sizeof seen[0], "%s", line);
	return 0;
}

int
main(void)
{
	char path[] = "/tmp/voxline-spool-XXXXXX";
	int fd = mkstemp(path);
	close(fd);
	unlink(path);
	is_int(spool_count(path), 0, "absent spool holds nothing");
	is_int(spool_replay(path, apply, NULL), 0, "replaying an absent spool applies nothing");
	for (int i = 1; i <= 5; i++) {
		char line[32];
		snprintf(line, sizeof line, "{\"n\":%d}", i);
		spool_append(path, line);
	}
	is_int(spool_append(path, "two\nlines"), -1, "a record with a newline is refused");
	is_int(spool_count(path), 5, "five records spooled");
	fail_at = 2;
	is_int(spool_replay(path, apply, NULL), 2, "replay stops at the first failure");
	is(seen[0], "{\"n\":1}", "in order (1)");
	is(seen[1], "{\"n\":2}", "in order (2)");
	is_int(spool_count(path), 3, "unapplied records kept");
	/* A crash mid-append leaves a torn line: never acknowledged, skipped. */
	FILE *f = fopen(path, "a");
	fputs("{\"n\":6", f);
	fclose(f);
	fail_at = -1;
	nseen = 0;
	is_int(spool_replay(path, apply, NULL), 3, "the rest replays");
	is(seen[0], "{\"n\":3}", "resumes where it stopped");
	is(seen[2], "{\"n\":5}", "up to the last complete record");
	is_int(spool_count(path), 0, "spool empty afterwards");
	ok(access(path, F_OK) != 0, "file removed when empty");
	return done_testing();
}
