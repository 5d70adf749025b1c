#define _POSIX_C_SOURCE 200809L

#include "http.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The same few socket calls on Winsock (the Windows release is tested under wine) and POSIX. */
#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
typedef SOCKET socket_fd;
#define NO_SOCKET INVALID_SOCKET
#define close_socket closesocket
static bool sockets_ready(void) {
  static bool started = false;
  WSADATA data;
  if (!started && WSAStartup(MAKEWORD(2, 2), &data) == 0) {
    started = true;
  }
  return started;
}
#else
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>
typedef int socket_fd;
#define NO_SOCKET (-1)
#define close_socket close
static bool sockets_ready(void) { return true; }
#endif

enum { REQUEST_MAX = 16384, REPLY_MAX = 65536 };

static bool send_all(socket_fd fd, const char *data, size_t len) {
  while (len > 0) {
    int chunk = len > 65536 ? 65536 : (int)len;
    int sent = (int)send(fd, data, chunk, 0);
    if (sent <= 0) {
      return false;
    }
    data += sent;
    len -= (size_t)sent;
  }
  return true;
}

/* Connects to host:port (numeric or resolvable); NO_SOCKET on failure. */
static socket_fd connect_to(const char *host, const char *port) {
  struct addrinfo hints, *found = NULL;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  if (!sockets_ready() || getaddrinfo(host, port, &hints, &found) != 0) {
    return NO_SOCKET;
  }
  socket_fd fd = socket(found->ai_family, found->ai_socktype, found->ai_protocol);
  if (fd != NO_SOCKET && connect(fd, found->ai_addr, (int)found->ai_addrlen) != 0) {
    close_socket(fd);
    fd = NO_SOCKET;
  }
  freeaddrinfo(found);
  return fd;
}

/* Copies the value of header `name` from the header block into out ("" when absent). */
static void header_value(const char *headers, const char *name, char *out, size_t out_len) {
  out[0] = '\0';
  size_t name_len = strlen(name);
  for (const char *line = headers; line != NULL && *line != '\0';) {
    const char *end = strstr(line, "\r\n");
    if (end == NULL || end == line) {
      return;
    }
    if ((size_t)(end - line) > name_len && strncasecmp(line, name, name_len) == 0 && line[name_len] == ':') {
      const char *value = line + name_len + 1;
      while (*value == ' ') {
        value++;
      }
      size_t len = (size_t)(end - value) < out_len - 1 ? (size_t)(end - value) : out_len - 1;
      memcpy(out, value, len);
      out[len] = '\0';
      return;
    }
    line = end + 2;
  }
}

bool http_request(const char *method, const char *url, const char *json_body, http_response *response) {
  char host[256], port[16], path[HTTP_TEXT_MAX];
  if (sscanf(url, "http://%255[^:/]:%15[0-9]%8191s", host, port, path) != 3) {
    return false;
  }
  char request[REQUEST_MAX];
  const char *body = json_body != NULL ? json_body : "";
  int request_len = snprintf(request, sizeof request,
                             "%s %s HTTP/1.1\r\nHost: %s:%s\r\nConnection: close\r\n"
                             "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                             method, path, host, port, strlen(body), body);
  if (request_len < 0 || (size_t)request_len >= sizeof request) {
    return false;
  }
  socket_fd fd = connect_to(host, port);
  if (fd == NO_SOCKET) {
    return false;
  }
  static char reply[REPLY_MAX];
  size_t reply_len = 0;
  bool sent = send_all(fd, request, (size_t)request_len);
  int got = 0;
  while (sent && reply_len < sizeof reply - 1 &&
         (got = (int)recv(fd, reply + reply_len, (int)(sizeof reply - 1 - reply_len), 0)) > 0) {
    reply_len += (size_t)got;
  }
  close_socket(fd);
  reply[reply_len] = '\0';
  if (!sent || sscanf(reply, "HTTP/1.%*c %d", &response->status) != 1) {
    return false;
  }
  const char *headers = strstr(reply, "\r\n");
  const char *body_start = strstr(reply, "\r\n\r\n");
  if (headers == NULL || body_start == NULL) {
    return false;
  }
  header_value(headers + 2, "location", response->location, sizeof response->location);
  snprintf(response->body, sizeof response->body, "%s", body_start + 4);
  return true;
}
