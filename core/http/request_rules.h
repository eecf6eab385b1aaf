/*
 * request_rules.h — the HTTP/1.1 message rules growthd enforces on top of
 * libmicrohttpd, checked once the request head has arrived and before any
 * body is read or any route runs.
 *
 * libmicrohttpd 0.9.75 is lenient where RFC 9110/9112 say a server MUST
 * refuse, and several of those leniencies are request-smuggling or
 * log-forgery shapes. request_rules_check refuses them with a growthd JSON
 * error: 400 bad_request (no or several Host, a header name that is not a
 * token, several Content-Length or Transfer-Encoding lines, Content-Length
 * with Transfer-Encoding, Transfer-Encoding in HTTP/1.0, a target that is not
 * origin- or absolute-form, a path holding a control byte or an encoded NUL)
 * and 501 not_implemented (an unknown method or transfer coding). The server
 * answers these and closes the connection.
 */
#ifndef GROWTH_HTTP_REQUEST_RULES_H
#define GROWTH_HTTP_REQUEST_RULES_H

#include <microhttpd.h>
#include <stddef.h>

#include "http/handler.h"

/* 0 when the request may go on; otherwise fills response (400 or 501) and returns -1. */
int request_rules_check(struct MHD_Connection *connection, const char *method, const char *version,
                        const char *target, struct http_response *response);

/* The path of a target: the target itself in origin-form, the part from the first '/' after the
   authority in absolute-form ("http://host/health" -> "/health"; "/" when it has no path). */
const char *request_rules_path(const char *target);

/* The unescape callback for MHD_OPTION_UNESCAPE_CALLBACK: decodes %HH like libmicrohttpd's own,
   except %00, which stays as the three characters "%00" so a NUL cannot cut a path short;
   request_rules_check then refuses such a path. */
size_t request_rules_unescape(void *cls, struct MHD_Connection *connection, char *text);

#endif
