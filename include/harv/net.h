/* net: the one event-loop library every I/O task uses (HTTP server, FastCGI client, MySQL
 * server, supervisor). epoll fd watchers, timers on the monotonic clock, a wake channel
 * (eventfd) through which other threads post work back to the loop, a thread pool whose
 * completions return through that channel, and listening sockets.
 * Layer: net, above base. A loop is driven by one thread; only net_loop_post(),
 * net_loop_stop() and net_pool_submit() may be called from other threads. */
#ifndef HARV_NET_H
#define HARV_NET_H

#include <harv/base.h>

#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/socket.h>

typedef struct net_loop net_loop_t;

/* ---- fd watchers (caller-owned storage; must outlive its registration) --------------- */
enum {
    NET_IN = EPOLLIN,
    NET_OUT = EPOLLOUT,
    NET_HUP = EPOLLHUP | EPOLLERR | EPOLLRDHUP, /* reported, never requested */
    NET_EDGE = EPOLLET,
    NET_EXCLUSIVE = EPOLLEXCLUSIVE, /* for a listener shared by several loops */
};

typedef struct net_io net_io_t;
typedef void (*net_io_cb)(net_loop_t *loop, net_io_t *io, uint32_t events);
struct net_io {
    int fd;
    uint32_t events; /* as registered */
    net_io_cb on_io;
    void *data; /* the owner's */
};

/* Registers fd for `events`; on readiness calls on_io(loop, io, ready_events).
 * Returns BASE_OK or BASE_ERROR (errno set). The loop never closes fd. */
int net_io_start(net_loop_t *loop, net_io_t *io, int fd, uint32_t events, net_io_cb on_io,
                 void *data);
int net_io_modify(net_loop_t *loop, net_io_t *io, uint32_t events);
/* Unregisters; safe to call from inside on_io, also for a different io of the same batch. */
void net_io_stop(net_loop_t *loop, net_io_t *io);

/* ---- timers (caller-owned storage), a min-heap on deadline ------------------------------ */
typedef struct net_timer net_timer_t;
typedef void (*net_timer_cb)(net_loop_t *loop, net_timer_t *t);
struct net_timer {
    uint64_t deadline_ms; /* monotonic */
    net_timer_cb on_timer;
    void *data;
    size_t heap_idx; /* 0 = not armed; internal */
};

/* (Re)arms t to fire once after delay_ms. Loop thread only. */
void net_timer_start(net_loop_t *loop, net_timer_t *t, uint64_t delay_ms, net_timer_cb cb,
                     void *data);
void net_timer_stop(net_loop_t *loop, net_timer_t *t);
static inline bool net_timer_active(const net_timer_t *t) { return t->heap_idx != 0; }

/* ---- posting work to a loop from any thread (the wake channel) ------------------------- */
typedef struct net_task net_task_t;
struct net_task {
    net_task_t *next; /* internal */
    void (*run)(net_loop_t *loop, net_task_t *task);
};
/* Queues task to run on the loop's thread at its next tick, and wakes the loop.
 * Thread-safe; never allocates (the task is caller-owned until run() is called). */
void net_loop_post(net_loop_t *loop, net_task_t *task);

/* ---- the loop -------------------------------------------------------------------------- */
/* Returns a new loop or NULL (errno set). */
net_loop_t *net_loop_new(void);
void net_loop_free(net_loop_t *loop);
/* One iteration: wait up to max_wait_ms (-1 = until an event or the next timer) for I/O, then
 * run ready watchers, expired timers and posted tasks. Returns the number of callbacks run,
 * or BASE_ERROR. Loop thread only. */
int net_loop_tick(net_loop_t *loop, int max_wait_ms);
/* Ticks until net_loop_stop(). Returns BASE_OK. */
int net_loop_run(net_loop_t *loop);
void net_loop_stop(net_loop_t *loop); /* thread-safe */
/* Makes a blocked net_loop_tick() return. Thread- and async-signal-safe (one eventfd write). */
void net_loop_wake(net_loop_t *loop);
bool net_loop_stopped(const net_loop_t *loop);
/* Monotonic milliseconds, cached at the start of the current tick. */
uint64_t net_loop_now(const net_loop_t *loop);
/* Refreshes the cached time (after long work inside a callback). */
uint64_t net_loop_update_time(net_loop_t *loop);
/* The opaque user pointer of the loop (the owner's per-thread context). */
void net_loop_set_data(net_loop_t *loop, void *data);
void *net_loop_data(const net_loop_t *loop);

/* ---- thread pool ---------------------------------------------------------------------- */
typedef struct net_pool net_pool_t;
typedef struct net_job net_job_t;
struct net_job {
    net_job_t *next;                  /* internal */
    void (*work)(net_job_t *job);     /* runs on a pool thread */
    void (*done)(net_loop_t *loop, net_job_t *job); /* then on the loop's thread */
    net_loop_t *loop;                 /* where done() runs */
    net_task_t task;                  /* internal: carries done() back through the wake channel */
};

/* Starts `threads` workers with at most `backlog` queued (not yet running) jobs.
 * Returns NULL on failure. */
net_pool_t *net_pool_new(unsigned threads, unsigned backlog);
/* Queues job; BASE_OK, or BASE_LIMIT when the backlog is full (shed the work: 503). */
int net_pool_submit(net_pool_t *pool, net_job_t *job);
/* Stops the workers after the queued jobs finish and joins them. */
void net_pool_free(net_pool_t *pool);

/* ---- addresses and listeners ----------------------------------------------------------- */
typedef struct net_addr {
    struct sockaddr_storage ss;
    socklen_t len;
    int family;     /* AF_INET, AF_INET6 or AF_UNIX */
    char text[128]; /* as given, normalised: "127.0.0.1:8080", "[::1]:80", "unix:/x.sock" */
} net_addr_t;

/* Parses "HOST:PORT", "[V6]:PORT", ":PORT" or "PORT" (all interfaces), "unix:PATH".
 * Fills err with a sentence naming what is wrong. Returns BASE_OK or BASE_ERROR. */
int net_addr_parse(const char *spec, net_addr_t *out, char *err, size_t errlen);

enum {
    NET_LISTEN_REUSEPORT = 1 << 0,
    NET_LISTEN_DEFER_ACCEPT = 1 << 1, /* TCP only: accept wakes when data has arrived */
};
/* Creates a nonblocking, close-on-exec listening socket (unlinks a stale unix socket path).
 * Returns the fd, or BASE_ERROR with err filled ("bind 127.0.0.1:80: Permission denied"). */
int net_listen(const net_addr_t *addr, int backlog, unsigned flags, char *err, size_t errlen);
/* The local port of a TCP socket (after binding port 0), or 0. */
int net_socket_port(int fd);
/* Formats a peer address as text ("127.0.0.1", "::1"), and its port. */
void net_addr_peer(const struct sockaddr_storage *ss, char *host, size_t hostlen, int *port);

#endif
