/* fcgi_main.h: the FastCGI accept loop shared by every .fcgi program (prefork workers). */
#ifndef CM_FCGI_MAIN_H
#define CM_FCGI_MAIN_H

#include "request.h"
#include "response.h"

/*
 * Called once per request, before the body is read. parse_status is 0 when
 * req's head parsed, else the HTTP status cm_request_parse_head returned
 * (req->error says why); the handler must then answer with an error page.
 * The handler reads the body, if it wants it, with cm_request_read_body
 * (web_dispatch.c does, as the route says). The loop sends resp and frees
 * both after.
 */
typedef void (*cm_handler_fn)(void *app, struct cm_request *req, int parse_status,
    struct cm_response *resp);

struct cm_fcgi_opts {
	const char *socket_path;   /* listen on this unix socket; NULL = inherited fd 0 (mod_fcgid) */
	int socket_mode;           /* e.g. 0660; 0 = 0660 */
	const char *socket_group;  /* chgrp the socket (Apache's group), or NULL */
	const char *user;          /* when root: the socket's owner, and setgid/setuid to it after binding */
	int workers;               /* pre-forked worker processes, restarted when they die; 0 = 2 */
	long max_requests;         /* a worker exits after this many (0 = never) */
	struct cm_limits limits;
	int (*worker_init)(void *app);   /* after fork and privilege drop: open DB etc.; 0 or -1 */
	void (*worker_fini)(void *app);
	void *app;
	cm_handler_fn handler;
};

/* Runs until SIGTERM/SIGINT (then stops workers and returns 0); -1 on a
 * start-up failure, logged. */
int cm_fcgi_run(const struct cm_fcgi_opts *o);

#endif
