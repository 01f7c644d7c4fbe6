/* net/loop.c — the epoll event loop: fd watchers, a timer min-heap on the monotonic clock,
 * and the wake channel (an eventfd plus a mutex-guarded task list) that lets other threads
 * hand work back to the loop's thread. Layer: net.
 *
 * One tick:  update time → epoll_wait(min(max_wait, next timer)) → I/O callbacks →
 *            expired timers → posted tasks.
 * Watchers stopped during a batch are skipped for the rest of that batch: the loop keeps a
 * per-batch list of the events and net_io_stop() clears matching entries. */
#include <harv/net.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define NET_MAX_EVENTS 256

struct net_loop {
    int epfd;
    int wakefd;
    net_io_t wake_io;
    int stopped;       /* accessed only through __atomic builtins */
    uint64_t now_ms;
    void *data;

    /* timer heap, 1-based: heap[1] is the earliest */
    net_timer_t **heap;
    size_t heap_len, heap_cap;

    /* posted tasks */
    pthread_mutex_t post_mu;
    net_task_t *post_head, *post_tail;
    int wake_pending;

    /* the batch being dispatched */
    struct epoll_event events[NET_MAX_EVENTS];
    int nevents, cur;
};

/* ---- watchers ------------------------------------------------------------------------ */

int net_io_start(net_loop_t *loop, net_io_t *io, int fd, uint32_t events, net_io_cb on_io,
                 void *data)
{
    io->fd = fd;
    io->events = events;
    io->on_io = on_io;
    io->data = data;
    struct epoll_event ev = {.events = events, .data.ptr = io};
    return epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) == 0 ? BASE_OK : BASE_ERROR;
}

int net_io_modify(net_loop_t *loop, net_io_t *io, uint32_t events)
{
    if (io->events == events)
        return BASE_OK;
    io->events = events;
    struct epoll_event ev = {.events = events, .data.ptr = io};
    return epoll_ctl(loop->epfd, EPOLL_CTL_MOD, io->fd, &ev) == 0 ? BASE_OK : BASE_ERROR;
}

void net_io_stop(net_loop_t *loop, net_io_t *io)
{
    if (io->fd >= 0)
        epoll_ctl(loop->epfd, EPOLL_CTL_DEL, io->fd, NULL);
    /* Forget pending events of this batch for io: its storage may be freed next. */
    for (int i = loop->cur + 1; i < loop->nevents; i++)
        if (loop->events[i].data.ptr == io)
            loop->events[i].data.ptr = NULL;
}

/* ---- timers ---------------------------------------------------------------------------- */

static void heap_swap(net_loop_t *loop, size_t a, size_t b)
{
    net_timer_t *t = loop->heap[a];
    loop->heap[a] = loop->heap[b];
    loop->heap[b] = t;
    loop->heap[a]->heap_idx = a;
    loop->heap[b]->heap_idx = b;
}

static void heap_up(net_loop_t *loop, size_t i)
{
    while (i > 1 && loop->heap[i / 2]->deadline_ms > loop->heap[i]->deadline_ms) {
        heap_swap(loop, i, i / 2);
        i /= 2;
    }
}

static void heap_down(net_loop_t *loop, size_t i)
{
    for (;;) {
        size_t l = 2 * i, r = l + 1, m = i;
        if (l <= loop->heap_len && loop->heap[l]->deadline_ms < loop->heap[m]->deadline_ms)
            m = l;
        if (r <= loop->heap_len && loop->heap[r]->deadline_ms < loop->heap[m]->deadline_ms)
            m = r;
        if (m == i)
            return;
        heap_swap(loop, i, m);
        i = m;
    }
}

void net_timer_stop(net_loop_t *loop, net_timer_t *t)
{
    size_t i = t->heap_idx;
    if (!i)
        return;
    t->heap_idx = 0;
    net_timer_t *last = loop->heap[loop->heap_len--];
    if (i <= loop->heap_len) {
        loop->heap[i] = last;
        last->heap_idx = i;
        heap_up(loop, i);
        heap_down(loop, last->heap_idx);
    }
}

void net_timer_start(net_loop_t *loop, net_timer_t *t, uint64_t delay_ms, net_timer_cb cb,
                     void *data)
{
    net_timer_stop(loop, t);
    t->deadline_ms = loop->now_ms + delay_ms;
    t->on_timer = cb;
    t->data = data;
    if (loop->heap_len + 1 >= loop->heap_cap) {
        loop->heap_cap = loop->heap_cap ? loop->heap_cap * 2 : 64;
        loop->heap = base_xrealloc(loop->heap, loop->heap_cap * sizeof *loop->heap);
    }
    loop->heap[++loop->heap_len] = t;
    t->heap_idx = loop->heap_len;
    heap_up(loop, loop->heap_len);
}

static int run_timers(net_loop_t *loop)
{
    int n = 0;
    while (loop->heap_len && loop->heap[1]->deadline_ms <= loop->now_ms) {
        net_timer_t *t = loop->heap[1];
        net_timer_stop(loop, t);
        t->on_timer(loop, t);
        n++;
    }
    return n;
}

