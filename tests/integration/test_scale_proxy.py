"""The webhook proxy of docker-compose.scale.yml routes Telegram updates by chat: deploy/nginx's own config
and njs script, run by a real nginx on loopback ports in front of small HTTP backends that stand for
bot workers. Skipped (with the reason) where nginx or its njs module is not installed (.ci/run installs
both)."""
from __future__ import annotations

import contextlib
import http.server
import json
import os
import re
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict
from pathlib import Path

import pytest

from indexing.processes import free_port, listening
from tests.integration.chat import ROOT
from tests.processes import stop_process

DEPLOY = ROOT / "deploy" / "nginx"
NJS_MODULE = Path("/usr/lib/nginx/modules/ngx_http_js_module.so")  # Debian's libnginx-mod-http-js
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
pytestmark = [
    pytest.mark.skipif(NGINX is None, reason="nginx is not installed (apt-get install nginx-light)"),
    pytest.mark.skipif(not NJS_MODULE.exists(),
                       reason=f"nginx's njs module is not installed ({NJS_MODULE}: apt-get install libnginx-mod-http-js)"),
]


def proxy_config(upstreams: list[str], port: int, workdir: Path, log_format: str | None = None) -> str:
    """deploy/nginx/hashlens.conf for loopback: its upstream servers and listen port replaced, Docker's
    resolver dropped, the njs script read from deploy/; everything else (routing, buffering) as deployed."""
    conf = (DEPLOY / "hashlens.conf").read_text()

    def replace(pattern: str, new: str) -> None:
        nonlocal conf
        conf, count = re.subn(pattern, new, conf, flags=re.MULTILINE)
        assert count == 1, f"deploy/nginx/hashlens.conf no longer has one line matching {pattern!r}"

    replace(r"^\s*server bot:8443 resolve;$", "\n".join(f"    server {u};" for u in upstreams))
    replace(r"^\s*resolver .*;$", "")
    replace(r"^(\s*)listen 8443;$", rf"\1listen 127.0.0.1:{port};")
    replace(r"/etc/nginx/hashlens/chat_key\.js", str(DEPLOY / "chat_key.js"))
    # as root, nginx's workers would switch to an unprivileged user that cannot write into workdir
    user = "user root;\n" if os.geteuid() == 0 else ""
    return f"""load_module {NJS_MODULE};
{user}daemon off;
master_process on;
worker_processes 2;
pid {workdir}/nginx.pid;
error_log {workdir}/error.log warn;
events {{ worker_connections 256; }}
http {{
    {f"log_format routed '{log_format}';" if log_format else ""}
    access_log {workdir}/access.log{" routed" if log_format else ""};
    client_body_temp_path {workdir}/body;
    proxy_temp_path {workdir}/proxy;
    fastcgi_temp_path {workdir}/fastcgi;
    uwsgi_temp_path {workdir}/uwsgi;
    scgi_temp_path {workdir}/scgi;
{conf}
}}
"""


class Backend:
    """A stand-in bot worker: records every POST (path, secret header, body) and answers 200."""

    def __init__(self, name: str):
        self.name = name
        self.received: list[dict] = []
        backend = self

        class Handler(http.server.BaseHTTPRequestHandler):
            # HTTP/1.0: a connection per request, so a closed backend is really gone (a kept-alive
            # connection would go on serving after the server stopped listening)

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                backend.received.append({"path": self.path, "secret": self.headers.get(SECRET_HEADER),
                                         "body": body})
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.address = f"127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextlib.contextmanager
def nginx_in_front_of(upstreams: list[str], workdir: Path, log_format: str | None = None):
    """A real nginx with the deployed proxy config on a free loopback port; yields its base URL."""
    port = free_port()
    conf_path = workdir / "nginx.conf"
    conf_path.write_text(proxy_config(upstreams, port, workdir, log_format))
    # -e: the log before the config is read (the default, under /var/log, is not writable for everyone)
    args = [NGINX, "-p", str(workdir), "-e", str(workdir / "error.log"), "-c", str(conf_path)]
    test = subprocess.run(args + ["-t"], capture_output=True, text=True)
    assert test.returncode == 0, test.stderr
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 15
        while True:
            assert proc.poll() is None, proc.stderr.read().decode()
            try:  # the proxy's own health location: a probe of "/" would reach (and, when they are not
                # up yet, disable) the workers for fail_timeout, and the first updates would get 502
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/proxy-health", timeout=2) as answer:
                    assert answer.status == 200
                break
            except OSError:
                assert time.monotonic() < deadline, "nginx did not start listening"
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        # SIGTERM = nginx's fast shutdown: the master stops its workers, then exits
        assert not stop_process(proc, timeout_s=20), "nginx did not stop within 20 s of SIGTERM (killed)"
        errors = (workdir / "error.log").read_text() if (workdir / "error.log").exists() else ""
        assert "js exception" not in errors, errors


