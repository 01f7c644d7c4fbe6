/* Unit tests for net/loop.c and net/pool.c: timer order and cancellation, fd watchers,
 * posting from another thread, the pool's bounded backlog. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include <harv/net.h>

static int fired[8], nfired;

static void on_timer(net_loop_t *loop, net_timer_t *t) { fired[nfired++] = (int)(intptr_t)t->data; }

static void timers_fire_in_order(void **state)
{
    net_loop_t *loop = net_loop_new();
    net_timer_t t[5] = {0};
    nfired = 0;
    net_timer_start(loop, &t[0], 30, on_timer, (void *)0);
    net_timer_start(loop, &t[1], 10, on_timer, (void *)1);
    net_timer_start(loop, &t[2], 20, on_timer, (void *)2);
    net_timer_start(loop, &t[3], 5, on_timer, (void *)3);
    net_timer_start(loop, &t[4], 15, on_timer, (void *)4);
    net_timer_stop(loop, &t[4]);
    net_timer_start(loop, &t[2], 1, on_timer, (void *)2); /* re-arm earlier */
    assert_false(net_timer_active(&t[4]));
    uint64_t start = base_now_ms();
    while (nfired < 4 && base_now_ms() - start < 2000)
        net_loop_tick(loop, 100);
    assert_int_equal(nfired, 4);
    assert_int_equal(fired[0], 2);
    assert_int_equal(fired[1], 3);
    assert_int_equal(fired[2], 1);
    assert_int_equal(fired[3], 0);
    assert_true(base_now_ms() - start >= 30);
    net_loop_free(loop);
}

static int io_hits;
static void on_pipe(net_loop_t *loop, net_io_t *io, uint32_t ev)
{
    char c;
    if (read(io->fd, &c, 1) == 1)
        io_hits++;
}

static void watcher_reports_readiness(void **state)
{
    net_loop_t *loop = net_loop_new();
    int p[2];
    assert_int_equal(pipe(p), 0);
    net_io_t io;
    assert_int_equal(net_io_start(loop, &io, p[0], NET_IN, on_pipe, NULL), BASE_OK);
    io_hits = 0;
    assert_int_equal(write(p[1], "x", 1), 1);
    net_loop_tick(loop, 100);
    assert_int_equal(io_hits, 1);
    net_io_stop(loop, &io);
    assert_int_equal(write(p[1], "x", 1), 1);
    net_loop_tick(loop, 10);
    assert_int_equal(io_hits, 1);
    close(p[0]);
    close(p[1]);
    net_loop_free(loop);
}

static int posted;
static void on_posted(net_loop_t *loop, net_task_t *t) { posted++; }
static net_task_t tasks[100];
static void *poster(void *arg)
{
    for (int i = 0; i < 100; i++) {
        tasks[i].run = on_posted;
        net_loop_post(arg, &tasks[i]);
    }
    return NULL;
}

static void post_wakes_the_loop(void **state)
{
    net_loop_t *loop = net_loop_new();
    posted = 0;
    pthread_t th;
    pthread_create(&th, NULL, poster, loop);
    uint64_t start = base_now_ms();
    while (posted < 100 && base_now_ms() - start < 2000)
        net_loop_tick(loop, 1000); /* would block 1 s if the wake channel did not work */
    pthread_join(th, NULL);
    assert_int_equal(posted, 100);
    assert_true(base_now_ms() - start < 1000);
    net_loop_free(loop);
}

static pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;
static int done_count;
static void job_work(net_job_t *j)
{
    pthread_mutex_lock(&gate);
    pthread_mutex_unlock(&gate);
}
static void job_done(net_loop_t *loop, net_job_t *j) { done_count++; }

static void pool_sheds_past_backlog(void **state)
{
    net_loop_t *loop = net_loop_new();
    net_pool_t *pool = net_pool_new(1, 2);
    net_job_t jobs[6];
    done_count = 0;
    pthread_mutex_lock(&gate); /* the worker blocks inside the first job */
    int accepted = 0, shed = 0;
    for (int i = 0; i < 6; i++) {
        jobs[i] = (net_job_t){.work = job_work, .done = job_done, .loop = loop};
        int rc = net_pool_submit(pool, &jobs[i]);
        if (rc == BASE_OK)
            accepted++;
        else
            shed++;
        usleep(20000); /* let the worker pick up the first job */
    }
    pthread_mutex_unlock(&gate);
    assert_int_equal(accepted, 3); /* one running + backlog of two */
    assert_int_equal(shed, 3);
    uint64_t start = base_now_ms();
    while (done_count < accepted && base_now_ms() - start < 2000)
        net_loop_tick(loop, 100);
    assert_int_equal(done_count, accepted);
    net_pool_free(pool);
    net_loop_free(loop);
}

static void addr_parsing(void **state)
{
    net_addr_t a;
    char err[256];
    assert_int_equal(net_addr_parse("127.0.0.1:8080", &a, err, sizeof err), BASE_OK);
    assert_int_equal(a.family, AF_INET);
    assert_int_equal(net_addr_parse("[::1]:0", &a, err, sizeof err), BASE_OK);
    assert_int_equal(a.family, AF_INET6);
    assert_string_equal(a.text, "[::1]:0");
    assert_int_equal(net_addr_parse(":80", &a, err, sizeof err), BASE_OK);
    assert_string_equal(a.text, "0.0.0.0:80");
    assert_int_equal(net_addr_parse("unix:/tmp/x.sock", &a, err, sizeof err), BASE_OK);
    assert_int_equal(a.family, AF_UNIX);
    assert_int_equal(net_addr_parse("1.2.3.4:99999", &a, err, sizeof err), BASE_ERROR);
    assert_non_null(strstr(err, "not a listen address"));
    assert_int_equal(net_addr_parse("nohost:80", &a, err, sizeof err), BASE_ERROR);
    assert_int_equal(net_addr_parse("unix:", &a, err, sizeof err), BASE_ERROR);
    /* a real bind on an ephemeral port */
    assert_int_equal(net_addr_parse("127.0.0.1:0", &a, err, sizeof err), BASE_OK);
    int fd = net_listen(&a, 16, NET_LISTEN_DEFER_ACCEPT, err, sizeof err);
    assert_true(fd >= 0);
    assert_true(net_socket_port(fd) > 0);
    close(fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(timers_fire_in_order),   cmocka_unit_test(watcher_reports_readiness),
        cmocka_unit_test(post_wakes_the_loop),    cmocka_unit_test(pool_sheds_past_backlog),
        cmocka_unit_test(addr_parsing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
