/*
 * request_rules.c — RFC 9110/9112 rules checked on the request head (see
 * request_rules.h).
 *
 * One pass over the headers with MHD_get_connection_values_n gathers what
 * the rules need (how many Host, Content-Length and Transfer-Encoding lines,
 * whether a name is not a token). The rules are then applied in a fixed
 * order, so a request breaking several always gets the same answer.
 *
 * What libmicrohttpd 0.9.75 hides cannot be checked here: it ends a header
 * value or the request target at a raw NUL byte (value_size stops there too),
 * so growthd only ever sees the part before it.
 */
#include "http/request_rules.h"

#include <string.h>
#include <strings.h>

static const char *const KNOWN_METHODS[] = { "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE",
                                             "CONNECT" };

struct head_facts {
  size_t hosts;
  size_t content_lengths;
  size_t transfer_encodings;
  const char *coding;       /* the first Transfer-Encoding value that is not "chunked" */
  int bad_name;
};

static int is_token_char(unsigned char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int is_token(const char *text, size_t length)
{
  if (length == 0)
    return 0;
  for (size_t i = 0; i < length; i++)
    if (!is_token_char((unsigned char)text[i]))
      return 0;
  return 1;
}

static int name_is(const char *key, size_t key_size, const char *name)
{
  return key_size == strlen(name) && strncasecmp(key, name, key_size) == 0;
}

static enum MHD_Result note_header(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size,
                                   const char *value, size_t value_size)
{
  (void)kind;
  (void)value_size;
  struct head_facts *facts = cls;
  if (!is_token(key, key_size))
    facts->bad_name = 1;
  if (name_is(key, key_size, MHD_HTTP_HEADER_HOST))
    facts->hosts++;
  else if (name_is(key, key_size, MHD_HTTP_HEADER_CONTENT_LENGTH))
    facts->content_lengths++;
  else if (name_is(key, key_size, MHD_HTTP_HEADER_TRANSFER_ENCODING)) {
    facts->transfer_encodings++;
    if (!facts->coding && (!value || strcasecmp(value, "chunked") != 0))
      facts->coding = value ? value : "";
  }
  return MHD_YES;
}

static int is_known_method(const char *method)
{
  for (size_t i = 0; i < sizeof KNOWN_METHODS / sizeof KNOWN_METHODS[0]; i++)
    if (strcmp(method, KNOWN_METHODS[i]) == 0)
      return 1;
  return 0;
}

static int has_control_byte(const char *text)
{
  for (const unsigned char *p = (const unsigned char *)text; *p; p++)
    if (*p < 0x20 || *p == 0x7f)
      return 1;
  return 0;
}

const char *request_rules_path(const char *target)
{
  size_t scheme = strncasecmp(target, "http://", 7) == 0 ? 7 : strncasecmp(target, "https://", 8) == 0 ? 8 : 0;
  if (scheme == 0)
    return target;
  const char *path = strchr(target + scheme, '/');
  return path ? path : "/";
}

static int check_target(const char *method, const char *target, struct http_response *response)
{
  const char *path = request_rules_path(target);
  if (strcmp(path, "*") == 0 && strcmp(method, "OPTIONS") == 0)
    return 0;
  if (path[0] != '/') {
    http_respond_error(response, 400, "bad_request",
                       "the request target '%.64s' is not a path; expected one starting with '/'", target);
    return -1;
  }
  if (has_control_byte(path)) {
    http_respond_error(response, 400, "bad_request", "the path holds a control byte (CR, LF, TAB or another "
                       "below 0x20); expected printable characters only");
    return -1;
  }
  if (strstr(path, "%00")) {
    http_respond_error(response, 400, "bad_request", "the path holds an encoded NUL byte (%%00)");
    return -1;
  }
  return 0;
}

static int check_headers(const struct head_facts *facts, const char *version, struct http_response *response)
{
  const char *problem = NULL;
  if (facts->bad_name)
    problem = "a header name holds a space, a control byte or a separator; names must be RFC 9110 tokens";
  else if (facts->hosts == 0 && strcmp(version, MHD_HTTP_VERSION_1_1) == 0)
    problem = "an HTTP/1.1 request needs a Host header (RFC 9112 section 3.2)";
  else if (facts->hosts > 1)
    problem = "more than one Host header; expected exactly one";
  else if (facts->content_lengths > 1)
    problem = "more than one Content-Length header; expected at most one";
  else if (facts->content_lengths && facts->transfer_encodings)
    problem = "both Content-Length and Transfer-Encoding; send only one of them";
  else if (facts->transfer_encodings > 1 && !facts->coding)
    problem = "more than one Transfer-Encoding header; expected at most one";
  else if (facts->transfer_encodings && strcmp(version, MHD_HTTP_VERSION_1_0) == 0)
    problem = "Transfer-Encoding in an HTTP/1.0 request (RFC 9112 section 6.1: faulty framing)";
  if (problem) {
    http_respond_error(response, 400, "bad_request", "%s", problem);
    return -1;
  }
  if (facts->coding) {
    http_respond_error(response, 501, "not_implemented",
                       "transfer coding '%.64s' is not supported; only chunked is", facts->coding);
    return -1;
  }
  return 0;
}

int request_rules_check(struct MHD_Connection *connection, const char *method, const char *version,
                        const char *target, struct http_response *response)
{
  if (!is_known_method(method)) {
    http_respond_error(response, 501, "not_implemented", "method '%.32s' is not implemented; expected GET, HEAD, "
                       "POST, PUT, DELETE, PATCH or OPTIONS", method);
    return -1;
  }
  if (check_target(method, target, response) != 0)
    return -1;
  struct head_facts facts = { 0 };
  MHD_get_connection_values_n(connection, MHD_HEADER_KIND, note_header, &facts);
  return check_headers(&facts, version, response);
}

static int hex_value(char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

size_t request_rules_unescape(void *cls, struct MHD_Connection *connection, char *text)
{
  (void)cls;
  (void)connection;
  char *read = text;
  char *write = text;
  while (*read) {
    int high = read[0] == '%' ? hex_value(read[1]) : -1;
    int low = high >= 0 ? hex_value(read[2]) : -1;
    if (low >= 0 && (high | low) != 0) {
      *write++ = (char)(high * 16 + low);
      read += 3;
    } else {
      *write++ = *read++;
    }
  }
  *write = '\0';
  return (size_t)(write - text);
}