@pytest.fixture
def backends():
    started = [Backend(f"worker-{i}") for i in range(3)]
    yield started
    for b in started:
        b.close()


@pytest.fixture
def proxy(backends, tmp_path):
    with nginx_in_front_of([b.address for b in backends], tmp_path) as url:
        for b in backends:
            b.received.clear()  # the readiness probe
        yield url


def post(url: str, body: bytes, secret: str | None = "s3cret") -> int:
    headers = {"Content-Type": "application/json"}
    if secret:
        headers[SECRET_HEADER] = secret
    req = urllib.request.Request(url, data=body, headers=headers, method="POST")
    with urllib.request.urlopen(req, timeout=10) as resp:
        return resp.status


def photo_message(update_id: int, chat: int, user: int, media_group: str | None = None) -> dict:
    message = {"message_id": update_id, "date": 0, "chat": {"id": chat, "type": "group" if chat < 0 else "private"},
               "from": {"id": user, "is_bot": False, "first_name": "u"},
               "photo": [{"file_id": f"f{update_id}", "file_unique_id": f"u{update_id}", "width": 90, "height": 90}]}
    if media_group:
        message["media_group_id"] = media_group
    return {"update_id": update_id, "message": message}


def where(backends: list[Backend]) -> dict[int, list[str]]:
    """update_id -> the backends that received it."""
    seen = defaultdict(list)
    for b in backends:
        for r in b.received:
            seen[json.loads(r["body"])["update_id"]].append(b.name)
    return seen


def test_each_update_reaches_one_worker_and_a_chat_always_the_same_one(proxy, backends):
    chats = [-1001000 - i for i in range(15)] + [700 + i for i in range(15)]  # groups and private chats
    updates, chat_of = [], {}
    update_id = 1
    for round_ in range(4):  # interleaved, as Telegram delivers many chats at once
        for chat in chats:
            # a 3-photo album each first round, single messages after
            parts = 3 if round_ == 0 else 1
            for _ in range(parts):
                updates.append(photo_message(update_id, chat, user=abs(chat) % 1000 + 1,
                                             media_group=f"album-{chat}" if parts > 1 else None))
                chat_of[update_id] = chat
                update_id += 1
    for u in updates:
        assert post(proxy + "/hashlens", json.dumps(u).encode()) == 200

    seen = where(backends)
    assert sorted(seen) == sorted(chat_of), "an update was lost"
    assert all(len(names) == 1 for names in seen.values()), {u: n for u, n in seen.items() if len(n) != 1}
    worker_of_chat = defaultdict(set)
    for uid, names in seen.items():
        worker_of_chat[chat_of[uid]].add(names[0])
    assert all(len(w) == 1 for w in worker_of_chat.values()), "a chat's updates were split across workers"
    load = {b.name: sum(1 for w in worker_of_chat.values() if b.name in w) for b in backends}
    assert all(n >= 3 for n in load.values()), f"chats are not spread over the workers: {load}"
    # the path and the secret reach the worker unchanged (it checks the secret itself)
    assert {(r["path"], r["secret"]) for b in backends for r in b.received} == {("/hashlens", "s3cret")}


def test_every_kind_of_update_is_routed_to_its_chat(proxy, backends):
    """Updates about one chat, of every kind that names it, land where that chat's messages land."""
    chat, user = -100777, 4242
    as_chat = {"id": chat, "type": "supergroup"}
    as_user = {"id": user, "is_bot": False, "first_name": "u"}
    msg = {"message_id": 1, "date": 0, "chat": as_chat, "from": as_user, "text": "hi"}
    member = {"chat": as_chat, "from": as_user, "date": 0,
              "old_chat_member": {"status": "left", "user": as_user},
              "new_chat_member": {"status": "member", "user": as_user}}
    about_chat = [{"message": msg}, {"edited_message": msg}, {"channel_post": msg}, {"edited_channel_post": msg},
                  {"callback_query": {"id": "1", "from": as_user, "chat_instance": "c", "message": msg}},
                  {"my_chat_member": member}, {"chat_member": member},
                  {"message_reaction": {"chat": as_chat, "message_id": 1, "date": 0,
                                        "old_reaction": [], "new_reaction": []}}]
    # updates without a chat: the user's private chat (same id as the user)
    private = {"id": user, "type": "private"}
    about_user = [{"message": dict(msg, chat=private)},
                  {"inline_query": {"id": "2", "from": as_user, "query": "cat", "offset": ""}},
                  {"chosen_inline_result": {"result_id": "r", "from": as_user, "query": "cat"}},
                  {"callback_query": {"id": "3", "from": as_user, "chat_instance": "c", "inline_message_id": "i"}},
                  {"poll_answer": {"poll_id": "p", "user": as_user, "option_ids": [0]}}]
    for i, u in enumerate(about_chat + about_user, start=1):
        assert post(proxy + "/hashlens", json.dumps(dict(u, update_id=i)).encode()) == 200
    seen = where(backends)
    assert len({seen[i][0] for i in range(1, len(about_chat) + 1)}) == 1, seen
    assert len({seen[i][0] for i in range(len(about_chat) + 1, len(about_chat) + len(about_user) + 1)}) == 1, seen


