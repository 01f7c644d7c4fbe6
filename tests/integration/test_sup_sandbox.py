"""Each sandbox promise checked from inside a task: the test-only `probe` task kind runs under
the same sandbox machinery, tries what is forbidden and prints what happened. Also: the
memory cap kills a hog, tasks drop root to the configured user, and the http task reports
what took effect."""
import os
import re
import time

import pytest

from harvutil import SANITIZED

from suputil import Up, workdir, no_stray_processes  # noqa: F401 (autouse)


def probe_results(up):
    deadline = time.time() + 15
    while time.time() < deadline:
        logs = up.logs("probe")
        if "probe: done" in logs:
            return dict(re.findall(r"probe: (\w+)=(\S+)", logs))
        time.sleep(0.05)
    raise AssertionError("probe did not finish:\n" + up.logs("probe"))


def test_probe_sees_every_promise():
    d = workdir()
    outside = os.path.join(d, "outside.txt")
    up = Up(d, "state_dir: state\nprobe:\n  outside: %s\n  connect: 127.0.0.1:9\n"
               "  limits: {open_files: 256, memory: 64m}\n" % outside, wait=("probe",))
    try:
        r = probe_results(up)
        assert r["no_new_privs"] == "1"
        assert r["execve"] == "EPERM"          # no execve
        assert r["ptrace"] == "EPERM"          # no ptrace
        assert r["fork"] == "EPERM"            # no new processes...
        assert r["thread"] == "OK"             # ...but threads (clone3 -> ENOSYS -> clone)
        assert r["unknown_syscall"] == "ENOSYS"  # not on the allowlist: ENOSYS, not EPERM
        assert r["mmap_exec"] == "EPERM"       # W^X: no new executable mappings
        assert r["mprotect_exec"] == "EPERM"
        assert r["write_state"] == "OK"        # its state dir is read-write
        assert r["write_outside"] == "EACCES"  # Landlock: nothing else
        assert r["read_etc"] == "EACCES"
        assert r["signal_supervisor"] == "EPERM", r  # it cannot signal its supervisor
        assert not os.path.exists(outside)
        assert r["connect_netns"] == "ENETUNREACH"  # private network namespace
        assert r["connect"] == "EACCES"        # and Landlock denies connect on top
        assert r["nofile"] == "256"            # RLIMIT_NOFILE
        sb = up.task("probe")["sandbox"]
        for word in ("no_new_privs", "seccomp", "landlock=abi", "netns", "rlimits(nofile=256"):
            assert word in sb, sb
        if os.path.exists("/sys/fs/cgroup/memory/memory.limit_in_bytes"):
            assert "memory(v1)" in sb, sb
    finally:
        up.stop()


@pytest.mark.skipif(not os.path.exists("/sys/fs/cgroup/memory/memory.limit_in_bytes") and
                    not os.path.exists("/sys/fs/cgroup/memory.max"),
                    reason="no memory cgroup controller")
def test_memory_cap_kills_a_hog():
    d = workdir()
    up = Up(d, "state_dir: state\nprobe:\n  hog: 512m\n  limits: {memory: 64m}\n"
               "  restart: {max_deaths: 1}\n", wait=())
    try:
        t = up.wait_running("probe", state="failed", timeout=30)
        assert "killed by signal 9 (KILL) by the memory cap (67108864 bytes)" in t["last_exit"]
        up.wait_log("giving up on task probe")
    finally:
        up.stop()


@pytest.mark.skipif(SANITIZED, reason="ASan's shadow memory cannot live under RLIMIT_AS")
def test_rlimit_as_is_the_fallback_cap():
    d = workdir()
    up = Up(d, "state_dir: state\nprobe:\n  hog: 512m\n  limits: {memory: 64m}\n"
               "  sandbox: {cgroup: false}\n  restart: {max_deaths: 1}\n", wait=())
    try:
        t = up.wait_running("probe", state="failed", timeout=30)
        assert "exited with status 3" in t["last_exit"]
        assert "hog malloc failed" in up.logs("probe")
    finally:
        up.stop()


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to drop privileges")
def test_drops_root_to_the_configured_user():
    d = workdir()
    up = Up(d, "state_dir: state\nuser: nobody\nprobe: {}\n", wait=("probe",))
    try:
        r = probe_results(up)
        assert r["uid"] == "65534"
        assert r["write_state"] == "OK"  # the supervisor handed it its state dir
        assert "user=nobody" in up.task("probe")["sandbox"]
    finally:
        up.stop()


