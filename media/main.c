/* voxline-media: live call audio.  `voxline-media [-c config]`.
 * Several workers (one libuv loop + libwebsockets context each, sharing
 * the listening address), engines on libuv's thread pool, one writer
 * thread.  SIGTERM drains: new streams are refused, calls under way
 * continue up to media_drain_seconds and are then ended politely. */
#include "media.h"
#include "breakers.h"
#include "cfg.h"
#include "curl_loop.h"
#include "crypto.h"
#include "log.h"
#include "loop_db.h"
#include "metrics.h"
#include "server.h"
#include "writer.h"
#include "xalloc.h"
#include <curl/curl.h>
#include <errno.h>
#include <math.h>
#include <libwebsockets.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define TICK_MS 10
#define DRAIN_GRACE_MS 15000     /* for the goodbye line to play out */

static int workers_alive;

extern struct metric media_frame_lateness, media_streams_refused, media_calls_total,
    media_calls_active, media_greeting_ms, media_v2v_ms, media_barge_ins, media_frames_late;

static void
close_handle(uv_handle_t *h)
{
	(void)h;
}

static void
worker_shutdown(struct worker *w)
{
	if (w->stopping)
		return;
	w->stopping = 1;
	uv_timer_stop(&w->tick);
	uv_close((uv_handle_t *)&w->tick, close_handle);
	uv_close((uv_handle_t *)&w->wake, close_handle);
	curl_loop_close(w->curl);
	w->curl = NULL;
	loop_db_close(w->db);
	w->db = NULL;
	server_destroy(w);
	call_flush(w);                /* the closed streams' last references */
	uv_close((uv_handle_t *)&w->flush, close_handle);
}

/* How late each tick fires: what held the loop (its own work, or the
 * machine not giving it a core) is what every call on it waited. */
static const double lag_bounds[] = { 1, 2, 5, 10, 20, 50, 100, 200 };
static struct metric media_loop_lag_ms = METRIC_HISTOGRAM_INIT("voxline_media_loop_lag_ms",
    "How late each worker loop's 10 ms tick fired: the longest any event on that loop waited.", lag_bounds);

static void
on_tick(uv_timer_t *t)
{
	struct worker *w = t->data;
	double now = media_now_ms();
	if (w->last_tick > 0)
		metrics_observe(&media_loop_lag_ms, fmax(0, now - w->last_tick - TICK_MS), NULL);
	w->last_tick = now;
	int draining = __atomic_load_n(&media.draining, __ATOMIC_RELAXED);
	for (struct call *c = w->calls, *next; c; c = next) {
		next = c->next;
		if (draining && now > media.drain_deadline + DRAIN_GRACE_MS)
			call_hang_up(c, "service restarting");
		call_tick(c, now);
	}
	if (draining && w->ncalls == 0)
		worker_shutdown(w);
}

static void
on_wake(uv_async_t *a)
{
	pipeline_mail(a->data);
}

/* The loop's own thread is named (top -H, ps -L) and runs at
 * media_loop_nice: a frame written late is heard, a database write or a
 * speech model finishing late is not. */
static void
loop_priority(int worker)
{
	char name[16];
	snprintf(name, sizeof name, "media-loop-%d", worker);
	pthread_setname_np(pthread_self(), name);
	int nice = (int)cfg_int(CFG_media_loop_nice);
	if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), nice) < 0 && worker == 0)
		log_warn("media_loop_priority_refused", "{s:i,s:s}", "nice", nice, "error", strerror(errno));
}

static void
no_work(uv_work_t *req)
{
	(void)req;
}

/* libuv starts its thread pool on first use, and a thread starts with its
 * creator's name and priority: started from a loop, the engine threads
 * would run at the loops' priority.  Started here, from the main thread,
 * they keep the process's. */
static void
start_engine_threads(void)
{
	uv_loop_t loop;
	uv_work_t req;
	uv_loop_init(&loop);
	uv_queue_work(&loop, &req, no_work, NULL);
	uv_run(&loop, UV_RUN_DEFAULT);
	uv_loop_close(&loop);
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	loop_priority((int)(w - media.workers));
	uv_run(&w->loop, UV_RUN_DEFAULT);
	/* lws closes its handles after the context is destroyed. */
	while (uv_run(&w->loop, UV_RUN_NOWAIT))
		;
	uv_loop_close(&w->loop);
	__atomic_sub_fetch(&workers_alive, 1, __ATOMIC_RELAXED);
	return NULL;
}

static int
split_addr(const char *addr, char *host, size_t hostlen, int *port)
{
	const char *colon = strrchr(addr, ':');
	if (colon == NULL || (size_t)(colon - addr) >= hostlen)
		return -1;
	memcpy(host, addr, (size_t)(colon - addr));
	host[colon - addr] = 0;
	char *end;
	long p = strtol(colon + 1, &end, 10);
	if (*end || p < 1 || p > 65535)
		return -1;
	*port = (int)p;
	return 0;
}

static void
mkdir_parents(const char *path)
{
	char *d = xstrdup(path);
	for (char *p = d + 1; *p; p++)
		if (*p == '/') {
			*p = 0;
			mkdir(d, 0700);
			*p = '/';
		}
	free(d);
}

static void
raise_fd_limit(void)
{
	struct rlimit r;
	if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
		r.rlim_cur = r.rlim_max > 65536 ? 65536 : r.rlim_max;
		setrlimit(RLIMIT_NOFILE, &r);
	}
}

