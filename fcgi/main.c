/* voxline-web: the FastCGI program behind nginx.  A fixed pool of
 * threads, each with its own FCGX_Request and database connection;
 * SIGTERM/SIGINT finish the requests in flight, then exit. */
#include "cfg.h"
#include "db.h"
#include "dispatch.h"
#include "handlers.h"
#include "log.h"
#include "migrations.h"
#include "router.h"
#include "server.h"
#include "tpl.h"
#include "web.h"
#include <errno.h>
#include <fcgiapp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static int listen_fd = -1;
static const struct tpl_set *templates;
static pthread_mutex_t accept_lock = PTHREAD_MUTEX_INITIALIZER;

static void *
request_thread(void *arg)
{
	int id = (int)(intptr_t)arg;
	struct db *db = db_open(cfg_str(CFG_database_url), (int)cfg_int(CFG_database_connect_retries));
	FCGX_Request fr;
	FCGX_InitRequest(&fr, listen_fd, 0);
	for (;;) {
		pthread_mutex_lock(&accept_lock);
		int rc = FCGX_Accept_r(&fr);
		pthread_mutex_unlock(&accept_lock);
		if (rc < 0)
			break;
		atomic_fetch_add(&web.busy, 1);
		server_handle(&fr, db, templates);
		atomic_store(&web.db_up[id], db_connected(db));
		atomic_fetch_sub(&web.busy, 1);
		FCGX_Finish_r(&fr);
	}
	FCGX_Free(&fr, 1);
	db_close(db);
	return NULL;
}

static int
usage(void)
{
	fprintf(stderr, "usage: voxline-web [-c config-file] [--check]\n");
	return 2;
}

int
main(int argc, char **argv)
{
	const char *config = NULL;
	int check_only = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
			config = argv[++i];
		else if (strcmp(argv[i], "--check") == 0)
			check_only = 1;
		else
			return usage();
	}
	char err[512];
	if (cfg_load(config, err, sizeof err) < 0) {
		fprintf(stderr, "voxline-web: %s\n", err);
		return 1;
	}
	if (log_set_level(cfg_str(CFG_log_level)) < 0) {
		fprintf(stderr, "voxline-web: log_level must be debug, info, warn or error\n");
		return 1;
	}
	if (router_check(err, sizeof err) < 0 || telephony_init(err, sizeof err) < 0) {
		fprintf(stderr, "voxline-web: %s\n", err);
		return 1;
	}
	struct tpl_set *set = tpl_load(cfg_str(CFG_web_templates_dir), err, sizeof err);
	if (set == NULL) {
		fprintf(stderr, "voxline-web: templates: %s\n", err);
		return 1;
	}
	templates = set;
	if (migrations_latest(cfg_str(CFG_sql_dir), web.expected_migration,
	    sizeof web.expected_migration, err, sizeof err) < 0) {
		fprintf(stderr, "voxline-web: %s\n", err);
		return 1;
	}
	if (check_only) {
		printf("voxline-web: configuration, routes and templates are valid\n");
		return 0;
	}

	web.started = time(NULL);
	web.nthreads = (int)cfg_int(CFG_web_threads);
	dispatch_metrics_init();
	health_metrics_init();
	FCGX_Init();
	const char *sock = cfg_str(CFG_web_socket);
	listen_fd = FCGX_OpenSocket(sock, 128);
	if (listen_fd < 0) {
		fprintf(stderr, "voxline-web: cannot listen on %s\n", sock);
		return 1;
	}
	if (sock[0] != ':' && chmod(sock, (mode_t)cfg_int(CFG_web_socket_mode)) < 0)
		log_warn("socket_chmod_failed", "{s:s,s:s}", "socket", sock, "error", strerror(errno));

	/* Signals go to one thread only; the others never see them. */
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);

	pthread_t threads[WEB_MAX_THREADS];
	for (int i = 0; i < web.nthreads; i++)
		pthread_create(&threads[i], NULL, request_thread, (void *)(intptr_t)i);
	log_info("web_started", "{s:s,s:i,s:i}", "socket", sock, "threads", web.nthreads,
	    "pid", (int)getpid());

	int sig = 0;
	do
		sigwait(&sigs, &sig);
	while (sig == SIGPIPE);
	log_info("web_stopping", "{s:s,s:i}", "signal", sig == SIGTERM ? "TERM" : "INT",
	    "in_flight", atomic_load(&web.busy));
	FCGX_ShutdownPending();
	shutdown(listen_fd, SHUT_RDWR);
	for (int i = 0; i < web.nthreads; i++)
		pthread_join(threads[i], NULL);
	close(listen_fd);
	if (sock[0] != ':')
		unlink(sock);
	tpl_free(set);
	log_info("web_stopped", NULL);
	return 0;
}