def test_http_task_reports_its_sandbox():
    d = workdir()
    os.makedirs(os.path.join(d, "site"))
    up = Up(d, "state_dir: state\nlisteners: {web: 127.0.0.1:0}\n"
               "http: {listen: [web], root: site, limits: {memory: 128m, open_files: 512}}\n")
    try:
        t = up.task("http")
        for word in ("no_new_privs", "seccomp(", "w^x", "landlock=abi", "nofile=512"):
            assert word in t["sandbox"], t["sandbox"]
        assert "netns" not in t["sandbox"]  # http needs the network
        assert t["memory"] > 0
        text = up.ctl("status").stdout
        assert "http   running" in text and "sandbox: no_new_privs" in text
    finally:
        up.stop()


def test_cpu_and_pids_caps_through_cgroups():
    have_cpu = os.path.exists("/sys/fs/cgroup/cpu/cpu.cfs_quota_us")
    have_pids = os.path.exists("/sys/fs/cgroup/pids/pids.max")
    if not (have_cpu or have_pids):
        pytest.skip("no cgroup v1 cpu/pids controllers")
    d = workdir()
    up = Up(d, "state_dir: state\nprobe:\n  limits: {cpu: 50, pids: 32}\n", wait=("probe",))
    try:
        sb = up.task("probe")["sandbox"]
        if have_cpu:
            assert "cpu(v1)" in sb, sb
        if have_pids:
            assert "pids(v1)" in sb, sb
    finally:
        up.stop()


def test_http_task_probes_its_own_sandbox():
    from suputil import http_get
    d = workdir()
    os.makedirs(os.path.join(d, "site"))
    up = Up(d, "state_dir: state\nlisteners: {web: 127.0.0.1:0}\n"
               "http: {listen: [web], root: site, test_handlers: true}\n")
    try:
        host, port = up.hostport()
        st, body = http_get(host, port, "/_test/sandbox")
        assert st == 200, body
        r = dict(l.split("=") for l in body.decode().split())
        assert r == {"execve": "EPERM", "fork": "EPERM", "socket": "EPERM",
                     "read_etc": "EACCES", "write_tmp": "EACCES", "unlink": "EPERM",
                     "mmap_exec": "EPERM"}, r
        assert http_get(host, port, "/")[0] in (200, 404)  # still serving after the probe
    finally:
        up.stop()


def test_config_fd_is_sealed():
    d = workdir()
    up = Up(d, "state_dir: state\nprobe: {}\n", wait=("probe",),
            extra_env={"HARV_TEST_CONFIG_WRITE": "1"})
    try:
        deadline = time.time() + 10
        while "config_write=" not in up.logs("probe") and time.time() < deadline:
            time.sleep(0.05)
        assert "config_write=EPERM" in up.logs("probe")
    finally:
        up.stop()


def test_the_whole_tree_is_killed():
    """A setsid grandchild escapes the process group; the cgroup still takes it down."""
    from suputil import pid_alive
    d = workdir()
    up = Up(d, "state_dir: state\nprobe:\n  daemon: true\n  sandbox: {seccomp: false}\n",
            wait=("probe",))
    try:
        deadline = time.time() + 10
        while "probe: daemon=" not in up.logs("probe") and time.time() < deadline:
            time.sleep(0.05)
        daemon = int(re.search(r"probe: daemon=(\d+)", up.logs("probe")).group(1))
        assert pid_alive(daemon)
        t = up.task("probe")
        if "kill(v2)" not in t["sandbox"] and "(v1)" not in t["sandbox"]:
            os.kill(daemon, 9)
            pytest.skip("no cgroup to kill the tree with")
        os.kill(t["pid"], 9)
        up.wait_running("probe", not_pid=t["pid"])
        deadline = time.time() + 5
        while pid_alive(daemon) and time.time() < deadline:
            time.sleep(0.05)
        assert not pid_alive(daemon), "the task's grandchild survived it"
    finally:
        up.stop()