/* ---- wake channel ----------------------------------------------------------------------- */

void net_loop_post(net_loop_t *loop, net_task_t *task)
{
    task->next = NULL;
    pthread_mutex_lock(&loop->post_mu);
    if (loop->post_tail)
        loop->post_tail->next = task;
    else
        __atomic_store_n(&loop->post_head, task, __ATOMIC_RELAXED); /* peeked unlocked */
    loop->post_tail = task;
    pthread_mutex_unlock(&loop->post_mu);
    /* One eventfd write per burst: the loop clears wake_pending before draining. */
    if (!__atomic_exchange_n(&loop->wake_pending, 1, __ATOMIC_ACQ_REL)) {
        uint64_t one = 1;
        ssize_t w = write(loop->wakefd, &one, sizeof one);
        (void)w;
    }
}

static void on_wake(net_loop_t *loop, net_io_t *io, uint32_t events)
{
    uint64_t v;
    ssize_t r = read(loop->wakefd, &v, sizeof v);
    (void)r;
}

static int run_posted(net_loop_t *loop)
{
    __atomic_store_n(&loop->wake_pending, 0, __ATOMIC_RELEASE);
    pthread_mutex_lock(&loop->post_mu);
    net_task_t *t = loop->post_head;
    __atomic_store_n(&loop->post_head, NULL, __ATOMIC_RELAXED);
    loop->post_tail = NULL;
    pthread_mutex_unlock(&loop->post_mu);
    int n = 0;
    while (t) {
        net_task_t *next = t->next;
        t->run(loop, t);
        t = next;
        n++;
    }
    return n;
}

/* ---- the loop ---------------------------------------------------------------------------- */

net_loop_t *net_loop_new(void)
{
    net_loop_t *loop = base_xcalloc(1, sizeof *loop);
    loop->epfd = epoll_create1(EPOLL_CLOEXEC);
    loop->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (loop->epfd < 0 || loop->wakefd < 0)
        goto fail;
    pthread_mutex_init(&loop->post_mu, NULL);
    loop->now_ms = base_now_ms();
    if (net_io_start(loop, &loop->wake_io, loop->wakefd, NET_IN, on_wake, NULL) != BASE_OK)
        goto fail;
    return loop;
fail:
    if (loop->epfd >= 0)
        close(loop->epfd);
    if (loop->wakefd >= 0)
        close(loop->wakefd);
    free(loop);
    return NULL;
}

void net_loop_free(net_loop_t *loop)
{
    if (!loop)
        return;
    close(loop->epfd);
    close(loop->wakefd);
    pthread_mutex_destroy(&loop->post_mu);
    free(loop->heap);
    free(loop);
}

uint64_t net_loop_now(const net_loop_t *loop) { return loop->now_ms; }
uint64_t net_loop_update_time(net_loop_t *loop) { return loop->now_ms = base_now_ms(); }
void net_loop_set_data(net_loop_t *loop, void *data) { loop->data = data; }
void *net_loop_data(const net_loop_t *loop) { return loop->data; }

void net_loop_stop(net_loop_t *loop)
{
    __atomic_store_n(&loop->stopped, 1, __ATOMIC_RELEASE);
    uint64_t one = 1;
    ssize_t w = write(loop->wakefd, &one, sizeof one);
    (void)w;
}

void net_loop_wake(net_loop_t *loop)
{
    uint64_t one = 1;
    ssize_t w = write(loop->wakefd, &one, sizeof one);
    (void)w;
}

bool net_loop_stopped(const net_loop_t *loop)
{
    return __atomic_load_n(&loop->stopped, __ATOMIC_ACQUIRE);
}

int net_loop_tick(net_loop_t *loop, int max_wait_ms)
{
    loop->now_ms = base_now_ms();
    int wait = max_wait_ms;
    if (loop->heap_len) {
        uint64_t d = loop->heap[1]->deadline_ms;
        int until = d <= loop->now_ms ? 0 : (int)BASE_MIN(d - loop->now_ms, (uint64_t)INT32_MAX);
        if (wait < 0 || until < wait)
            wait = until;
    }
    if (__atomic_load_n(&loop->post_head, __ATOMIC_RELAXED))
        wait = 0; /* a hint only: a post racing with this check still wakes the eventfd */
    int n = epoll_wait(loop->epfd, loop->events, NET_MAX_EVENTS, wait);
    if (n < 0) {
        if (errno != EINTR)
            return BASE_ERROR;
        n = 0;
    }
    loop->now_ms = base_now_ms();
    loop->nevents = n;
    int ran = 0;
    for (loop->cur = 0; loop->cur < n; loop->cur++) {
        net_io_t *io = loop->events[loop->cur].data.ptr;
        if (!io)
            continue;
        io->on_io(loop, io, loop->events[loop->cur].events);
        ran++;
    }
    loop->nevents = loop->cur = 0;
    ran += run_timers(loop);
    ran += run_posted(loop);
    return ran;
}

int net_loop_run(net_loop_t *loop)
{
    while (!net_loop_stopped(loop))
        if (net_loop_tick(loop, -1) == BASE_ERROR)
            return BASE_ERROR;
    return BASE_OK;
}