def test_a_body_without_a_chat_or_not_json_still_reaches_a_worker(proxy, backends):
    bodies = [json.dumps({"update_id": 900 + i}).encode() for i in range(12)]  # no chat: by update_id
    bodies += [b"not json", b"{}", b"[1, 2]", json.dumps({"update_id": 5, "message": {"chat": {}}}).encode()]
    # larger than client_body_buffer_size: nginx keeps it in a file, njs cannot read it (key "large")
    bodies.append(json.dumps(photo_message(77, -1009, 1) | {"pad": "x" * 1_500_000}).encode())
    for body in bodies:
        assert post(proxy + "/hashlens", body, secret=None) == 200
    received = [r["body"] for b in backends for r in b.received]
    assert sorted(received) == sorted(bodies), "a body was lost or duplicated"
    chatless = {b.name for b in backends for r in b.received if r["body"] in bodies[:12]}
    assert len(chatless) >= 2, "updates without a chat all went to one worker"
    assert all(r["secret"] is None for b in backends for r in b.received)


def test_a_stopped_worker_s_chats_move_to_the_others(proxy, backends):
    """Consistent hashing: a worker that is down loses its chats to the live ones (nginx retries a
    connection that failed); the chats of the live workers stay where they were."""
    chats = list(range(1, 31))
    for i, chat in enumerate(chats, start=1):
        post(proxy + "/hashlens", json.dumps(photo_message(i, chat, chat)).encode())
    before = {json.loads(r["body"])["message"]["chat"]["id"]: b.name for b in backends for r in b.received}
    down = backends[0]
    down.close()
    for b in backends:
        b.received.clear()
    for i, chat in enumerate(chats, start=100):
        assert post(proxy + "/hashlens", json.dumps(photo_message(i, chat, chat)).encode()) == 200
    after = {json.loads(r["body"])["message"]["chat"]["id"]: b.name for b in backends for r in b.received}
    assert sorted(after) == chats and down.name not in after.values()
    assert all(after[c] == before[c] for c in chats if before[c] != down.name), "live workers' chats moved"


# --- end to end: the Bot API emulator pushes updates to the webhook URL (nginx), two real bot workers
# behind it share one Redis; each album is answered once, by the worker that has its chat.

E2E_TOKEN = "246810:SCALE-PROXY-TOKEN"
WORKER_LOG = re.compile(r"^(\S+) (\S+) (\S+)$")  # the test's nginx log: chat key, worker, status


@contextlib.contextmanager
def webhook_worker(name: str, emulator, webhook_url: str, port: int, redis_url: str, key_prefix: str,
                   data_dir: Path, model_cache: Path):
    """`python -m bot` in webhook mode on 127.0.0.1:port, started (`wait_listening` waits for it), the
    scheduler left out (the scale compose file runs it as its own service); stopped with SIGTERM after."""
    import sys

    log_path = data_dir / "bot.log"
    env = dict(os.environ, TELEGRAM_BOT_TOKEN=E2E_TOKEN, HASHLENS_TELEGRAM_API_URL=emulator.base_url,
               HASHLENS_TELEGRAM_FILE_URL=emulator.base_file_url, REDIS_URL=redis_url,
               HASHLENS_KEY_PREFIX=key_prefix, HASHLENS_DATA_DIR=str(data_dir),
               HASHLENS_MODEL_CACHE_DIR=str(model_cache), HASHLENS_IMAGE_MODEL="efficientnet-lite0",
               HASHLENS_WEBHOOK_URL=webhook_url, HASHLENS_WEBHOOK_LISTEN="127.0.0.1",
               HASHLENS_WEBHOOK_PORT=str(port), HASHLENS_WEBHOOK_SECRET="s3cret",
               HASHLENS_SCHEDULER_IN_BOT="false", HASHLENS_READ_TEXT="false", HASHLENS_LOG_LEVEL="INFO")
    with open(log_path, "w") as log_file:
        proc = subprocess.Popen([sys.executable, "-m", "bot"], cwd=ROOT, env=env, stdout=log_file,
                                stderr=subprocess.STDOUT)
    proc.name, proc.port, proc.log_path = name, port, log_path
    try:
        yield proc
    finally:
        assert not stop_process(proc), f"{name} did not stop within 60 s of SIGTERM (killed)"


