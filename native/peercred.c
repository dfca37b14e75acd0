/*
 * Reads the credentials of the process at the other end of a connected Unix domain
 * socket. The kernel records them when the peer calls connect(2), so the client cannot
 * choose what this returns. Linux only: other platforms get an error that names the gap.
 *
 * Exported function: peerCredentials(fd: number) -> { pid, uid, gid }
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <node_api.h>

static napi_value throw_error(napi_env env, const char *code, const char *message) {
  napi_throw_error(env, code, message);
  return NULL;
}

static napi_value set_number(napi_env env, napi_value object, const char *name, double value) {
  napi_value number;
  if (napi_create_double(env, value, &number) != napi_ok) return NULL;
  if (napi_set_named_property(env, object, name, number) != napi_ok) return NULL;
  return object;
}

static napi_value peer_credentials(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t fd = -1;

  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1) {
    return throw_error(env, "ERR_INVALID_ARG", "peerCredentials expects a file descriptor");
  }
  if (napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0) {
    return throw_error(env, "ERR_INVALID_ARG", "peerCredentials expects a non-negative file descriptor");
  }

#ifdef SO_PEERCRED
  struct ucred credentials;
  socklen_t length = sizeof(credentials);
  memset(&credentials, 0, sizeof(credentials));
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0) {
    return throw_error(env, "ERR_PEERCRED", strerror(errno));
  }

  napi_value result;
  if (napi_create_object(env, &result) != napi_ok) return NULL;
  if (set_number(env, result, "pid", (double)credentials.pid) == NULL) return NULL;
  if (set_number(env, result, "uid", (double)credentials.uid) == NULL) return NULL;
  if (set_number(env, result, "gid", (double)credentials.gid) == NULL) return NULL;
  return result;
#else
  (void)fd;
  return throw_error(env, "ERR_PEERCRED_UNSUPPORTED", "SO_PEERCRED is not available on this platform");
#endif
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value function;
  if (napi_create_function(env, "peerCredentials", NAPI_AUTO_LENGTH, peer_credentials, NULL, &function) != napi_ok) {
    return NULL;
  }
  if (napi_set_named_property(env, exports, "peerCredentials", function) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