static int
configure(char *err, size_t errlen)
{
	if (price_parse(&media.prices, cfg_str(CFG_media_prices), err, errlen) < 0)
		return -1;
	if (strlen(cfg_str(CFG_stream_token_secret)) < 32) {
		snprintf(err, errlen, "stream_token_secret must be at least 32 characters");
		return -1;
	}
	media.vad = (struct vad_config){
		.min_level_db = (double)cfg_int(CFG_media_vad_min_level_db),
		.margin_db = (double)cfg_int(CFG_media_vad_margin_db),
		.min_speech_ms = (int)cfg_int(CFG_media_vad_min_speech_ms),
		.end_silence_ms = (int)cfg_int(CFG_media_end_of_turn_ms),
	};
	char node[100];
	if (*cfg_str(CFG_media_node_id))
		snprintf(node, sizeof node, "%s", cfg_str(CFG_media_node_id));
	else if (gethostname(node, sizeof node) != 0)
		snprintf(node, sizeof node, "media");
	node[sizeof node - 1] = 0;
	unsigned char run[6];
	crypto_random(run, sizeof run);
	char *hex = crypto_hex(run, sizeof run);
	snprintf(media.owner, sizeof media.owner, "%s/%s", node, hex);
	free(hex);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *config = NULL;
	if (argc == 3 && strcmp(argv[1], "-c") == 0)
		config = argv[2];
	else if (argc != 1) {
		fprintf(stderr, "usage: voxline-media [-c config-file]\n");
		return 2;
	}
	char err[512];
	if (cfg_load(config, err, sizeof err) < 0 || configure(err, sizeof err) < 0) {
		fprintf(stderr, "voxline-media: %s\n", err);
		return 1;
	}
	if (log_set_level(cfg_str(CFG_log_level)) < 0) {
		fprintf(stderr, "voxline-media: log_level must be debug, info, warn or error\n");
		return 1;
	}
	char host[128];
	int port;
	if (split_addr(cfg_str(CFG_media_addr), host, sizeof host, &port) < 0) {
		fprintf(stderr, "voxline-media: media_addr must be host:port\n");
		return 1;
	}
	char pool[16];
	snprintf(pool, sizeof pool, "%ld", cfg_int(CFG_media_engine_threads));
	setenv("UV_THREADPOOL_SIZE", pool, 1);
	raise_fd_limit();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	struct metric *ms[] = { &media_frame_lateness, &media_streams_refused, &media_calls_total,
		&media_calls_active, &media_greeting_ms, &media_v2v_ms, &media_barge_ins, &media_frames_late,
		&media_loop_lag_ms };
	for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++)
		metrics_register(ms[i]);
	breakers_init();

	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	mkdir_parents(cfg_str(CFG_media_spool_path));
	if (writer_start(cfg_str(CFG_media_spool_path), media.owner) < 0) {
		fprintf(stderr, "voxline-media: database_url is unusable\n");
		return 1;
	}
	long n = cfg_int(CFG_media_workers);
	if (n == 0)
		n = sysconf(_SC_NPROCESSORS_ONLN) > 0 ? sysconf(_SC_NPROCESSORS_ONLN) : 1;
	int lfd = server_listen(host, port);
	if (lfd < 0) {
		fprintf(stderr, "voxline-media: cannot listen on %s\n", cfg_str(CFG_media_addr));
		return 1;
	}
	media.nworkers = (int)n;
	media.workers = xcalloc((size_t)n, sizeof *media.workers);
	for (int i = 0; i < n; i++) {
		struct worker *w = &media.workers[i];
		w->index = i;
		pthread_mutex_init(&w->lock, NULL);
		uv_loop_init(&w->loop);
		uv_timer_init(&w->loop, &w->tick);
		w->curl = curl_loop_new(&w->loop);
		w->db = loop_db_new(&w->loop, cfg_str(CFG_database_url), i);
		uv_idle_init(&w->loop, &w->flush);
		w->flush.data = w;
		w->tick.data = w;
		uv_async_init(&w->loop, &w->wake, on_wake);
		w->wake.data = w;
		if (server_create(w, lfd) < 0) {
			log_error("media_listen_failed", "{s:s}", "addr", cfg_str(CFG_media_addr));
			fprintf(stderr, "voxline-media: cannot listen on %s\n", cfg_str(CFG_media_addr));
			return 1;
		}
		uv_timer_start(&w->tick, on_tick, TICK_MS, TICK_MS);
	}
	workers_alive = (int)n;
	start_engine_threads();
	for (int i = 0; i < n; i++)
		pthread_create(&media.workers[i].thread, NULL, worker_main, &media.workers[i]);
	log_info("media_started", "{s:s,s:i,s:s}", "addr", cfg_str(CFG_media_addr), "workers", (int)n,
	    "owner", media.owner);

	int sig;
	sigwait(&set, &sig);
	media.drain_deadline = media_now_ms() + (double)cfg_int(CFG_media_drain_seconds) * 1000.0;
	__atomic_store_n(&media.draining, 1, __ATOMIC_RELEASE);
	log_info("media_draining", "{s:i,s:i}", "calls", __atomic_load_n(&media.active_calls, __ATOMIC_RELAXED),
	    "drain_seconds", (int)cfg_int(CFG_media_drain_seconds));
	while (__atomic_load_n(&workers_alive, __ATOMIC_RELAXED) > 0) {
		struct timespec ts = { 0, 100 * 1000000L };
		if (sigtimedwait(&set, NULL, &ts) > 0) {
			/* A second signal: end the calls now (politely). */
			media.drain_deadline = media_now_ms();
		}
	}
	for (int i = 0; i < n; i++)
		pthread_join(media.workers[i].thread, NULL);
	close(lfd);
	writer_stop();
	log_info("media_stopped", NULL);
	free(media.workers);
	curl_global_cleanup();
	return 0;
}