def wait_listening(proc, timeout_s: float = 240) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        assert proc.poll() is None, f"{proc.name} exited:\n" + proc.log_path.read_text()[-3000:]
        assert time.monotonic() < deadline, f"{proc.name} did not start listening"
        if listening(proc.port):
            return
        time.sleep(0.5)


def test_albums_through_the_proxy_are_answered_once_by_two_workers(tmp_path, redis_server, session_dir, encoders):
    from tests.conftest import noise_photo
    from tests.integration.chat import emulator_with_groups, store_of

    ports = [free_port() for _ in range(2)]
    nginx_dir = tmp_path / "nginx"
    nginx_dir.mkdir()
    key_prefix = f"scale{os.getpid()}"
    with contextlib.ExitStack() as stack:
        emulator = stack.enter_context(emulator_with_groups(E2E_TOKEN, {}))
        proxy_url = stack.enter_context(nginx_in_front_of([f"127.0.0.1:{p}" for p in ports], nginx_dir,
                                                          log_format="$chat_key $upstream_addr $status"))
        webhook_url = proxy_url + "/hashlens"
        workers = {}
        for i, port in enumerate(ports):  # started together on an empty store, as `docker compose up` does
            data_dir = tmp_path / f"worker-{i}"
            data_dir.mkdir()
            workers[f"127.0.0.1:{port}"] = stack.enter_context(webhook_worker(
                f"worker {i}", emulator, webhook_url, port, redis_server, key_prefix, data_dir,
                session_dir / "models"))
        for proc in workers.values():
            wait_listening(proc)
        c = emulator.client
        assert c.state()["webhook"]["url"] == webhook_url
        with store_of(redis_server, key_prefix) as store:
            demo_posts = store.count()
        assert demo_posts == 14, f"the demo photos were imported {demo_posts} / 14 times"

        # users whose chats the proxy sends to different workers (a /start each shows where)
        first_user = 811
        worker_of: dict[int, str] = {}
        for user in range(first_user, first_user + 30):
            assert "Send me a photo" in c.wait(user, c.send(user, text="/start")[-1]["message_id"], 1,
                                               timeout=60)[0]["text"]
            worker_of[user] = routed(nginx_dir)[f"chat:{user}"]
            if len(set(worker_of.values())) == 2 and len(worker_of) >= 4:
                break
        assert set(worker_of.values()) == set(workers), f"every chat went to one worker: {worker_of}"

        # an album of 3 photos from each (3 updates each, as Telegram delivers an album)
        sent = {user: c.send(user, photos=[noise_photo(user * 10 + part) for part in range(3)])
                for user in worker_of}
        for user, messages in sent.items():
            assert len({m["media_group_id"] for m in messages}) == 1
            c.wait(user, messages[-1]["message_id"], 1, timeout=120)
        time.sleep(3)  # an album split over workers would be answered in pieces, a little later
        for user, messages in sent.items():
            texts = [r.get("text") or "" for r in c.messages(user, after=messages[-1]["message_id"])]
            albums = [t for t in texts if "Album of" in t]
            assert len(albums) == 1 and "Album of 3 photos" in albums[0], (user, texts)
            assert not [t for t in texts if t.startswith("Hashtags")], f"a part was answered alone: {texts}"
        # every update of a chat went to the worker its /start went to
        log = [WORKER_LOG.match(line).groups() for line in (nginx_dir / "access.log").read_text().splitlines()
               if WORKER_LOG.match(line)]
        for key, worker, status in log:
            if key.startswith("chat:") and int(key[5:]) in worker_of:
                assert worker == worker_of[int(key[5:])] and status == "200", (key, worker, status)


def routed(nginx_dir: Path) -> dict[str, str]:
    """chat key -> the worker nginx sent it to, from the test's access log."""
    out = {}
    for line in (nginx_dir / "access.log").read_text().splitlines():
        m = WORKER_LOG.match(line)
        if m:
            out[m.group(1)] = m.group(2)
    return out
