/* Drives media/writer.c against the stack's PostgreSQL
 * (VOXLINE_DATABASE_URL) for tests/integration/media_writer.t: the
 * records on stdin (one JSON object per line) are queued before the
 * writer starts, so it takes them as one batch, then the writer is
 * stopped, which stores everything queued.  Usage:
 *   writer_batch SPOOL_PATH OWNER < records */
#include "../../../media/writer.h"
#include "cfg.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

int
main(int argc, char **argv)
{
	char err[256];
	if (argc != 3 || cfg_load(NULL, err, sizeof err) < 0) {
		fprintf(stderr, "usage: writer_batch SPOOL_PATH OWNER < records\n");
		return 2;
	}
	char line[65536];
	int queued = 0;
	while (fgets(line, sizeof line, stdin)) {
		json_t *r = json_loads(line, 0, NULL);
		if (r == NULL) {
			fprintf(stderr, "writer_batch: not JSON: %s", line);
			return 2;
		}
		writer_call_finished(r);
		queued++;
	}
	if (writer_start(argv[1], argv[2]) < 0) {
		fprintf(stderr, "writer_batch: cannot start the writer\n");
		return 1;
	}
	writer_stop();
	printf("queued %d\n", queued);
	return 0;
}
