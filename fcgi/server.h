/* FastCGI glue: turns one accepted FCGX_Request into a struct req,
 * dispatches it, and writes the struct resp back (CGI-style). */
#ifndef VOXLINE_SERVER_H
#define VOXLINE_SERVER_H
#include <fcgiapp.h>

struct db;
struct tpl_set;

void server_handle(FCGX_Request *fr, struct db *db, const struct tpl_set *tpl);

#endif
